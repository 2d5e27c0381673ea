"""NACHA ACH files: credit entries of every standard entry class, with their remittance addenda,
and returns.

No maintained Python parser exists, so this is a small one for the 94-character fixed-width
records: 1 file header, 5 batch header, 6 entry detail, 7 addenda, 8 batch control, 9 file control
(and 9-filled padding). A file may come without line breaks, with the trailing blanks of its
header and control records trimmed, in ASCII, Latin-1 or UTF-8. Remittance is read from the
addenda's payment-related information: ANSI X12 RMR segments
(`RMR*IV*<invoice>*<action>*<paid>*<total>*<discount>`) when present, free text otherwise.

What is not a receipt is said once per batch (its debits, its entries that carry no money, a
class that is not read); an entry that cannot be read is reported by line. Every batch control
and the file control are checked against what they close: a mismatch, a missing control or a
record outside a batch refuses the file naming the line.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.payments.domain.bank_files.model import (
    BankReceipt,
    BankReturn,
    LineProblem,
    MalformedFile,
    NotAReceipt,
    ParsedFile,
    RemittanceItem,
    memo_of,
)
from services.payments.domain.matching.references import references_in

RECORD_LENGTH = 94
# The standard entry classes of the NACHA operating rules. ADV (accounting advices) has a record
# layout of its own and is not read.
STANDARD_CLASSES = {
    "ACK", "ADV", "ARC", "ATX", "BOC", "CCD", "CIE", "COR", "CTX", "DNE", "ENR", "IAT",
    "MTE", "POP", "POS", "PPD", "RCK", "SHR", "TEL", "TRC", "TRX", "WEB", "XCK",
}  # fmt: skip
NOT_READ = {"ADV"}
# Classes whose entry gives the individual's name first (40-54) and the identification second
# (55-76): for a bill payment (CIE) the identification is the payer's account with the payee.
NAME_FIRST = {"CIE", "MTE"}
# Classes whose entry gives the number of addenda at 55-58 and the receiver's name at 59-74.
WITH_ADDENDA_COUNT = {"CTX", "ENR", "TRX"}
# Addenda type codes: 02 terminal, 05 payment-related information, 10-18 IAT, 98 notification of
# change, 99 return.
ADDENDA_TYPES = {"02", "05", "10", "11", "12", "13", "14", "15", "16", "17", "18", "98", "99"}
# The second digit of a transaction code says what the entry is: 2 a credit, 7 (and 55, a loan
# debit for reversals) a debit; the others carry no money (prenotifications 3 and 8, zero dollar 4
# and 9) or return an entry (1 and 6).
CREDIT = "2"
DEBITS = {"5", "7"}
CREDIT_SIDE = {"1", "2", "3", "4"}  # 1: a returned credit; counted with the credits
# The company entry description of a batch reversing erroneous entries (its debits take back
# credits received earlier).
REVERSAL = "REVERSAL"
RETURN_REASONS = {
    "R01": "insufficient funds",
    "R02": "account closed",
    "R03": "no account / unable to locate account",
    "R04": "invalid account number",
    "R05": "unauthorized debit to a consumer account using a corporate class",
    "R06": "returned at the originating bank's request",
    "R07": "authorization revoked by the customer",
    "R08": "payment stopped",
    "R09": "uncollected funds",
    "R10": "customer advises not authorized",
    "R11": "customer advises entry not in accordance with the terms of the authorization",
    "R12": "account sold to another bank",
    "R14": "representative payee deceased",
    "R15": "beneficiary or account holder deceased",
    "R16": "account frozen",
    "R17": "file record edit criteria",
    "R20": "non-transaction account",
    "R23": "credit entry refused by the receiver",
    "R24": "duplicate entry",
    "R29": "corporate customer advises not authorized",
    "R31": "permissible return entry",
}


def _field(record: str, start: int, end: int) -> str:
    """Positions as the NACHA rules number them: 1-based, inclusive."""
    return record[start - 1 : end].strip()


def _words(raw: str) -> str:
    """A text field: the record was read a byte a character, so UTF-8 text is put back
    together; what is not UTF-8 is Latin-1."""
    try:
        return raw.encode("latin-1").decode("utf-8").strip()
    except UnicodeDecodeError:
        return raw.strip()


def _cents(raw: str, what: str) -> Decimal:
    if not raw.isdigit():
        raise ValueError(f"{what} {raw!r} is not numeric")
    return Decimal(int(raw)).scaleb(-2)


def _number(raw: str, what: str) -> int:
    if not raw.isdigit():
        raise ValueError(f"{what} {raw!r} is not numeric")
    return int(raw)


@dataclass
class _Entry:
    line: int
    record: str
    readable: bool = True
    addenda: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Batch:
    line: int
    header: str
    entries: list[_Entry] = field(default_factory=list)
    records: int = 0
    routing_hash: int = 0
    debits: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)
    clean: bool = True


@dataclass
class _FileTotals:
    """What the batch controls declare, summed for the file control."""

    batches: int = 0
    records: int = 0
    routing_hash: int = 0
    debits: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)


def _records(text: str) -> list[tuple[int, str]]:
    """(line, record) for each record. A file without line breaks is cut into records and
    numbers them in order."""
    lines = text.splitlines()
    if len(lines) == 1 and len(lines[0].rstrip()) > RECORD_LENGTH:
        line = lines[0]
        lines = [line[at : at + RECORD_LENGTH] for at in range(0, len(line), RECORD_LENGTH)]
    records = []
    for number, raw in enumerate(lines, start=1):
        record = raw.rstrip("\r\n")
        if len(record) > RECORD_LENGTH and not record[RECORD_LENGTH:].strip():
            record = record[:RECORD_LENGTH]
        if record[:1] in ("1", "9") and len(record) < RECORD_LENGTH:
            # Their last fields may be blank, and some banks trim trailing blanks.
            record = record.ljust(RECORD_LENGTH)
        records.append((number, record))
    return records


def _rmr_items(text: str) -> list[RemittanceItem]:
    items = []
    for segment in text.replace("\\", "~").split("~"):
        elements = segment.strip().split("*")
        if elements[0] != "RMR" or len(elements) < 3:
            continue
        amounts = []
        for raw in elements[4:5] + elements[6:7]:
            if raw and not re.fullmatch(r"-?\d+(\.\d+)?|-?\.\d+", raw):
                raise ValueError(f"remittance {segment.strip()!r}: amount {raw!r} is not a number")
            amounts.append(Decimal(raw) if raw else None)
        paid = amounts[0] if amounts else None
        discount = amounts[1] if len(amounts) > 1 else None
        items.append(RemittanceItem(elements[2], paid, discount))
    return items


def _receipt(batch: _Batch, entry: _Entry, effective: date, currency: str) -> BankReceipt:
    sec, record = _field(batch.header, 51, 53), entry.record
    addenda = {kind: [r for k, r in entry.addenda if k == kind] for kind, _ in entry.addenda}
    if sec == "IAT":
        # The originator's name is in the second IAT addenda (711), free text in the 717s.
        originator = addenda.get("11", [])
        payer_name = _words(originator[0][3:38]) if originator else None
        payer_account = _field(batch.header, 41, 50) or None
        identification = None
        text = "".join(r[3:83] for r in addenda.get("17", []))
    else:
        if sec in NAME_FIRST:
            payer_name = _words(record[39:54]) or None
            payer_account = _field(record, 55, 76) or None
        else:
            payer_name = _words(batch.header[4:20]) or None
            payer_account = _field(batch.header, 41, 50) or None
        identification = None if sec in NAME_FIRST else _field(record, 40, 54) or None
        text = "".join(r[3:83] for r in addenda.get("05", []))
    text = _words(text)
    remittance = _rmr_items(text)
    memo = memo_of(text)
    if identification and not remittance and not references_in(memo):
        # The payer's identification of the entry often is the invoice number.
        memo = memo_of(memo, identification)
    return BankReceipt(
        line=entry.line,
        amount=_cents(_field(record, 30, 39), "amount"),
        currency=currency,
        received_on=effective,
        method="ach",
        bank_reference=_field(record, 80, 94),
        reference=_field(record, 55, 76) if sec in NAME_FIRST else identification,
        payer_name=payer_name,
        payer_account=payer_account,
        memo=memo,
        remittance=remittance,
        bank_account=_field(record, 13, 29) or None,
    )


def _return(
    batch: _Batch, entry: _Entry, addenda: str | None, effective: date, currency: str
) -> BankReturn:
    """A return (its addenda 99 given) or an entry of a reversal batch."""
    code = _field(addenda, 4, 6) if addenda else REVERSAL
    return BankReturn(
        line=entry.line,
        amount=_cents(_field(entry.record, 30, 39), "amount"),
        currency=currency,
        returned_on=effective,
        reason_code=code,
        reason=RETURN_REASONS.get(code, "return reason not known here")
        if addenda
        else "reversal of an erroneous entry",
        original_trace=_field(addenda, 7, 21) or None if addenda else None,
        originator=_field(batch.header, 41, 50) or None,
        reference=_field(entry.record, 40, 54) or None,
        bank_account=_field(entry.record, 13, 29) or None,
    )


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def _read_batch(batch: _Batch, currency: str, parsed: ParsedFile) -> None:
    """The batch's receipts and returns; what is not read is said once for the batch."""
    sec = _field(batch.header, 51, 53)
    entries = [e for e in batch.entries if e.readable]
    if sec not in STANDARD_CLASSES or sec in NOT_READ:
        parsed.problems.append(
            LineProblem(
                batch.line,
                f"a batch of standard entry class {sec!r} ({_entries(len(batch.entries))}) "
                "is not read",
            )
        )
        return
    raw_date = _field(batch.header, 70, 75)
    try:
        effective = datetime.strptime(raw_date, "%y%m%d").date()
    except ValueError:
        parsed.problems.append(
            LineProblem(
                batch.line,
                f"effective entry date {raw_date!r} is not a date (YYMMDD); "
                f"the batch's {_entries(len(batch.entries))} are not read",
            )
        )
        return
    debits: list[Decimal] = []
    without_money = 0
    # The rules name a reversal batch by its company entry description.
    reversal = _field(batch.header, 54, 63) == REVERSAL
    for entry in entries:
        kind = _field(entry.record, 3, 3)
        amount = _cents(_field(entry.record, 30, 39), "amount")
        returned = [r for k, r in entry.addenda if k == "99"]
        try:
            if returned or (reversal and kind in DEBITS):
                bank_return = _return(
                    batch, entry, returned[0] if returned else None, effective, currency
                )
                parsed.returns.append(bank_return)
                traced = (
                    f"the entry traced {bank_return.original_trace}"
                    if bank_return.original_trace
                    else f"an earlier entry of {bank_return.originator}"
                )
                parsed.problems.append(
                    NotAReceipt(
                        entry.line,
                        f"return {bank_return.reason_code} ({bank_return.reason}) of "
                        f"{amount} for {traced}",
                    )
                )
            elif kind in DEBITS:
                debits.append(amount)
            elif kind == CREDIT and amount > 0:
                parsed.receipts.append(_receipt(batch, entry, effective, currency))
            else:
                without_money += 1
        except ValueError as exc:
            parsed.problems.append(LineProblem(entry.line, str(exc)))
    if debits:
        parsed.problems.append(
            LineProblem(
                batch.line,
                f"the {sec} batch's {_entries(len(debits))} of debits ({sum(debits)}) are not "
                "receipts and were not recorded",
            )
        )
    if without_money:
        parsed.problems.append(
            LineProblem(
                batch.line,
                f"the {sec} batch's {_entries(without_money)} without money (prenotifications, "
                "notifications of change, zero-dollar or returned entries without a return "
                "addenda) are not receipts",
            )
        )


