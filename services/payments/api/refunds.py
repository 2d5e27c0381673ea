"""Refunds of unapplied credit, approved by an AR supervisor."""

import uuid

from fastapi import Response, status

from services.payments.api.dependencies import Rules
from services.payments.commands import refunds
from services.payments.commands.receipts import get_payment
from services.payments.queries import get_payment_in_scope
from services.payments.schemas import RefundIn, RefundOut
from shared.api.access import ScopedAnyRole, ScopedARStaff, ScopedARSupervisor
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import Clock, ClockDep

router = service_router("/v1/refunds", "refunds")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Request a refund")
async def request_refund(
    data: RefundIn, session: SessionDep, actor: ScopedARStaff, response: Response
) -> RefundOut:
    """Ask to pay back unapplied credit of a payment (an over-payment). The amount is held from the
    payment until an AR supervisor approves or rejects the request."""
    payment = await get_payment_in_scope(session, data.payment_id, actor.scope, lock=True)
    refund = await refunds.request_refund(session, payment, data, actor)
    response.headers["Location"] = f"{router.prefix}/{refund.id}"
    return RefundOut.model_validate(refund)


@router.get("/{refund_id}", summary="Read a refund")
async def read_refund(refund_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole) -> RefundOut:
    """The refund and whether it waits for approval, was issued or was rejected (a 404 outside
    the caller's scope)."""
    refund = await refunds.get_refund(session, refund_id, pending=False, scope=actor.scope)
    return RefundOut.model_validate(refund)


@router.post("/{refund_id}/approve", summary="Approve a refund")
async def approve_refund(
    refund_id: uuid.UUID,
    session: SessionDep,
    actor: ScopedARSupervisor,
    rules: Rules,
    clock: ClockDep,
) -> RefundOut:
    """AR supervisors only, and not the requester. Publishes `RefundIssued` (Dr unapplied cash /
    Cr cash)."""
    return await _decide(refund_id, session, actor, rules, approve=True, clock=clock)


@router.post("/{refund_id}/reject", summary="Reject a refund")
async def reject_refund(
    refund_id: uuid.UUID,
    session: SessionDep,
    actor: ScopedARSupervisor,
    rules: Rules,
    clock: ClockDep,
) -> RefundOut:
    """AR supervisors only: the held amount returns to the payment's unapplied credit."""
    return await _decide(refund_id, session, actor, rules, approve=False, clock=clock)


async def _decide(
    refund_id: uuid.UUID,
    session: SessionDep,
    actor: ScopedARSupervisor,
    rules: Rules,
    *,
    approve: bool,
    clock: Clock,
) -> RefundOut:
    refund = await refunds.get_refund(session, refund_id, scope=actor.scope)
    payment = await get_payment(session, refund.payment_id, lock=True)
    decided = await refunds.decide_refund(
        session, refund, payment, approve=approve, on=clock.today(), rules=rules, actor=actor
    )
    return RefundOut.model_validate(decided)
