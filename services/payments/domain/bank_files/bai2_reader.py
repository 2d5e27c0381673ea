"""BAI2 (BAI Cash Management Balance Reporting Specifications, version 2), read by our own reader
of the spec: the `bai2` library loops forever on a file cut short inside an account.

The file is a tree: 01 file header, 02 group header (as-of date), 03 account (its currency and
summary amounts), 16 transaction details, 49 account trailer, 98 group trailer, 99 file trailer;
an 88 record carries on the fields of the record before it. Everyday formatting reads: blanks
after the closing `/`, records with or without the `/`, 88 continuations of an 03's summaries or
of a 16's fields or text, S, V and D funds types (blank fields included).

Each credit detail that is a customer receipt (see `_RECEIPTS`) becomes one receipt with its
bank and customer references, its text as memo and the payer's name taken from the text
(`DBNM:`, `From:`, `ORIG CO NAME:`, `B/O:`, `ORG=`). Other credits (returns, concentration and
ZBA transfers, interest, ...) are reported by line and not recorded; debits are skipped. A
detail that cannot be read is reported by line and left out. A file whose structure is
impossible (a record out of place, a missing trailer, control totals or counts that disagree)
is refused whole at the first such line."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.payments.domain.bank_files.model import (
    BankReceipt,
    LineProblem,
    MalformedFile,
    NotAReceipt,
    ParsedFile,
)
from shared.money import minor_unit

# Credit detail type codes that are money a customer sent, by how it came (the spec's table).
# 108 (credit, any type) and 399 (miscellaneous credit) do not say how; they count as checks.
_RECEIPTS = {
    **dict.fromkeys(("115", "116"), "lockbox"),
    **dict.fromkeys(
        ("121", "122", "142", "143", "155", "156", "162", "163", "164", "165", "169"), "ach"
    ),
    **dict.fromkeys(("191", "195", "206", "208", "216"), "wire"),
    "147": "card",
    "366": "cash",
    **dict.fromkeys(
        ("108", "173", "174", "175", "176", "184", "187", "301", "393", "399"), "check"
    ),
}
# Named in the report of a credit that is not recorded; any other is "bank credit type N".
_NOT_RECEIPTS = {
    "135": "DTC concentration credit",
    "145": "ACH concentration credit",
    "166": "ACH settlement",
    "168": "ACH return item or adjustment settlement",
    "201": "automatic transfer credit",
    "252": "debit reversal",
    "254": "posting error correction credit",
    "255": "check posted and returned",
    "257": "individual ACH return item",
    "258": "ACH reversal credit",
    "261": "individual rejected credit",
    "266": "return item",
    "268": "return item adjustment",
    "275": "ZBA credit",
    "277": "ZBA credit transfer",
    "346": "sweep interest income",
    "354": "interest credit",
    "357": "credit adjustment",
    "359": "interest adjustment credit",
}
_RECORD_CODES = {"01", "02", "03", "16", "49", "88", "98", "99"}
# What may follow each record (88 continues any record and is handled apart).
_NEXT = {
    None: {"01"},
    "01": {"02", "99"},
    "02": {"03", "98"},
    "03": {"16", "49"},
    "16": {"16", "49"},
    "49": {"03", "98"},
    "98": {"02", "99"},
    "99": set(),
}
_NAMES = {
    "01": "file header",
    "02": "group header",
    "03": "account identifier",
    "16": "transaction detail",
    "49": "account trailer",
    "98": "group trailer",
    "99": "file trailer",
}
_FUNDS_TYPES = {"", "0", "1", "2", "S", "V", "D", "Z"}
_LABELS = (
    r"DBNM|DBTR|FROM|B/O|ORG|ORIG CO NAME|ORIG ID|ORIG BK|IND NAME|IND ID|CO ENTRY DESCR"
    r"|ENTRY DESCR|DESC DATE|SEC|TRN|OBI|REF|RFB|BNF|BBI|SND BNK|RCV BNK|TRACE|EED"
)
_PAYER = re.compile(
    rf"(?:^|(?<=[\s,/]))(?:DBNM|FROM|B/O|ORG|ORIG CO NAME)\s*[:=]\s*(?P<name>.+?)\s*"
    rf"(?=[\s,/]+(?:(?:{_LABELS})\s*[:=]|(?:OBI|REF|RFB|BBI|TRN)\b)|;|$)",
    re.IGNORECASE,
)


class _Broken(Exception):
    """A field that cannot be read; the caller says whether that refuses a detail or the file."""


@dataclass
class _Record:
    line: int
    code: str
    bodies: list[str]

    def fields(self) -> list[str]:
        return [f.strip() for body in self.bodies for f in body.split(",")]


@dataclass
class _Totals:
    """What a trailer's control total and record count are checked against."""

    amount: int = 0
    records: int = 0
    children: int = 0
    known: bool = True  # False once an amount in it could not be read
    opened_on: int = 0


