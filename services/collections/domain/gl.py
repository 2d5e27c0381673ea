"""The GL side of the ledger in plain Python: what a GL batch says, the trial balance, the AR
rollforward (docs/domain.md#gl-export, #trial-balance, #ar-rollforward)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from services.collections.domain.ledger import EntryKind

ZERO = Decimal(0)


class BatchKind(StrEnum):
    DAY = "day"
    PERIOD = "period"


@dataclass(frozen=True)
class Posting:
    """One journal posting as a GL batch reads it."""

    currency: str
    account: str
    business_district: str | None
    debit: Decimal
    credit: Decimal


@dataclass
class BatchLine:
    """A batch summarised by account, district (the GL's department) and currency."""

    currency: str
    account: str
    department: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    postings: int = 0

    @property
    def net(self) -> Decimal:
        """Debit less credit: what one journal line of an ERP import carries."""
        return self.debit - self.credit


def summarise(postings: Iterable[Posting]) -> list[BatchLine]:
    """One line per (currency, account, district), in that order."""
    lines: dict[tuple[str, str, str], BatchLine] = {}
    for p in postings:
        key = (p.currency, p.account, p.business_district or "")
        line = lines.get(key)
        if line is None:
            line = lines[key] = BatchLine(*key)
        line.debit += p.debit
        line.credit += p.credit
        line.postings += 1
    return [lines[key] for key in sorted(lines)]


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    debit: Decimal
    credit: Decimal

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit


class _Sided(Protocol):
    @property
    def currency(self) -> str: ...
    @property
    def debit(self) -> Decimal: ...
    @property
    def credit(self) -> Decimal: ...


def totals(lines: Iterable[_Sided]) -> list[CurrencyTotals]:
    """Debits and credits per currency (of a batch's lines or a trial balance's rows): equal,
    since every entry they add up is balanced."""
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        sums[line.currency][0] += line.debit
        sums[line.currency][1] += line.credit
    return [CurrencyTotals(c, d, k) for c, (d, k) in sorted(sums.items())]


@dataclass(frozen=True)
class TrialBalanceRow:
    currency: str
    account: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def trial_balance(
    debits: Mapping[tuple[str, str], Decimal], credits: Mapping[tuple[str, str], Decimal]
) -> list[TrialBalanceRow]:
    """Per (currency, account) the debits and credits posted, in currency then account order."""
    keys = sorted({*debits, *credits})
    return [
        TrialBalanceRow(c, a, debits.get((c, a), ZERO), credits.get((c, a), ZERO)) for c, a in keys
    ]


class RollforwardLine(StrEnum):
    INVOICES = "invoices"
    SUPPLEMENTARY_INVOICES = "supplementary_invoices"
    CREDIT_MEMOS = "credit_memos"
    CASH_APPLIED = "cash_applied"
    WRITE_OFFS = "write_offs"
    OTHER = "other_adjustments"


# Where each AR control entry lands; what is not here (voids, discounts, legacy settlements and
# any kind added later) is an other adjustment, named by its kind, so the identity always holds.
_LINE_OF: dict[EntryKind, RollforwardLine] = {
    EntryKind.INVOICED: RollforwardLine.INVOICES,
    EntryKind.CREDIT_MEMO: RollforwardLine.CREDIT_MEMOS,
    EntryKind.CREDIT_APPLIED: RollforwardLine.CREDIT_MEMOS,
    EntryKind.CREDITED: RollforwardLine.CREDIT_MEMOS,
    EntryKind.PAID: RollforwardLine.CASH_APPLIED,
    EntryKind.PAYMENT_UNDONE: RollforwardLine.CASH_APPLIED,
    EntryKind.WRITTEN_OFF: RollforwardLine.WRITE_OFFS,
}
# Shown as amounts taken off AR: the rollforward subtracts them.
_SUBTRACTED = {
    RollforwardLine.CREDIT_MEMOS,
    RollforwardLine.CASH_APPLIED,
    RollforwardLine.WRITE_OFFS,
}


@dataclass
class Rollforward:
    """Opening AR + invoices + supplementary invoices − credit memos − cash applied −
    write-offs ± other adjustments = closing AR, for one currency and month."""

    currency: str
    first: date
    last: date
    opening: Decimal = ZERO
    movements: dict[RollforwardLine, Decimal] = field(
        default_factory=lambda: dict.fromkeys(RollforwardLine, ZERO)
    )
    # The other adjustments by entry kind (voids, discounts, settled before import ...).
    other: dict[str, Decimal] = field(default_factory=dict)

    def shown(self, line: RollforwardLine) -> Decimal:
        """The line as the pack prints it: subtracted lines as positive amounts."""
        amount = self.movements[line]
        return -amount if line in _SUBTRACTED else amount

    @property
    def closing(self) -> Decimal:
        return self.opening + sum(self.movements.values(), ZERO)


def rollforward(
    currency: str,
    first: date,
    last: date,
    opening: Decimal,
    movements: Mapping[tuple[str, bool], Decimal],
) -> Rollforward:
    """From the AR control entries summed by (kind, names another document): the opening
    balance is everything dated before `first`, the movements what is dated `first`..`last`.
    An invoice entry that names another document is a rebill: a supplementary invoice."""
    result = Rollforward(currency, first, last, opening)
    for (kind, referenced), amount in sorted(movements.items()):
        line = _LINE_OF.get(EntryKind(kind), RollforwardLine.OTHER)
        if line is RollforwardLine.INVOICES and referenced:
            line = RollforwardLine.SUPPLEMENTARY_INVOICES
        result.movements[line] += amount
        if line is RollforwardLine.OTHER:
            result.other[kind] = result.other.get(kind, ZERO) + amount
    return result
