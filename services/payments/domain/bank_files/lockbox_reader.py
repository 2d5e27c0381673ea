"""A bank's lockbox file as CSV, its columns named by the configured layout. Rows of the same
batch and check number are one check; each row adds one remittance line to it."""

import csv
import io
from datetime import datetime
from decimal import Decimal, InvalidOperation

from services.payments.domain.bank_files.model import (
    BankReceipt,
    LineProblem,
    LockboxLayout,
    MalformedFile,
    ParsedFile,
    RemittanceItem,
)


def _decimal(raw: str | None, what: str) -> Decimal | None:
    if raw is None or not raw.strip():
        return None
    try:
        amount = Decimal(raw.strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"{what} {raw!r} is not an amount") from exc
    if not amount.is_finite():  # NaN and Infinity parse, but compare or store as no amount can
        raise ValueError(f"{what} {raw!r} is not an amount")
    return amount


def _check(
    row: dict[str, str], layout: LockboxLayout, line: int, default_currency: str
) -> BankReceipt:
    amount = _decimal(row.get(layout.check_amount), "check amount")
    if amount is None or amount <= 0:
        raise ValueError("the check amount is missing or not positive")
    try:
        deposited = datetime.strptime(
            row.get(layout.deposit_date, "").strip(), layout.date_format
        ).date()
    except ValueError as exc:
        raise ValueError(
            f"deposit date {row.get(layout.deposit_date)!r} is not {layout.date_format}"
        ) from exc
    check_number = row.get(layout.check_number, "").strip()
    currency = (row.get(layout.currency) if layout.currency else None) or default_currency
    return BankReceipt(
        line=line,
        amount=amount,
        currency=currency.strip().upper(),
        received_on=deposited,
        method="lockbox",
        # Banks number lockbox batches afresh each day: the date keeps the reference unique.
        bank_reference=f"{deposited:%Y%m%d}/{row.get(layout.batch, '').strip()}/{check_number}",
        reference=check_number or None,
        payer_name=row.get(layout.payer_name, "").strip() or None,
        payer_account=row.get(layout.payer_account, "").strip() or None,
    )


def read_lockbox(text: str, layout: LockboxLayout, default_currency: str) -> ParsedFile:
    # A row cut short reads its missing columns as blank, not as None.
    reader = csv.DictReader(io.StringIO(text), delimiter=layout.delimiter, restval="")
    required = {layout.batch, layout.check_number, layout.check_amount, layout.deposit_date}
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise MalformedFile(f"the lockbox file lacks the column(s) {', '.join(sorted(missing))}")
    parsed = ParsedFile("lockbox")
    checks: dict[tuple[str, str], BankReceipt] = {}
    for row in reader:
        line = reader.line_num
        key = (row.get(layout.batch, "").strip(), row.get(layout.check_number, "").strip())
        try:
            receipt = checks.get(key) or _check(row, layout, line, default_currency)
            invoice = (row.get(layout.invoice_number) or "").strip() or None
            paid = _decimal(row.get(layout.amount_paid), "amount paid")
        except ValueError as exc:
            parsed.problems.append(LineProblem(line, str(exc)))
            continue
        if key not in checks:
            checks[key] = receipt
            parsed.receipts.append(receipt)
        if invoice or paid:
            receipt.remittance.append(RemittanceItem(invoice, paid))
    return parsed