@dataclass
class _Detail:
    type_code: str
    amount: int
    bank_reference: str | None
    customer_reference: str | None
    text: str
    extra: list[str] = field(default_factory=list)


def _records(text: str) -> list[_Record]:
    records: list[_Record] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, comma, body = line.partition(",")
        if not comma and line.endswith("/"):
            code, body = line[:-1], ""
        if code not in _RECORD_CODES:
            raise MalformedFile(f"line {number}: {code[:10]!r} is not a BAI2 record code")
        # The closing slash is optional in practice; the 16's text is never delimited by one.
        body = body.removesuffix("/")
        if code == "88":
            if not records:
                raise MalformedFile(f"line {number}: a continuation (88) before any record")
            records[-1].bodies.append(body)
            continue
        records.append(_Record(number, code, [body]))
    return records


def _int(value: str, what: str, *, signed: bool = False) -> int:
    digits = value[1:] if signed and value[:1] in "+-" else value
    if not digits.isascii() or not digits.isdigit():
        raise _Broken(f"{what} {value!r} is not a whole number")
    return -int(digits) if value.startswith("-") else int(digits)


def _date(value: str, what: str) -> date:
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise _Broken(f"{what} {value!r} is not a YYMMDD date")
    try:
        return date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
    except ValueError as exc:
        raise _Broken(f"{what} {value!r} is not a date") from exc


def _funds_fields(fields: list[str], at: int) -> int | None:
    """How many fields the funds type at `at` takes, itself included; None while not known."""
    if len(fields) <= at:
        return None
    funds = fields[at].upper()
    if funds not in _FUNDS_TYPES:
        raise _Broken(f"funds type {fields[at]!r} is not one of 0, 1, 2, S, V, D, Z")
    if funds == "S":
        return 4  # immediate, one-day and two-or-more-day amounts
    if funds == "V":
        return 3  # value date and time
    if funds == "D":
        if len(fields) <= at + 1:
            return None
        count = fields[at + 1]
        return 2 + 2 * (_int(count, "distribution count") if count else 0)
    return 1


def _detail_fixed_fields(fields: list[str]) -> int | None:
    """Type code, amount, funds type (and its own fields), bank and customer reference."""
    funds = _funds_fields(fields, 2)
    return None if funds is None else 2 + funds + 2


def _detail(record: _Record) -> _Detail:
    fields = [f.strip() for f in record.bodies[0].split(",")]
    pieces: list[str] = []
    for body in record.bodies[1:]:
        fixed = _detail_fixed_fields(fields)
        if fixed is not None and len(fields) > fixed:
            pieces.append(body)  # the text has begun: the 88 carries it on
        else:
            fields.extend(f.strip() for f in body.split(","))
    fixed = _detail_fixed_fields(fields)
    if fixed is None:
        raise _Broken("the detail has no funds type")
    fields += [""] * (fixed - len(fields))
    type_code, amount = fields[0], fields[1]
    if len(type_code) != 3 or not type_code.isdigit():
        raise _Broken(f"type code {type_code!r} is not three digits")
    if not amount:
        raise _Broken("the detail has no amount")
    text = " ".join(p.strip() for p in [",".join(fields[fixed:]), *pieces] if p.strip())
    return _Detail(
        type_code=type_code,
        amount=_int(amount, "amount"),
        bank_reference=fields[fixed - 2] or None,
        customer_reference=fields[fixed - 1] or None,
        text=text,
        extra=fields[3 : fixed - 2],
    )


