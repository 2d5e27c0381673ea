"""When credit puts a customer on hold by itself, and when it lets go."""

from datetime import date
from enum import StrEnum

from services.credit.domain.exposure import CreditPosition, OpenHold, shown


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