def _entry(batch: _Batch, record: str, line: int) -> None:
    entry = _Entry(line, record)
    batch.entries.append(entry)
    batch.records += 1
    try:
        code = _field(record, 2, 3)
        if not re.fullmatch(r"[2-5]\d", code):
            raise ValueError(f"transaction code {code!r} is not one of NACHA's")
        routing = _number(_field(record, 4, 11), "receiving DFI routing number")
        amount = _cents(_field(record, 30, 39), "amount")
    except ValueError:
        entry.readable = False
        raise
    batch.routing_hash += routing
    if code[1] in CREDIT_SIDE:
        batch.credits += amount
    else:
        batch.debits += amount


def _addenda(batch: _Batch, record: str, line: int) -> None:
    if not batch.entries:
        raise MalformedFile(f"line {line}: an addenda record before any entry of its batch")
    batch.records += 1
    kind = _field(record, 2, 3)
    if kind not in ADDENDA_TYPES:
        batch.entries[-1].readable = False
        raise ValueError(f"addenda type code {kind!r} is not one of NACHA's")
    batch.entries[-1].addenda.append((kind, record))


def _close(batch: _Batch, record: str, line: int, totals: _FileTotals) -> None:
    try:
        declared = (
            _number(_field(record, 5, 10), "entry/addenda count"),
            _number(_field(record, 11, 20), "entry hash"),
            _cents(_field(record, 21, 32), "total debit"),
            _cents(_field(record, 33, 44), "total credit"),
        )
    except ValueError as exc:
        raise MalformedFile(f"line {line}: the batch control is not readable: {exc}") from exc
    counted = (batch.records, batch.routing_hash % 10**10, batch.debits, batch.credits)
    # The batch's own totals only add up when every record of it was read.
    if batch.clean and declared != counted:
        raise MalformedFile(
            f"line {line}: the batch control does not match the batch that starts on line "
            f"{batch.line}: {_differences(declared, counted)}"
        )
    totals.batches += 1
    totals.records += declared[0]
    totals.routing_hash += declared[1]
    totals.debits += declared[2]
    totals.credits += declared[3]


