"""NACHA ACH files: CCD+ and CTX credit entries with their remittance addenda.

No maintained Python parser exists, so this is a small one for the 94-character fixed-width
records: 1 file header, 5 batch header, 6 entry detail, 7 addenda, 8 batch control, 9 file control
(and 9-filled padding). Remittance is read from the addenda's payment-related information: ANSI X12
RMR segments (`RMR*IV*<invoice>*<action>*<paid>*<total>*<discount>`) when present, free text
otherwise. A record that cannot be read is reported by line; batch totals are checked when the
batch read cleanly.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.payments.domain.bank_files.model import (
    BankReceipt,
    LineProblem,
    MalformedFile,
    ParsedFile,
    RemittanceItem,
)

RECORD_LENGTH = 94
# Transaction codes of credits to a checking, savings, GL or loan account (prenotes excluded).
CREDIT_CODES = {"22", "32", "42", "52"}
SEC_CODES = {"CCD", "CTX", "PPD"}


def _field(record: str, start: int, end: int) -> str:
    """Positions as the NACHA rules number them: 1-based, inclusive."""
    return record[start - 1 : end].strip()


def _cents(raw: str, what: str) -> Decimal:
    if not raw.isdigit():
        raise ValueError(f"{what} {raw!r} is not numeric")
    return Decimal(int(raw)).scaleb(-2)


@dataclass
class _Batch:
    line: int
    company_name: str
    company_id: str
    sec_code: str
    effective: date
    entries: list[BankReceipt] = field(default_factory=list)
    addenda: dict[int, list[str]] = field(default_factory=dict)
    routing_hash: int = 0
    count: int = 0
    clean: bool = True


def _batch(record: str, line: int) -> _Batch:
    sec = _field(record, 51, 53)
    if sec not in SEC_CODES:
        raise ValueError(f"standard entry class {sec!r} is not CCD, CTX or PPD")
    return _Batch(
        line=line,
        company_name=_field(record, 5, 20),
        company_id=_field(record, 41, 50),
        sec_code=sec,
        effective=datetime.strptime(_field(record, 70, 75), "%y%m%d").date(),
    )


def _entry(record: str, line: int, batch: _Batch, currency: str) -> BankReceipt | None:
    code = _field(record, 2, 3)
    routing = _field(record, 4, 11)
    if not routing.isdigit():
        raise ValueError(f"receiving DFI routing number {routing!r} is not numeric")
    amount = _cents(_field(record, 30, 39), "amount")
    batch.routing_hash += int(routing)
    if code not in CREDIT_CODES or amount == 0:
        return None
    return BankReceipt(
        line=line,
        amount=amount,
        currency=currency,
        received_on=batch.effective,
        method="ach",
        bank_reference=_field(record, 80, 94),
        reference=_field(record, 40, 54) or None,
        payer_name=batch.company_name,
        payer_account=batch.company_id,
    )


def _rmr_items(text: str) -> list[RemittanceItem]:
    items = []
    for segment in text.replace("\\", "~").split("~"):
        elements = segment.strip().split("*")
        if elements[0] != "RMR" or len(elements) < 3:
            continue
        amounts = [Decimal(e) if e else None for e in (elements[4:5] + elements[6:7])]
        paid = amounts[0] if amounts else None
        discount = amounts[1] if len(amounts) > 1 else None
        items.append(RemittanceItem(elements[2], paid, discount))
    return items


def _close(batch: _Batch, record: str, line: int) -> None:
    credits = sum((e.amount for e in batch.entries), Decimal(0))
    declared = _cents(_field(record, 33, 44), "total credit")
    hashed = _field(record, 11, 20) == str(batch.routing_hash % 10**10).zfill(10)
    # Totals only add up when every record of the batch was read.
    if batch.clean and not (hashed and declared >= credits):
        raise MalformedFile(
            f"line {line}: the batch control does not match the batch "
            f"that starts on line {batch.line}"
        )
    for receipt in batch.entries:
        text = "".join(batch.addenda.get(receipt.line, []))
        receipt.remittance = _rmr_items(text)
        receipt.memo = text.strip() or None


def read_nacha(text: str, currency: str) -> ParsedFile:
    parsed = ParsedFile("nacha")
    lines = text.splitlines()
    if not lines or not lines[0].startswith("101"):
        raise MalformedFile("a NACHA file starts with a file header record (1, priority 01)")
    batch: _Batch | None = None
    entry_line: int | None = None
    for number, raw in enumerate(lines, start=1):
        record = raw.rstrip("\r\n")
        if not record.strip() or set(record) == {"9"}:
            continue  # blank or block padding
        try:
            if len(record) != RECORD_LENGTH:
                raise ValueError(f"a record is {RECORD_LENGTH} characters, this one {len(record)}")
            kind = record[0]
            if kind == "5":
                batch = _batch(record, number)
            elif kind in "678" and batch is None:
                raise ValueError("a batch record outside a batch")
            elif kind == "6":
                entry_line = None
                batch.count += 1  # type: ignore[union-attr]
                receipt = _entry(record, number, batch, currency)  # type: ignore[arg-type]
                if receipt:
                    batch.entries.append(receipt)  # type: ignore[union-attr]
                    entry_line = number
            elif kind == "7":
                if _field(record, 2, 3) != "05":
                    raise ValueError("addenda type code is not 05")
                if entry_line is not None:
                    batch.addenda.setdefault(entry_line, []).append(record[3:83])  # type: ignore[union-attr]
            elif kind == "8":
                _close(batch, record, number)  # type: ignore[arg-type]
                parsed.receipts.extend(batch.entries)  # type: ignore[union-attr]
                batch = None
            elif kind not in "19":
                raise ValueError(f"unknown record type {kind!r}")
        except ValueError as exc:
            parsed.problems.append(LineProblem(number, str(exc)))
            if batch is not None:
                batch.clean = False
    if batch is not None:
        raise MalformedFile(f"the batch starting on line {batch.line} has no batch control record")
    return parsed
