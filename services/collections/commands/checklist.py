"""Signing the items of a month's close checklist: who says each is done, and when. An item the
data decide can be signed only once the data say it is done."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import ClosedPeriod, CloseSignoff
from services.collections.queries.close import CHECKS, Facts
from services.collections.queries.kpis import Month
from shared.api.problems import BusinessRuleViolation, Conflict, NotFound
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock


async def sign_item(
    session: AsyncSession,
    month: Month,
    key: str,
    note: str | None,
    actor: Principal,
    *,
    stale_days: int,
    clock: Clock,
) -> CloseSignoff:
    check = CHECKS.get(key)
    if check is None:
        raise NotFound(f"the close checklist has no item {key}: items are {', '.join(CHECKS)}")
    if await session.get(ClosedPeriod, str(month)) is not None:
        raise Conflict(f"{month} is closed: its checklist stands as it was signed")
    if check.fact is not None:
        fact = await check.fact(Facts(session, month, stale_days))
        if fact.done is False:
            raise BusinessRuleViolation(f"{check.title}: not done yet ({fact.detail})")
    signoff = await session.get(CloseSignoff, (str(month), key)) or CloseSignoff(
        period=str(month), item=key, signed_by=actor.subject, signed_at=clock.now()
    )
    signoff.signed_by, signoff.signed_at, signoff.note = actor.subject, clock.now(), note
    session.add(signoff)
    record_change(
        session,
        actor=actor,
        action="period.checklist_signed",
        entity_type="period",
        entity_id=str(month),
        changes={"item": key},
        reason=note,
    )
    return signoff
