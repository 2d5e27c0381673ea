"""Deposits taken before the work is done."""

import uuid

from fastapi import Response, status

from services.payments.api.dependencies import Rules
from services.payments.commands import deposits
from services.payments.schemas import ApplicationOut, DepositApplicationIn, DepositIn, DepositOut
from shared.api.access import ScopedAnyRole, ScopedARStaff, ScopedARStaffAndIntegration
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/deposits", "deposits")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record a deposit")
async def create_deposit(
    clock: ClockDep,
    data: DepositIn,
    session: SessionDep,
    actor: ScopedARStaffAndIntegration,
    rules: Rules,
    response: Response,
) -> DepositOut:
    """Record money taken for a ticket, job site or PO before it is billed. Publishes
    `DepositReceived` (Dr cash / Cr customer deposits). When the invoice for that ticket, PO or
    job site is issued, the deposit is applied to it automatically (`PaymentApplied` with
    `deposit_id`). Dated more than `AR_PAYMENTS_MAX_FUTURE_DAYS` ahead: 422."""
    deposit = await deposits.receive_deposit(
        session, data, rules, actor, today=clock.calendar_date()
    )
    response.headers["Location"] = f"{router.prefix}/{deposit.id}"
    return DepositOut.model_validate(deposit)


@router.get("/{deposit_id}", summary="Read a deposit")
async def read_deposit(
    deposit_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> DepositOut:
    """The deposit and how much of it is not yet applied (a 404 outside the caller's scope)."""
    return DepositOut.model_validate(await deposits.get_deposit(session, deposit_id, actor.scope))


@router.post(
    "/{deposit_id}/applications",
    status_code=status.HTTP_201_CREATED,
    summary="Apply a deposit by hand",
)
async def apply_deposit(
    deposit_id: uuid.UUID,
    data: DepositApplicationIn,
    session: SessionDep,
    actor: ScopedARStaff,
    rules: Rules,
) -> ApplicationOut:
    """Apply the deposit to an invoice of the same customer (Dr customer deposits / Cr AR)."""
    deposit = await deposits.get_deposit(session, deposit_id, actor.scope)
    return ApplicationOut.model_validate(
        await deposits.apply_deposit_by_hand(session, deposit, data, rules, actor)
    )