def _summary_amounts(fields: list[str]) -> list[int]:
    """The amounts of an 03 record's type code / amount / item count / funds type groups."""
    amounts = []
    at = 0
    while at < len(fields):
        if not any(fields[at:]):
            break  # trailing defaulted fields
        type_code = fields[at]
        if len(type_code) != 3 or not type_code.isdigit():
            raise _Broken(f"summary type code {type_code!r} is not three digits")
        if at + 1 < len(fields) and fields[at + 1]:
            amounts.append(_int(fields[at + 1], f"the {type_code} amount", signed=True))
        funds = _funds_fields(fields, at + 3)
        at += 3 + (funds or 1)
    return amounts


def _payer_name(text: str) -> str | None:
    found = _PAYER.search(text)
    return found.group("name").strip(" /,")[:200] or None if found else None


def _check(trailer: _Record, totals: _Totals, what: str) -> int:
    """Check a 49/98/99 trailer against what it closes; its control total is returned."""
    fields = trailer.fields()
    fields += [""] * (3 - len(fields))
    try:
        total = _int(fields[0], "control total", signed=True) if fields[0] else None
        if what != "account":
            children = _int(fields[1], "count", signed=False) if fields[1] else None
            if children is not None and children != totals.children:
                raise _Broken(
                    f"it counts {children} {'accounts' if what == 'group' else 'groups'}, "
                    f"the {what} has {totals.children}"
                )
        count_field = fields[1] if what == "account" else fields[2]
        records = _int(count_field, "record count") if count_field else None
    except _Broken as exc:
        raise MalformedFile(f"line {trailer.line}: {_NAMES[trailer.code]}: {exc}") from exc
    if records is not None and records != totals.records:
        raise MalformedFile(
            f"line {trailer.line}: {_NAMES[trailer.code]} counts {records} records, the {what} "
            f"opened on line {totals.opened_on} has {totals.records}"
        )
    if total is not None and totals.known and total != totals.amount:
        raise MalformedFile(
            f"line {trailer.line}: {_NAMES[trailer.code]} control total {total} disagrees with "
            f"the {what} opened on line {totals.opened_on}, whose amounts add up to "
            f"{totals.amount}"
        )
    return total if total is not None else totals.amount


def _currency(value: str, fallback: str, line: int) -> str:
    currency = value.upper() or fallback
    try:
        minor_unit(currency)
    except ValueError as exc:
        raise MalformedFile(f"line {line}: {exc}") from exc
    return currency


