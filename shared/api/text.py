"""Text people type, checked at the edge: one rule for every service's text fields.

A name or a reference ends up on invoices, in letters, CSV exports, logs and terminals. A
control character (NUL breaks PostgreSQL, CR/LF splits a log line or a CSV row, ESC starts an
ANSI escape sequence that rewrites a terminal) or a bidi override (U+202E before "fdp.exe"
shows it as "exe.pdf") in it is never what the person meant, so it is a 422.

`PlainText` is one line; `MultilineText` (notes, instructions) also takes line breaks and tabs.
Use them with `Field` for lengths: `legal_name: PlainText = Field(min_length=1, max_length=200)`.
`safe_filename` turns an uploaded file's name into one that is safe to store and echo.
"""

import unicodedata
from typing import Annotated

from pydantic import BeforeValidator

# Bidi embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they reorder what is
# shown without changing what is stored.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")


def unsafe_character(value: str, *, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first character of `value` a text field refuses, described, or None if none."""
    for position, char in enumerate(value, start=1):
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            what = "a bidirectional override"
        elif category == "Cc":  # C0 and C1 controls: NUL, CR, LF, ESC, DEL...
            what = "a control character"
        elif category in ("Zl", "Zp"):  # U+2028/U+2029 break lines like CR/LF
            what = "a line separator"
        else:
            continue
        return f"{what} (U+{ord(char):04X}) at position {position}"
    return None


def _checked(allowed: frozenset[str]) -> BeforeValidator:
    # Before the str schema, so its own length and pattern rules keep their usual messages; a
    # value that is not a string is left to that schema to refuse.
    def check(value: object) -> object:
        if isinstance(value, str) and (found := unsafe_character(value, allowed=allowed)):
            raise ValueError(f"text may not contain {found}")
        return value

    return BeforeValidator(check)


PlainText = Annotated[str, _checked(frozenset())]
MultilineText = Annotated[str, _checked(LINE_BREAKS)]

MAX_FILENAME = 255


def safe_filename(name: str | None, default: str) -> str:
    """The file's own name without any folder ("../../etc/passwd" → "passwd"), without the
    characters `PlainText` refuses, at most 255 characters with its extension kept; `default`
    when nothing usable is left (e.g. ".." or an empty name)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if unsafe_character(c) is None)
    kept = kept.strip().strip(".").strip()  # no hidden files, nothing that reads as a folder
    if not kept:
        return default
    if len(kept) > MAX_FILENAME:
        stem, dot, extension = kept.rpartition(".")
        if dot and 0 < len(extension) < 16:
            kept = stem[: MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            kept = kept[:MAX_FILENAME]
    return kept
