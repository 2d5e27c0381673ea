"""What every bank-file reader gives back: receipts (each from one line or record of the file)
and the lines it could not read."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shared.api.problems import Problem


class MalformedFile(Problem):
    status, slug, title = 422, "malformed-bank-file", "The bank file cannot be read"


@dataclass(frozen=True, slots=True)
class RemittanceItem:
    invoice_number: str | None
    amount_paid: Decimal | None = None
    discount: Decimal | None = None


@dataclass
class BankReceipt:
    line: int
    amount: Decimal
    currency: str
    received_on: date
    method: str
    bank_reference: str | None = None
    reference: str | None = None
    payer_name: str | None = None
    payer_account: str | None = None
    memo: str | None = None
    remittance: list[RemittanceItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LineProblem:
    line: int
    message: str


@dataclass
class ParsedFile:
    format: str
    receipts: list[BankReceipt] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
