"""What an advice reader gives back: the lines it read (invoice, amount paid, deduction and its
reason), what it could not read and why, and the payment facts the advice states."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.payments.domain.bank_files.model import LineProblem
from shared.api.problems import Problem


class MalformedRemittance(Problem):
    status, slug, title = 422, "malformed-remittance", "The remittance advice cannot be read"


CENT = Decimal("0.01")
# "1,250.00", "$1,250.00", "(12.00)", "-12.00", "12.00-": how amounts are printed on advices.
_PRINTED = re.compile(
    r"^(?P<open>\()?(?P<sign>-)?\$?(?P<number>\d{1,3}(?:,\d{3})+|\d+)"
    r"(?P<cents>\.\d{1,2})?(?P<trail>-)?(?(open)\))$"
)


def parse_amount(text: str) -> Decimal:
    """A printed amount as a Decimal; a ValueError naming it when it is not one."""
    match = _PRINTED.match(text.strip().replace(" ", ""))
    if match is None:
        raise ValueError(f"amount {text.strip()!r} is not a number")
    amount = Decimal(match["number"].replace(",", "") + (match["cents"] or "")).quantize(CENT)
    negative = bool(match["open"] or match["sign"] or match["trail"])
    return -amount if negative else amount


@dataclass(frozen=True, slots=True)
class AdviceLine:
    """One line of an advice: the invoice it names (None for a deduction of the whole payment),
    what was paid on it, and what was deducted and why."""

    invoice_number: str | None
    amount_paid: Decimal | None = None
    deduction: Decimal | None = None
    deduction_reason: str | None = None
    discount: Decimal | None = None  # an early-payment discount taken (an 820's RMR06)
    source: str = ""  # where it was read: "body", an attachment's name, "RMR line 12"


@dataclass(frozen=True, slots=True)
class PartOutcome:
    """What became of one part of an advice (the body, an attachment): read, with how many lines,
    or not readable and why."""

    part: str
    kind: str
    readable: bool
    lines: int
    message: str


@dataclass
class ReadAdvice:
    """One advice: a whole email, or one 820 transaction set."""

    lines: list[AdviceLine] = field(default_factory=list)
    parts: list[PartOutcome] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    payer_name: str | None = None
    sender: str | None = None
    subject: str | None = None
    stated_total: Decimal | None = None
    paid_on: date | None = None
    currency: str | None = None
    reference: str | None = None  # the 820's TRN02: the payment's trace or check number
    payment_method: str | None = None
    line: int = 1  # where it starts in its file (an 820's ST segment)

    @property
    def total(self) -> Decimal | None:
        """What the advice says was paid: its stated total, else the sum of its lines."""
        if self.stated_total is not None:
            return self.stated_total
        paid = [line.amount_paid for line in self.lines if line.amount_paid is not None]
        return sum(paid, Decimal(0)) if paid and len(paid) == len(self.lines) else None


@dataclass
class ReadAdvices:
    """What one file gave: its advices (an email is one, an 820 one per transaction set), what
    became of each part of it, and the problems of its lines or segments."""

    advices: list[ReadAdvice] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    parts: list[PartOutcome] = field(default_factory=list)
