"""What every bank-file reader gives back: receipts (each from one line or record of the file)
and the lines it could not read."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from shared.api.problems import Problem

# A payment's memo holds at most this many characters (the payment schema's limit).
MEMO_LENGTH = 2000


class MalformedFile(Problem):
    status, slug, title = 422, "malformed-bank-file", "The bank file cannot be read"


def memo_of(*parts: str | None) -> str | None:
    """The texts a bank gives with a payment, in order, as one memo of the length allowed."""
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text[: MEMO_LENGTH - 1] + "…" if len(text) > MEMO_LENGTH else text or None


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
    # The company's own account the money reached (BAI2 03, camt Stmt/Acct, the NACHA entry's).
    bank_account: str | None = None


@dataclass(frozen=True, slots=True)
class LineProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class NotAReceipt(LineProblem):
    """Money the bank reports that is not a customer's payment (a BAI2 return or interest
    credit, a NACHA return): listed, never recorded as a receipt."""


@dataclass(frozen=True, slots=True)
class BankReturn:
    """A payment taken back: a NACHA return (addenda 99: the original entry's trace number and
    the reason) or an entry of a reversal batch (no trace: the originator, the individual's
    identification and the amount name it). Trace numbers restart in every file, so the payment
    reversed is found by the trace together with the amount, a date window and the originator."""

    line: int
    amount: Decimal
    currency: str
    returned_on: date
    reason_code: str
    reason: str
    original_trace: str | None = None
    originator: str | None = None  # the batch's company identification
    reference: str | None = None  # the entry's individual identification
    bank_account: str | None = None


@dataclass
class ParsedFile:
    format: str
    receipts: list[BankReceipt] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    returns: list[BankReturn] = field(default_factory=list)
    # The hash of the file's records without its header times: the same content resent with a
    # new creation time has the same key.
    content_key: str = ""

    def refuse_if_unreadable(self) -> "ParsedFile":
        """A file with something in it of which nothing could be read is refused as a whole,
        naming each line that could not be read."""
        if self.problems and not self.receipts and not self.returns:
            shown = "; ".join(f"line {p.line}: {p.message}" for p in self.problems[:5])
            more = f" and {len(self.problems) - 5} more" if len(self.problems) > 5 else ""
            raise MalformedFile(
                f"nothing in the file could be read: {shown}{more}",
                lines=[{"line": p.line, "message": p.message} for p in self.problems],
            )
        return self


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