class _Reader:
    def __init__(self, bank_currency: str) -> None:
        self.parsed = ParsedFile("bai2")
        self.bank_currency = bank_currency
        self.file = _Totals()
        self.group = _Totals()
        self.account = _Totals()
        self.as_of = date.min
        self.group_currency = bank_currency
        self.currency = bank_currency
        self.bank_account: str | None = None

    def read(self, text: str) -> ParsedFile:
        previous: str | None = None
        for record in _records(text):
            if record.code not in _NEXT[previous]:
                raise MalformedFile(self._out_of_place(record, previous))
            self._count(record)
            getattr(self, f"_on_{record.code}")(record)
            previous = record.code
        if previous != "99":
            raise MalformedFile(self._cut_short(previous))
        return self.parsed

    def _count(self, record: _Record) -> None:
        size = len(record.bodies)
        self.file.records += size
        self.group.records += size
        self.account.records += size

    def _out_of_place(self, record: _Record, previous: str | None) -> str:
        found = f"line {record.line}: a {record.code} {_NAMES[record.code]}"
        if previous is None:
            return f"{found} where a BAI2 file starts with its 01 file header"
        if previous == "99":
            return f"{found} after the 99 file trailer"
        expected = " or ".join(sorted(_NEXT[previous]))
        return f"{found} cannot follow a {previous} {_NAMES[previous]} (expected {expected})"

    def _cut_short(self, previous: str | None) -> str:
        if previous is None:
            return "the file has no BAI2 records"
        if previous in {"03", "16"}:
            return (
                f"the file ends inside the account opened on line {self.account.opened_on}: "
                "no 49 account trailer"
            )
        if previous in {"02", "49"}:
            return (
                f"the file ends inside the group opened on line {self.group.opened_on}: "
                "no 98 group trailer"
            )
        return "the file ends without its 99 file trailer"

    def _on_01(self, record: _Record) -> None:
        self.file = _Totals(records=len(record.bodies), opened_on=record.line)

    def _on_02(self, record: _Record) -> None:
        fields = record.fields() + [""] * 6
        try:
            self.as_of = _date(fields[3], "as-of date")
        except _Broken as exc:
            raise MalformedFile(f"line {record.line}: group header: {exc}") from exc
        self.group_currency = _currency(fields[5], self.bank_currency, record.line)
        self.group = _Totals(records=len(record.bodies), opened_on=record.line)
        self.file.children += 1

    def _on_03(self, record: _Record) -> None:
        fields = record.fields() + [""] * 2
        self.currency = _currency(fields[1], self.group_currency, record.line)
        self.bank_account = fields[0] or None
        self.account = _Totals(records=len(record.bodies), opened_on=record.line)
        self.group.children += 1
        try:
            self.account.amount = sum(_summary_amounts(fields[2:]))
        except _Broken as exc:
            raise MalformedFile(f"line {record.line}: account identifier: {exc}") from exc

    def _on_16(self, record: _Record) -> None:
        try:
            detail = _detail(record)
        except _Broken as exc:
            self.account.known = False
            self.parsed.problems.append(
                LineProblem(record.line, f"transaction detail not readable: {exc}")
            )
            return
        self.account.amount += detail.amount
        type_code = int(detail.type_code)
        if not 100 <= type_code <= 399 and not 900 <= type_code <= 919:
            return  # a debit, loan or information record: not money received
        method = _RECEIPTS.get(detail.type_code)
        if method is None:
            kind = _NOT_RECEIPTS.get(detail.type_code, "bank credit")
            self.parsed.problems.append(
                NotAReceipt(
                    record.line,
                    f"type {detail.type_code} ({kind}) is not a customer receipt; not recorded",
                )
            )
            return
        self.parsed.receipts.append(
            BankReceipt(
                line=record.line,
                amount=Decimal(detail.amount) * minor_unit(self.currency),
                currency=self.currency,
                received_on=self.as_of,
                method=method,
                bank_reference=detail.bank_reference,
                reference=detail.customer_reference,
                payer_name=_payer_name(detail.text),
                memo=detail.text or None,
                bank_account=self.bank_account,
            )
        )

    def _on_49(self, record: _Record) -> None:
        total = _check(record, self.account, "account")
        self.group.amount += total
        self.group.known = self.group.known and self.account.known

    def _on_98(self, record: _Record) -> None:
        total = _check(record, self.group, "group")
        self.file.amount += total
        self.file.known = self.file.known and self.group.known

    def _on_99(self, record: _Record) -> None:
        _check(record, self.file, "file")


def read_bai2(text: str, bank_currency: str = "USD") -> ParsedFile:
    """`bank_currency` is the currency of groups and accounts that do not state one."""
    return _Reader(bank_currency).read(text)
