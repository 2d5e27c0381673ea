"""Invoice numbers as payers write them: without the prefix, without leading zeros, with the
separators changed or with a typo. Each number gets keys under which its mangled forms meet."""

import re
from typing import NamedTuple

_DIGIT_RUNS = re.compile(r"\d+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# Money amounts in free text ("1,250.00") are not references; they are removed before reading.
_AMOUNTS = re.compile(r"\d[\d,]*\.\d{2}\b")
# A reference: an optional short prefix, then digits possibly split by separators, then
# letters that belong to it ("83738AB"). Underscores are read as separators, not word characters.
_REFERENCE = re.compile(r"\b(?:[A-Z]{1,5}[\s#:\-]*)?\d[\d\-/ ]*\d[A-Z]*\b|\b\d{3,}[A-Z]*\b")
# An ISO 11649 creditor reference, unbroken or printed in groups of four ("RF18 5390 0754 7034").
_CREDITOR_REFERENCE = re.compile(r"\bRF\d{2}(?:[0-9A-Z]{1,21}|(?: [0-9A-Z]{1,4}){1,6})\b")
MIN_DIGITS = 3


def alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text.upper())


class NumberKeys(NamedTuple):
    """Ways one number can be written. `digits` keeps every digit; `compact` drops each digit
    group's leading zeros ("INV-2026-000123" -> "2026123"); `nozero` drops every zero, so that all
    forms of one number meet under it; `serial` is the last digit group without its zeros."""

    digits: str
    compact: str
    nozero: str
    serial: str


def number_keys(text: str) -> NumberKeys | None:
    """Keys of an invoice number or a reference to one; None when it has too few digits."""
    groups = _DIGIT_RUNS.findall(text)
    digits = "".join(groups)
    if len(digits) < MIN_DIGITS:
        return None
    stripped = [group.lstrip("0") or "0" for group in groups]
    return NumberKeys(digits, "".join(stripped), digits.replace("0", "") or "0", stripped[-1])


def one_edit_variants(key: str) -> set[str]:
    """Every digit string one typo away from `key`: a digit wrong, missing, extra or swapped with
    its neighbour. Looking these up finds a mistyped number without indexing every neighbour."""
    variants = set()
    for i in range(len(key) + 1):
        for digit in "0123456789":
            variants.add(key[:i] + digit + key[i:])
            if i < len(key):
                variants.add(key[:i] + digit + key[i + 1 :])
        if i < len(key):
            variants.add(key[:i] + key[i + 1 :])
        if i < len(key) - 1:
            variants.add(key[:i] + key[i + 1] + key[i] + key[i + 2 :])
    variants.discard(key)
    return variants


def creditor_reference(text: str) -> str | None:
    """The payee's own reference inside an ISO 11649 creditor reference (`RF` and two check
    digits before it), or None when `text` is not one or its check digits are wrong."""
    compact = re.sub(r"\s", "", text.upper())
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", compact):
        return None
    # The check: the reference, then "RF" and the check digits, letters as 10 to 35, mod 97 is 1.
    rearranged = compact[4:] + compact[:4]
    if int("".join(str(int(c, 36)) for c in rearranged)) % 97 != 1:
        return None
    return compact[4:]


def _creditor_references(text: str) -> tuple[list[str], str]:
    """The references inside valid RF creditor references, and the text without them."""
    found: list[str] = []
    for match in _CREDITOR_REFERENCE.finditer(text):
        groups = match.group(0).split(" ")
        # A printed reference may run into the next word: try the longest valid reading.
        for end in range(len(groups), 0, -1):
            inside = creditor_reference("".join(groups[:end]))
            if inside is not None:
                found.append(inside)
                text = text.replace(" ".join(groups[:end]), " ", 1)
                break
    return found, text


def references_in(text: str | None) -> list[str]:
    """Invoice references found in free text such as a memo or a bank record's text, also when
    wrapped in punctuation (`#83738AB#`) or given as RF creditor references."""
    if not text:
        return []
    inside, cleaned = _creditor_references(_AMOUNTS.sub(" ", text.upper().replace("_", " ")))
    found = [reference for reference in inside if number_keys(reference) is not None]
    for match in _REFERENCE.finditer(cleaned):
        candidate = match.group(0).strip()
        if number_keys(candidate) is not None and candidate not in found:
            found.append(candidate)
    return found
