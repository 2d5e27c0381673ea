"""When credit puts a customer on hold by itself, and when it lets go."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.credit.domain.exposure import ZERO, CreditPosition, OpenHold, shown


def automatic_hold_reasons(
    position: CreditPosition, *, today: date, hold_days_past_due: int
) -> list[str]:
    """Why the customer should be on hold now: exposure over the limit, or an open invoice
    older than the threshold. An empty list means the account is cured."""
    reasons = []
    limit, total, currency = position.credit_limit, position.exposure.total, position.currency
    if limit is not None and total > limit:
        reasons.append(
            f"exposure {shown(total, currency)} {currency} is over the credit limit "
            f"of {shown(limit, currency)} by {shown(total - limit, currency)}"
        )
    days = position.days_past_due(today)
    if days > hold_days_past_due:
        reasons.append(f"an open invoice is {days} days past due (hold after {hold_days_past_due})")
    return reasons


class HoldAction(StrEnum):
    PLACE = "place"
    RELEASE = "release"
    KEEP = "keep"


def next_hold_action(current: OpenHold | None, reasons: list[str]) -> HoldAction:
    """Place an automatic hold when there is a reason and no hold; release only a hold credit
    placed itself, once cured. A hold placed by hand stays until a person releases it."""
    if current is None:
        return HoldAction.PLACE if reasons else HoldAction.KEEP
    if current.automatic and not reasons:
        return HoldAction.RELEASE
    return HoldAction.KEEP


@dataclass(frozen=True, slots=True)
class PastDueInvoice:
    id: uuid.UUID
    number: str | None
    days: int


@dataclass(frozen=True, slots=True)
class ReleaseCover:
    """What a person saw and accepted when releasing a hold: a decision that stands until the
    facts go beyond it."""

    released_by: str
    released_on: date
    over_limit: Decimal
    past_due_invoices: frozenset[uuid.UUID]


def over_limit_by(position: CreditPosition) -> Decimal:
    """How far exposure is over the limit (0 when within it or without a limit)."""
    if position.credit_limit is None:
        return ZERO
    return max(ZERO, position.exposure.total - position.credit_limit)


def cover_of(
    position: CreditPosition, past_due: Sequence[PastDueInvoice], *, by: str, on: date
) -> ReleaseCover:
    return ReleaseCover(by, on, over_limit_by(position), frozenset(i.id for i in past_due))


def facts_beyond_release(
    position: CreditPosition,
    past_due: Sequence[PastDueInvoice],
    cover: ReleaseCover,
    *,
    hold_days_past_due: int,
) -> list[str]:
    """Why the hold comes back although a person released it: exposure further over the limit
    than at the release, or an invoice past the threshold that was not then. Empty: the release
    still covers the account."""
    since = f"since {cover.released_by} released the hold on {cover.released_on.isoformat()}"
    reasons = []
    over, currency = over_limit_by(position), position.currency
    if over > cover.over_limit:
        reasons.append(
            f"exposure {shown(position.exposure.total, currency)} {currency} is over the credit "
            f"limit of {shown(position.credit_limit or ZERO, currency)} by "
            f"{shown(over, currency)}, more than the {shown(cover.over_limit, currency)} {since}"
        )
    for invoice in past_due:
        if invoice.id not in cover.past_due_invoices:
            reasons.append(
                f"invoice {invoice.number or invoice.id} is {invoice.days} days past due "
                f"(hold after {hold_days_past_due}), {since}"
            )
    return reasons
