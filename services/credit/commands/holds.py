"""Placing and releasing credit holds, by hand or by credit itself, each audited and published."""

import uuid
from datetime import date

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.exposure import CreditPosition
from services.credit.domain.holds import (
    HoldAction,
    ReleaseCover,
    automatic_hold_reasons,
    cover_of,
    facts_beyond_release,
    next_hold_action,
)
from services.credit.models import CreditHold, HoldReleaseCover
from services.credit.publishing import publish
from services.credit.queries.holds import open_hold, past_due_invoices
from services.credit.queries.position import load_position
from services.credit.settings import CreditSettings
from shared.api.problems import Conflict, Forbidden
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


async def _drop_cover(session: AsyncSession, customer_id: uuid.UUID) -> None:
    await session.exec(
        delete(HoldReleaseCover).where(col(HoldReleaseCover.customer_id) == customer_id)
    )  # type: ignore[call-overload]


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
    await _drop_cover(session, customer_id)  # the next release decides afresh
    return place_hold(session, customer_id, [reason], actor)


async def release_by_hand(
    session: AsyncSession,
    customer_id: uuid.UUID,
    reason: str,
    actor: Principal,
    policy: CreditSettings,
    *,
    clock: Clock,
) -> CreditHold:
    """Release the hold; the release covers the account as it is now (how far over the limit,
    which invoices past the threshold), so credit puts no hold back for those same facts."""
    hold = await open_hold(session, customer_id)
    if hold is None:
        raise NotOnHold("there is no open hold to release")
    if not hold.automatic and hold.placed_by == actor.subject:
        # Separation of duties: the one who judged the account must not also undo the judgement.
        raise Forbidden("a hold placed by hand is released by someone other than who placed it")
    today = clock.today()
    position = await load_position(session, customer_id, today=today)
    if position is not None:
        past_due = await past_due_invoices(
            session, customer_id, today=today, hold_days_past_due=policy.hold_days_past_due
        )
        cover = cover_of(position, past_due, by=actor.subject, on=today)
        await _drop_cover(session, customer_id)
        session.add(
            HoldReleaseCover(
                customer_id=customer_id,
                hold_id=hold.id,
                released_by=cover.released_by,
                released_on=cover.released_on,
                over_limit=cover.over_limit,
                past_due_invoices=sorted(str(i) for i in cover.past_due_invoices),
            )
        )
    return release_hold(session, hold, reason, actor, clock=clock)


async def _uncovered(
    session: AsyncSession,
    position: CreditPosition,
    reasons: list[str],
    policy: CreditSettings,
    today: date,
) -> list[str]:
    """The reasons for an automatic hold that a person's release did not already accept."""
    row = await session.get(HoldReleaseCover, position.customer_id)
    if row is None:
        return reasons
    cover = ReleaseCover(
        row.released_by,
        row.released_on,
        row.over_limit,
        frozenset(uuid.UUID(i) for i in row.past_due_invoices),
    )
    past_due = await past_due_invoices(
        session, position.customer_id, today=today, hold_days_past_due=policy.hold_days_past_due
    )
    return facts_beyond_release(
        position, past_due, cover, hold_days_past_due=policy.hold_days_past_due
    )


async def reevaluate_hold(
    session: AsyncSession,
    customer_id: uuid.UUID,
    policy: CreditSettings,
    *,
    clock: Clock,
) -> HoldAction:
    """Place an automatic hold if the account now breaks a rule that no person's release
    already covered, release credit's own hold if it is cured; a hold placed by hand is left to
    people. A cured account ends any release's cover."""
    today = clock.today()
    position = await load_position(session, customer_id, today=today, lock=True)
    if position is None:
        return HoldAction.KEEP
    reasons = automatic_hold_reasons(
        position, today=today, hold_days_past_due=policy.hold_days_past_due
    )
    if position.hold is None:
        if reasons:
            reasons = await _uncovered(session, position, reasons, policy, today)
        else:
            await _drop_cover(session, customer_id)
    action = next_hold_action(position.hold, reasons)
    if action is HoldAction.PLACE:
        await _drop_cover(session, customer_id)  # the next release decides afresh
        place_hold(session, customer_id, reasons, None)
    elif action is HoldAction.RELEASE:
        hold = await open_hold(session, customer_id)
        assert hold is not None  # the position just saw it
        cured = "cured: within the limit and nothing past the threshold"
        release_hold(session, hold, cured, None, clock=clock)
    return action
