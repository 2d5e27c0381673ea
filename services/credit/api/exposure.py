"""Exposure, and the authorization answer the sales system asks for before taking an order."""

import uuid
from datetime import date, timedelta

from fastapi import status
from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.api.dependencies import Settings
from services.credit.domain.exposure import CreditPosition, authorize
from services.credit.models import OrderAuthorization
from services.credit.queries.accounts import check_in_scope
from services.credit.queries.position import load_position
from services.credit.schemas import (
    AuthorizationIn,
    AuthorizationOut,
    DeclineReasonOut,
    ExposureOut,
)
from shared.api.access import ScopedAnyRole, ScopedCreditDeciderAndSystems
from shared.api.money import require_minor_units
from shared.api.problems import NotFound
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.db import Prepared, new_id

router = service_router("/v1/exposure", "exposure")
authorizations = service_router("/v1/authorizations", "authorizations")

# On the table, not the entity: an INSERT on an ORM entity goes through the ORM's bulk path.
_RECORD = Prepared(insert(OrderAuthorization.metadata.tables[OrderAuthorization.__tablename__]))


@router.get("/{customer_id}", summary="A customer's exposure")
async def read_exposure(
    clock: ClockDep,
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: ScopedAnyRole,
    settings: Settings,
) -> ExposureOut:
    """Open AR + closed tickets not yet invoiced + approved orders not yet billed + rent and
    storage accrued and third-party costs posted but not billed, kept live from invoicing and
    payments events, against the limit; with days past due and any hold."""
    await check_in_scope(session, customer_id, actor.scope)
    today = clock.today()
    position = await _position(session, customer_id, today)
    exposure = position.exposure
    return ExposureOut(
        customer_id=customer_id,
        currency=position.currency,
        open_ar=exposure.open_ar,
        disputed=exposure.disputed,
        unbilled_tickets=exposure.unbilled_tickets,
        authorized_orders=exposure.authorized_orders,
        rentals_accrued=exposure.rentals_accrued,
        pass_through_unbilled=exposure.pass_through_unbilled,
        total=exposure.total,
        credit_limit=position.credit_limit,
        available=position.available,
        days_past_due=position.days_past_due(today),
        on_hold=position.hold is not None,
        hold_reasons=position.hold.reasons if position.hold else [],
        as_of=today,
    )


async def _position(
    session: AsyncSession, customer_id: uuid.UUID, today: date, *, lock: bool = False
) -> CreditPosition:
    position = await load_position(session, customer_id, today=today, lock=lock)
    if position is None:
        raise NotFound(f"no credit account for customer {customer_id}")
    return position


@authorizations.post("", status_code=status.HTTP_201_CREATED, summary="Authorize an order")
async def authorize_order(
    clock: ClockDep,
    data: AuthorizationIn,
    session: SessionDep,
    actor: ScopedCreditDeciderAndSystems,
    settings: Settings,
) -> AuthorizationOut:
    """May the customer order this much? Answered from credit's own data, never by calling
    another service: approved, or declined with every reason (no active credit, on hold, past due
    beyond the hold threshold, over the limit and by how much). An approved order counts in
    exposure until its ticket closes (`order_ref` = ticket number) or it expires. Both answers
    are 201: the question and its answer are recorded."""
    await check_in_scope(session, data.customer_id, actor.scope)
    today = clock.today()
    position = await _position(session, data.customer_id, today, lock=True)
    require_minor_units(position.currency, data.amount)
    reasons = [
        DeclineReasonOut.model_validate(reason, from_attributes=True)
        for reason in authorize(
            position, data.amount, today=today, max_days_past_due=settings.hold_days_past_due
        )
    ]
    record = {
        "id": new_id(),
        "customer_id": data.customer_id,
        "amount": data.amount,
        "order_ref": data.order_ref,
        "approved": not reasons,
        "reasons": [r.model_dump(mode="json") for r in reasons],
        "requested_by": actor.subject,
        "requested_at": clock.now(),
        "expires_on": today + timedelta(days=settings.authorization_valid_days),
        "billed": False,
    }
    # A prepared INSERT, not the ORM's unit of work: this is the service's busiest write.
    await _RECORD.run(session, record)
    return AuthorizationOut(
        id=record["id"],
        customer_id=data.customer_id,
        amount=data.amount,
        order_ref=data.order_ref,
        approved=not reasons,
        reasons=reasons,
        exposure=position.exposure.total,
        credit_limit=position.credit_limit,
        expires_on=record["expires_on"],
    )
