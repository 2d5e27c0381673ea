"""Setting a customer's limit and terms: always with a reason and an approver who has the
authority for the amount, audited and published as `CreditLimitChanged`. A limit above the
second-approval threshold is requested by one person and set when another approves it."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.commands.holds import reevaluate_hold
from services.credit.domain.applications import OwnRequest, check_approval_authority
from services.credit.models import CreditLine, CreditLineRequest
from services.credit.publishing import publish
from services.credit.settings import CreditSettings
from shared.api.money import require_minor_units
from shared.api.problems import Conflict
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.credit import CreditLimitChanged
from shared.events.customers import PaymentTerms


class NoLineRequest(Conflict):
    slug, title = "no-credit-line-request", "No limit is waiting for approval"


def needs_second_approval(limit: Decimal, settings: CreditSettings) -> bool:
    return limit > settings.second_approval_above


async def request_credit_line(
    session: AsyncSession,
    *,
    customer_id: uuid.UUID,
    currency: str,
    limit: Decimal,
    terms: PaymentTerms,
    reason: str,
    review_on: date | None,
    requester: Principal,
    settings: CreditSettings,
    clock: Clock,
) -> CreditLineRequest:
    """Record the limit for a second person to approve; a new request replaces a waiting one.
    The requester needs the authority for the amount as the approver does."""
    require_minor_units(currency, limit)
    check_approval_authority(requester, limit, settings.manager_approval_limit)
    values = {
        "credit_limit": limit,
        "terms": terms.model_dump(mode="json"),
        "review_on": review_on,
        "reason": reason,
        "requested_by": requester.subject,
        "requested_at": clock.now(),
    }
    request = await session.get(CreditLineRequest, customer_id, with_for_update=True)
    if request is None:
        request = CreditLineRequest(customer_id=customer_id, **values)
        session.add(request)
    else:
        for field, value in values.items():
            setattr(request, field, value)
    record_change(
        session,
        actor=requester,
        action="credit_limit_requested",
        entity_type="credit_line",
        entity_id=str(customer_id),
        changes={"credit_limit": {"to": str(limit)}, "terms": values["terms"]},
        reason=reason,
    )
    return request


async def approve_credit_line(
    session: AsyncSession,
    customer_id: uuid.UUID,
    *,
    currency: str,
    approver: Principal,
    settings: CreditSettings,
    clock: Clock,
) -> CreditLine:
    """Set the waiting limit; the approver is not its requester and has the authority for it."""
    request = await session.get(CreditLineRequest, customer_id, with_for_update=True)
    if request is None:
        raise NoLineRequest(f"no limit for customer {customer_id} is waiting for approval")
    if approver.subject == request.requested_by:
        raise OwnRequest("you requested this limit; another person must approve it")
    line = await set_credit_line(
        session,
        customer_id=customer_id,
        currency=currency,
        limit=request.credit_limit,
        terms=PaymentTerms.model_validate(request.terms),
        reason=request.reason,
        review_on=request.review_on,
        approver=approver,
        settings=settings,
        clock=clock,
    )
    await session.delete(request)
    return line


async def set_credit_line(
    session: AsyncSession,
    *,
    customer_id: uuid.UUID,
    currency: str,
    limit: Decimal,
    terms: PaymentTerms,
    reason: str,
    review_on: date | None,
    approver: Principal,
    settings: CreditSettings,
    clock: Clock,
) -> CreditLine:
    """Give the customer this limit and these terms; a lower limit may put it on hold at once."""
    require_minor_units(currency, limit)
    check_approval_authority(approver, limit, settings.manager_approval_limit)
    today = clock.today()
    review_on = review_on or today + timedelta(days=settings.default_review_days)
    line = await session.get(CreditLine, customer_id)
    previous = None if line is None else line.credit_limit
    values = {
        "currency": currency,
        "credit_limit": limit,
        "terms": terms.model_dump(mode="json"),
        "review_on": review_on,
        "approved_by": approver.subject,
        "reason": reason,
        "changed_at": clock.now(),
    }
    if line is None:
        line = CreditLine(customer_id=customer_id, **values)
        session.add(line)
    else:
        for field, value in values.items():
            setattr(line, field, value)
    record_change(
        session,
        actor=approver,
        action="credit_limit_changed",
        entity_type="credit_line",
        entity_id=str(customer_id),
        changes={
            "credit_limit": {"from": None if previous is None else str(previous), "to": str(limit)},
            "terms": values["terms"],
            "review_on": review_on.isoformat(),
        },
        reason=reason,
    )
    publish(
        session,
        CreditLimitChanged(
            customer_id=customer_id,
            currency=currency,
            previous_limit=previous,
            new_limit=limit,
            reason=reason,
            approved_by=approver.subject,
            review_on=review_on,
            terms=terms,
        ),
        customer_id=customer_id,
        aggregate_id=customer_id,
    )
    await session.flush()
    await reevaluate_hold(session, customer_id, settings, clock=clock)
    return line