def _differences(declared: tuple[object, ...], counted: tuple[object, ...]) -> str:
    names = ("batches", "entry/addenda count", "entry hash", "total debit", "total credit")
    names = names[-len(declared) :]
    return "; ".join(
        f"{name} declared {d}, counted {c}"
        for name, d, c in zip(names, declared, counted, strict=True)
        if d != c
    )


def _check_file_control(record: str, line: int, totals: _FileTotals) -> None:
    try:
        declared = (
            _number(_field(record, 2, 7), "batch count"),
            _number(_field(record, 14, 21), "entry/addenda count"),
            _number(_field(record, 22, 31), "entry hash"),
            _cents(_field(record, 32, 43), "total debit"),
            _cents(_field(record, 44, 55), "total credit"),
        )
    except ValueError as exc:
        raise MalformedFile(f"line {line}: the file control is not readable: {exc}") from exc
    counted = (
        totals.batches,
        totals.records,
        totals.routing_hash % 10**10,
        totals.debits,
        totals.credits,
    )
    if declared != counted:
        raise MalformedFile(
            f"line {line}: the file control does not match the file's batches: "
            f"{_differences(declared, counted)}"
        )


def read_nacha(content: str | bytes, currency: str) -> ParsedFile:
    """`content` as received: bytes are read to the rules (one character a byte), so a
    Latin-1 name reads as well as an ASCII one."""
    # Fixed positions count bytes: read one character a byte, text fields put back together.
    raw = content.encode("utf-8") if isinstance(content, str) else content
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    records = [(n, r) for n, r in _records(text) if r.strip()]
    if not records or not records[0][1].startswith("1"):
        raise MalformedFile("a NACHA file starts with a file header record (1, priority 01)")
    parsed = ParsedFile("nacha")
    totals = _FileTotals()
    batch: _Batch | None = None
    file_control = False
    for number, record in records:
        if set(record) == {"9"}:
            continue  # block padding
        try:
            if len(record) != RECORD_LENGTH:
                raise ValueError(f"a record is {RECORD_LENGTH} characters, this one {len(record)}")
            kind = record[0]
            if file_control and kind != "9":
                raise ValueError("a record after the file control record")
            if kind in "678" and batch is None:
                raise MalformedFile(f"line {number}: a batch record outside a batch")
            if kind == "5":
                if batch is not None:
                    raise MalformedFile(
                        f"line {number}: a batch starts before the batch on line {batch.line} "
                        "was closed by its batch control record"
                    )
                batch = _Batch(number, record)
            elif kind == "6":
                _entry(batch, record, number)  # type: ignore[arg-type]
            elif kind == "7":
                _addenda(batch, record, number)  # type: ignore[arg-type]
            elif kind == "8":
                _close(batch, record, number, totals)  # type: ignore[arg-type]
                _read_batch(batch, currency, parsed)  # type: ignore[arg-type]
                batch = None
            elif kind == "9":
                if batch is not None:
                    raise MalformedFile(
                        f"line {number}: the file control comes before the batch on line "
                        f"{batch.line} was closed by its batch control record"
                    )
                if not file_control:
                    _check_file_control(record, number, totals)
                file_control = True
            elif kind != "1":
                raise ValueError(f"unknown record type {kind!r}")
            elif number != records[0][0]:
                raise ValueError("a second file header record")
        except ValueError as exc:
            parsed.problems.append(LineProblem(number, str(exc)))
            if batch is not None:
                batch.clean = False
    if batch is not None:
        raise MalformedFile(f"the batch starting on line {batch.line} has no batch control record")
    if not file_control:
        raise MalformedFile("the file has no file control record (9)")
    return parsed.refuse_if_unreadable()
