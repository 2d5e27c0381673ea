"""What every bank-file reader gives back: receipts (each from one line or record of the file)
and the lines it could not read."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

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


class LockboxLayout(BaseModel):
    """Which CSV column holds what in the bank's lockbox file. Rows with the same batch and check
    number are one check; each row is one remittance line of it."""

    delimiter: str = Field(default=",", min_length=1, max_length=1)
    date_format: str = "%Y-%m-%d"
    batch: str = "batch"
    check_number: str = "check_number"
    check_amount: str = "check_amount"
    deposit_date: str = "deposit_date"
    payer_name: str = "payer_name"
    payer_account: str = "payer_account"
    invoice_number: str = "invoice_number"
    amount_paid: str = "amount_paid"
    currency: str | None = "currency"
