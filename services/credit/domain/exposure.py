"""Exposure and the authorization answer: what a customer owes or is about to owe us, and
whether one more order fits inside its credit."""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from shared.money import is_whole_minor_units, round_money

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Exposure:
    """Exposure (docs/domain.md#exposure) = open AR + unbilled closed tickets + authorized
    orders not yet billed + rent and storage accrued but not billed + billable third-party
    costs posted but not billed."""

    open_ar: Decimal = ZERO
    unbilled_tickets: Decimal = ZERO
    authorized_orders: Decimal = ZERO
    rentals_accrued: Decimal = ZERO
    pass_through_unbilled: Decimal = ZERO
    # Of open AR, what the customer disputes: still owed until resolved, so not taken off.
    disputed: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return (
            self.open_ar
            + self.unbilled_tickets
            + self.authorized_orders
            + self.rentals_accrued
            + self.pass_through_unbilled
        )


@dataclass(frozen=True, slots=True)
class OpenHold:
    automatic: bool
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class CreditPosition:
    """Everything an authorization or a hold decision looks at, as of one moment."""

    customer_id: uuid.UUID
    currency: str
    credit_limit: Decimal | None
    exposure: Exposure
    oldest_due_date: date | None = None
    hold: OpenHold | None = None

    def days_past_due(self, today: date) -> int:
        """Days past due of the oldest open invoice (0 when nothing is past due)."""
        if self.oldest_due_date is None:
            return 0
        return max(0, (today - self.oldest_due_date).days)

    @property
    def available(self) -> Decimal | None:
        if self.credit_limit is None:
            return None
        return self.credit_limit - self.exposure.total


def shown(amount: Decimal, currency: str) -> str:
    """An amount as people read it: in the currency's minor unit when that loses nothing
    (PostgreSQL hands back 6000.0000), otherwise as it is."""
    return str(round_money(amount, currency) if is_whole_minor_units(amount, currency) else amount)


class DeclineCode(StrEnum):
    NO_ACTIVE_CREDIT = "no_active_credit"
    ON_HOLD = "on_hold"
    PAST_DUE = "past_due"
    OVER_LIMIT = "over_limit"


@dataclass(frozen=True, slots=True)
class DeclineReason:
    code: DeclineCode
    message: str
    amount: Decimal | None = None
    days: int | None = None


def authorize(
    position: CreditPosition, amount: Decimal, *, today: date, max_days_past_due: int
) -> list[DeclineReason]:
    """Why an order of `amount` may not go ahead; an empty list means approved. Every reason
    is listed, so the sales system sees all that stands in the way at once."""
    if position.credit_limit is None:
        return [DeclineReason(DeclineCode.NO_ACTIVE_CREDIT, "the customer has no approved credit")]
    reasons: list[DeclineReason] = []
    if position.hold is not None:
        why = "; ".join(position.hold.reasons) or "held"
        reasons.append(DeclineReason(DeclineCode.ON_HOLD, f"the customer is on credit hold: {why}"))
    days = position.days_past_due(today)
    if days > max_days_past_due:
        reasons.append(
            DeclineReason(
                DeclineCode.PAST_DUE,
                f"an open invoice is {days} days past due (more than {max_days_past_due})",
                days=days,
            )
        )
    over = position.exposure.total + amount - position.credit_limit
    if over > 0:
        reasons.append(
            DeclineReason(
                DeclineCode.OVER_LIMIT,
                f"the order would put exposure {over} {position.currency} over the limit of "
                f"{position.credit_limit}",
                amount=over,
            )
        )
    return reasons
