"""Reconciliation files: the other systems' balances read from CSV or XLSX, and the
reconciliation written out as XLSX for the people who sign it."""

import csv
import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from services.collections.models import Reconciliation, ReconciliationDifference
from shared.api.problems import BusinessRuleViolation
from shared.money import round_money

XLSX_SIGNATURE = b"PK\x03\x04"  # an XLSX file is a ZIP archive


class UnreadableFile(BusinessRuleViolation):
    slug, title = "unreadable-balance-file", "The balance file cannot be read"


def read_records(content: bytes) -> list[dict[str, Any]]:
    """The file's rows keyed by its header row (row 1); the first record is the file's row 2."""
    if content.startswith(XLSX_SIGNATURE):
        return _xlsx_records(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile("a CSV file must be UTF-8 (or the file is not CSV or XLSX)") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise UnreadableFile("the file has no header row")
    return [dict(record) for record in reader]


def _xlsx_records(content: bytes) -> list[dict[str, Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise UnreadableFile("the XLSX file cannot be opened") from error
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(header):
            raise UnreadableFile("the first sheet has no header row")
        names = [str(h).strip() if h is not None else "" for h in header]
        return [dict(zip(names, row, strict=False)) for row in rows]
    finally:
        book.close()


HEADER = [
    "side",
    "account_number",
    "class",
    "held_by",
    "document",
    "currency",
    "source_amount",
    "ledger_amount",
    "difference",
    "explanation",
    "rows",
    "resolution",
    "resolution_note",
    "adjusting_document",
    "resolved_by",
]


def _money(amount: Any, currency: str | None) -> Any:
    return round_money(amount, currency) if currency else amount


def reconciliation_xlsx(
    reconciliation: Reconciliation, found: Sequence[ReconciliationDifference]
) -> bytes:
    """A summary sheet (each side's total against the ledger's, the sign-off) and every
    difference with how it was resolved."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["as_of", reconciliation.as_of.isoformat()])
    summary.append(["prepared_by", reconciliation.prepared_by])
    summary.append(["signed_off_by", reconciliation.signed_off_by or ""])
    signed_at = reconciliation.signed_off_at
    summary.append(["signed_off_at", signed_at.isoformat() if signed_at else ""])
    summary.append([])
    summary.append(
        ["side", "currency", "rows", "customers", "source_total", "ledger_total", "imported_by"]
    )
    for side, facts in sorted(reconciliation.sources.items()):
        source, ledger = facts["source_total"], facts["ledger_total"]
        for currency in sorted(source.keys() | ledger.keys()):
            summary.append(
                [
                    side,
                    currency,
                    facts["rows"],
                    facts["customers"],
                    Decimal(source.get(currency, "0")),
                    Decimal(ledger.get(currency, "0")),
                    facts["imported_by"],
                ]
            )
    sheet = book.create_sheet("Differences")
    sheet.append(HEADER)
    for d in found:
        sheet.append(
            [
                d.side,
                d.account_number,
                d.klass,
                d.held_by,
                d.document or "",
                d.currency or "",
                _money(d.source_amount, d.currency),
                _money(d.ledger_amount, d.currency),
                _money(d.difference, d.currency),
                d.explanation,
                " ".join(str(r) for r in d.rows),
                d.resolution,
                d.resolution_note or "",
                d.adjusting_document or "",
                d.resolved_by or "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
