"""Advice lines from what customers send: a table (CSV or spreadsheet rows under a header naming
the invoice and amount columns) or free text (an email body, a PDF's text), one invoice a line.

Nothing is guessed: a row or text line without an invoice reference is not a line (a deduction
with its amount and reason is kept as one of the whole payment); an amount that is not a number
is a problem on its line, and the line is left out."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.payments.domain.bank_files.model import LineProblem
from services.payments.domain.matching.references import references_in
from services.payments.domain.remittance.model import AdviceLine, parse_amount

# Header words of each column, as advices print them (lower case, without punctuation).
_INVOICE = (
    "invoice",
    "inv",
    "invoice number",
    "invoice no",
    "invoice #",
    "document",
    "doc no",
    "reference",
    "ref",
    "bill",
)
_PAID = (
    "amount paid",
    "paid",
    "payment",
    "payment amount",
    "net",
    "net paid",
    "net amount",
    "amount",
)
_GROSS = ("invoice amount", "gross", "gross amount", "original amount", "invoice total")
_DEDUCTION = (
    "deduction",
    "deductions",
    "deducted",
    "short pay",
    "short paid",
    "adjustment",
    "withheld",
    "chargeback",
)
_REASON = (
    "reason",
    "deduction reason",
    "reason code",
    "remark",
    "remarks",
    "comment",
    "comments",
    "note",
    "notes",
    "memo",
)

_AMOUNT_TEXT = re.compile(r"\(?-?\$?\d{1,3}(?:,\d{3})*\.\d{2}\)?-?|\(?-?\$?\d+\.\d{2}\)?-?")
_DEDUCTION_WORDS = re.compile(
    r"\b(deduct(?:ed|ion)?|short(?:[- ]paid| pay)?|less|withheld|chargeback|adjust(?:ment|ed)?)\b",
    re.IGNORECASE,
)
_TOTAL_WORDS = re.compile(r"\b(total|sum)\b", re.IGNORECASE)
# Numbers that are not invoice references: dates, and what follows the words naming a check, a
# trace, an order, an account or a telephone.
_NOT_REFERENCES = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|"
    r"\b(?:check|chk|cheque|trace|p\.?o\.?|purchase order|order|acct|account|tel|phone|fax)\b"
    r"\s*(?:no\.?|number|#)?\s*[:#]?\s*[\w\-/]+",
    re.IGNORECASE,
)
_REASON_LEAD = re.compile(r"^[\s:;,\-–—(]*(?:for|re|reason|due to)?[\s:;,\-–—]*", re.IGNORECASE)


def _header_word(cell: object) -> str:
    return re.sub(r"[^a-z# ]", "", str(cell or "").lower()).strip()


@dataclass(frozen=True)
class _Columns:
    invoice: int
    paid: int | None
    gross: int | None
    deduction: int | None
    reason: int | None


def _columns(row: Sequence[object]) -> _Columns | None:
    words = [_header_word(cell) for cell in row]

    def find(names: tuple[str, ...]) -> int | None:
        return next((i for i, w in enumerate(words) if w in names), None)

    invoice = find(_INVOICE)
    paid, gross, deduction = find(_PAID), find(_GROSS), find(_DEDUCTION)
    if invoice is None or (paid is None and gross is None):
        return None
    return _Columns(invoice, paid, gross, deduction, find(_REASON))


@dataclass
class TableLines:
    lines: list[AdviceLine]
    problems: list[LineProblem]
    stated_total: Decimal | None
    has_header: bool


def _cell(row: Sequence[object], index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = row[index]
    # A spreadsheet number is read at its shortest value, not in float's binary approximation.
    return format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value).strip()


def lines_from_rows(rows: Iterable[Sequence[object]], source: str) -> TableLines:
    """Lines of a table: the first row naming an invoice column and an amount column is the
    header; each later row with an invoice in it is a line; a "total" row is the stated total."""
    columns: _Columns | None = None
    found = TableLines([], [], None, False)
    for number, row in enumerate(rows, start=1):
        if columns is None:
            columns = _columns(row)
            found.has_header = columns is not None
            continue
        invoice = _cell(row, columns.invoice)
        amounts: dict[str, Decimal | None] = {}
        try:
            for name, index in (
                ("paid", columns.paid),
                ("gross", columns.gross),
                ("deduction", columns.deduction),
            ):
                text = _cell(row, index)
                amounts[name] = parse_amount(text) if text else None
        except ValueError as exc:
            found.problems.append(LineProblem(number, f"{source} row {number}: {exc}"))
            continue
        if _TOTAL_WORDS.search(invoice) and not references_in(invoice):
            found.stated_total = (
                amounts["paid"] if amounts["paid"] is not None else found.stated_total
            )
            continue
        if not invoice:
            continue
        paid, gross, deduction = amounts["paid"], amounts["gross"], amounts["deduction"]
        if deduction is not None:
            deduction = abs(deduction)
        if paid is None and gross is not None:
            paid = gross - (deduction or Decimal(0))
        if deduction is None and gross is not None and paid is not None and gross > paid:
            deduction = gross - paid
        found.lines.append(
            AdviceLine(
                invoice,
                paid,
                deduction or None,
                _cell(row, columns.reason) or None if deduction else None,
                source=f"{source} row {number}",
            )
        )
    return found


@dataclass
class TextLines:
    lines: list[AdviceLine]
    problems: list[LineProblem]
    stated_total: Decimal | None


def _reason_after(text: str) -> str | None:
    reason = _REASON_LEAD.sub("", text).strip(" .;:,)-–—")
    return reason[:200] or None


def lines_from_text(text: str, source: str) -> TextLines:
    """Lines of free text: a text line naming one invoice and its amounts (the last amount is what
    was paid; a first, larger one the invoice's amount, the difference a deduction), a deduction
    word before an amount makes it the deduction, with the words after it as the reason."""
    found = TextLines([], [], None)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        amounts = [
            (m.start(), m.end(), parse_amount(m.group(0))) for m in _AMOUNT_TEXT.finditer(line)
        ]
        references = references_in(_NOT_REFERENCES.sub(" ", line))
        deduction_word = _DEDUCTION_WORDS.search(line)
        deduction: Decimal | None = None
        reason: str | None = None
        if deduction_word is not None:
            after = [a for a in amounts if a[0] >= deduction_word.end()]
            if after:
                start, end, value = after[0]
                deduction, amounts = abs(value), [a for a in amounts if a[0] != start]
                reason = _reason_after(line[end:]) or _reason_after(
                    line[deduction_word.end() : start]
                )
        if not references:
            if deduction is not None:
                found.lines.append(
                    AdviceLine(None, None, deduction, reason, source=f"{source} line {number}")
                )
            elif amounts and _TOTAL_WORDS.search(line):
                found.stated_total = amounts[-1][2]
            continue
        if len(references) > 1:
            found.problems.append(
                LineProblem(
                    number,
                    f"{source} line {number}: names {len(references)} invoices "
                    f"({', '.join(references)}); which amount pays which is not guessed",
                )
            )
            continue
        paid = amounts[-1][2] if amounts else None
        if len(amounts) >= 2 and deduction is None and amounts[0][2] > amounts[-1][2]:
            deduction = amounts[0][2] - amounts[-1][2]
        found.lines.append(
            AdviceLine(references[0], paid, deduction, reason, source=f"{source} line {number}")
        )
    return found
