"""Importing vendor bills from a CSV or XLSX file: one line a row, its bill's fields repeated on
each row; every refusal names its row (the header is row 1), and one bad row imports nothing."""

import csv
import io
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError

from services.invoicing.commands.costs import BillDraft
from services.invoicing.domain.costs import BillRefused
from services.invoicing.models.costs import Vendor
from services.invoicing.schemas.costs import BillLineIn, ImportRow
from shared.api.problems import FieldError

COLUMNS = tuple(ImportRow.model_fields)
REQUIRED = tuple(name for name, info in ImportRow.model_fields.items() if info.is_required())
# A workbook is a zip archive; anything else is read as UTF-8 CSV.
_ZIP = b"PK\x03\x04"
MAX_ROWS = 50_000


def _cell(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold (money stays exact: no float arithmetic)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, values by column) of every non-empty row after the header."""
    if content.startswith(_ZIP):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise BillRefused(f"the workbook cannot be read: {error}") from error
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise BillRefused("the file is neither an XLSX workbook nor UTF-8 CSV") from error
        table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise BillRefused("the file has no header row")
    header = [name.strip().casefold() for name in table[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BillRefused(
            f"the header lacks column(s) {', '.join(missing)}",
            errors=[
                FieldError(field=f"row 1.{m}", message="missing column", code="missing")
                for m in missing
            ],
        )
    if len(table) - 1 > MAX_ROWS:
        raise BillRefused(f"an import may hold at most {MAX_ROWS} rows")
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {h: v for h, v in zip(header, values, strict=False) if h in COLUMNS}))
    if not rows:
        raise BillRefused("the file has no rows after its header")
    return rows


def drafts_of(
    rows: Sequence[tuple[int, dict[str, str]]], vendors: Mapping[str, list[Vendor]]
) -> list[BillDraft]:
    """The bills the rows make, grouped by vendor and bill number in the order they first
    appear; every row's problems are collected before any is refused."""
    errors: list[FieldError] = []
    drafts: dict[tuple[uuid.UUID, str], BillDraft] = {}
    firsts: dict[tuple[uuid.UUID, str], ImportRow] = {}
    for number, values in rows:
        name = f"row {number}"
        try:
            row = ImportRow.model_validate(values)
        except ValidationError as error:
            errors.extend(
                FieldError(
                    field=f"{name}.{'.'.join(str(p) for p in e['loc'])}",
                    message=e["msg"],
                    code=e["type"],
                )
                for e in error.errors()
            )
            continue
        found = vendors.get(row.vendor.casefold(), vendors.get(row.vendor, []))
        if len(found) != 1:
            errors.append(
                FieldError(
                    field=f"{name}.vendor",
                    message=f"{'no' if not found else 'more than one'} vendor {row.vendor!r}",
                    code="unknown_vendor" if not found else "ambiguous_vendor",
                )
            )
            continue
        vendor = found[0]
        key = (vendor.id, row.bill_number)
        first = firsts.setdefault(key, row)
        if (first.bill_date, first.currency, first.bill_total) != (
            row.bill_date,
            row.currency,
            row.bill_total,
        ):
            errors.append(
                FieldError(
                    field=name,
                    message=f"bill {row.bill_number}'s date, currency or total differs from "
                    "its first row",
                    code="bill_fields_differ",
                )
            )
            continue
        draft = drafts.setdefault(
            key,
            BillDraft(
                vendor=vendor,
                number=row.bill_number,
                bill_date=row.bill_date,
                currency=row.currency,
                total=row.bill_total,
                lines=[],
                names=[],
                bill_name=f"{name} (bill {row.bill_number})",
            ),
        )
        draft.lines.append(
            BillLineIn(
                description=row.description,
                amount=row.amount,
                account=row.account,
                cost_category=row.cost_category,
                ticket_number=row.ticket_number,
                job_site=row.job_site,
                customer_id=row.customer_id,
                billable=row.billable,
            )
        )
        draft.names.append(name)
    if errors:
        raise BillRefused(
            f"{len(errors)} problem(s) in the file; nothing was imported", errors=errors
        )
    return list(drafts.values())
