"""Placing and releasing credit holds, by hand or by credit itself, each audited and published."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.holds import HoldAction, automatic_hold_reasons, next_hold_action
from services.credit.models import CreditHold
from services.credit.publishing import publish
from services.credit.queries.holds import open_hold
from services.credit.queries.position import load_position
from services.credit.settings import CreditSettings
from shared.api.problems import Conflict
from shared.audit import SYSTEM_ACTOR, record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.credit import CreditHoldPlaced, CreditHoldReleased


class AlreadyOnHold(Conflict):
    slug, title = "already-on-hold", "The customer is already on credit hold"


class NotOnHold(Conflict):
    slug, title = "not-on-hold", "The customer is not on credit hold"


def _audit(
    session: AsyncSession, hold: CreditHold, actor: Principal | None, action: str, reason: str
) -> None:
    record_change(
        session,
        actor=actor,
        action=action,
        entity_type="credit_hold",
        entity_id=str(hold.customer_id),
        changes={"hold_id": str(hold.id), "automatic": hold.automatic, "reasons": hold.reasons},
        reason=reason,
    )


def place_hold(
    session: AsyncSession, customer_id: uuid.UUID, reasons: list[str], actor: Principal | None
) -> CreditHold:
    """Put the customer on hold; `actor=None` means credit did it by itself."""
    hold = CreditHold(
        customer_id=customer_id,
        automatic=actor is None,
        reasons=reasons,
        placed_by=actor.subject if actor else SYSTEM_ACTOR,
    )
    session.add(hold)
    _audit(session, hold, actor, "credit_hold_placed", "; ".join(reasons))
    publish(
        session,
        CreditHoldPlaced(customer_id=customer_id, reasons=reasons, automatic=hold.automatic),
        customer_id=customer_id,
        aggregate_id=hold.id,
    )
    return hold


def release_hold(
    session: AsyncSession, hold: CreditHold, reason: str, actor: Principal | None, *, clock: Clock
) -> CreditHold:
    hold.released_at = clock.now()
    hold.released_by = actor.subject if actor else SYSTEM_ACTOR
    hold.release_reason = reason
    _audit(session, hold, actor, "credit_hold_released", reason)
    publish(
        session,
        CreditHoldReleased(customer_id=hold.customer_id, reason=reason, automatic=actor is None),
        customer_id=hold.customer_id,
        aggregate_id=hold.id,
    )
    return hold


async def hold_by_hand(
    session: AsyncSession, customer_id: uuid.UUID, reason: str, actor: Principal
) -> CreditHold:
    if await open_hold(session, customer_id) is not None:
        raise AlreadyOnHold("release the current hold before placing another")
    return place_hold(session, customer_id, [reason], actor)


async def release_by_hand(
    session: AsyncSession, customer_id: uuid.UUID, reason: str, actor: Principal, *, clock: Clock
) -> CreditHold:
    hold = await open_hold(session, customer_id)
    if hold is None:
        raise NotOnHold("there is no open hold to release")
    return release_hold(session, hold, reason, actor, clock=clock)


async def reevaluate_hold(
    session: AsyncSession,
    customer_id: uuid.UUID,
    policy: CreditSettings,
    *,
    clock: Clock,
) -> HoldAction:
    """Place an automatic hold if the account now breaks a rule, release credit's own hold if it
    is cured; a hold placed by hand is left to people."""
    today = clock.today()
    position = await load_position(session, customer_id, today=today, lock=True)
    if position is None:
        return HoldAction.KEEP
    reasons = automatic_hold_reasons(
        position, today=today, hold_days_past_due=policy.hold_days_past_due
    )
    action = next_hold_action(position.hold, reasons)
    if action is HoldAction.PLACE:
        place_hold(session, customer_id, reasons, None)
    elif action is HoldAction.RELEASE:
        hold = await open_hold(session, customer_id)
        assert hold is not None  # the position just saw it
        cured = "cured: within the limit and nothing past the threshold"
        release_hold(session, hold, cured, None, clock=clock)
    return action
