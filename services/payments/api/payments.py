"""Payments: record a receipt, read it with its remittance and applications, apply it by hand,
reverse it when the bank returns it."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments import queries
from services.payments.api.dependencies import Rules
from services.payments.commands import receipts, review
from services.payments.commands.cash_application import remittance_of
from services.payments.models import Payment
from services.payments.schemas import (
    ApplicationOut,
    ApplicationsIn,
    PaymentIn,
    PaymentOut,
    RemittanceLineOut,
    ReversalIn,
)
from shared.api.access import ARStaffAndIntegration, ScopedAnyRole, ScopedARStaff
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import problem_doc
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/payments", "payments")


async def payment_out(session: AsyncSession, payment: Payment) -> PaymentOut:
    applications = await queries.applications_of(session, payment.id)
    return PaymentOut(
        **payment.model_dump(exclude={"file_line", "received_by"}),
        remittance=[
            RemittanceLineOut.model_validate(line)
            for line in await remittance_of(session, payment.id)
        ],
        applications=[ApplicationOut.model_validate(a) for a in applications],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record a payment",
    responses={409: problem_doc("A probable duplicate (`earlier_payment_id` names it)")},
)
async def create_payment(
    clock: ClockDep,
    data: PaymentIn,
    session: SessionDep,
    actor: ARStaffAndIntegration,
    rules: Rules,
    response: Response,
) -> PaymentOut:
    """Record a check, ACH, wire, card, cash or lockbox receipt with its remittance lines.
    Publishes `PaymentReceived` (Dr cash / Cr unapplied cash). Cash application then applies it
    to the invoices it is sure of (`PaymentApplied`) and queues the rest for review
    (`GET /v1/applications/suggestions`). A remittance reference that matches no invoice is not
    an error: it waits for review. Send an `Idempotency-Key` to retry safely. The same payer,
    reference and amount as a payment received within `AR_PAYMENTS_DUPLICATE_WINDOW_DAYS` is a
    409 naming it, unless `second_payment` is true; a received date more than
    `AR_PAYMENTS_MAX_FUTURE_DAYS` ahead is a 422, one in a closed month a 409."""
    payment = await receipts.record_typed_payment(
        session, data, rules, actor, today=clock.calendar_date()
    )
    response.headers["Location"] = f"{router.prefix}/{payment.id}"
    return await payment_out(session, payment)


@router.get("", summary="List payments")
async def list_payments(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    customer_id: uuid.UUID | None = None,
    unapplied_only: Annotated[
        bool, Query(description="Only payments with credit left on account")
    ] = False,
) -> Page[PaymentOut]:
    """Payments in the order they were recorded, a page at a time."""
    rows = await page_of(
        session,
        queries.payments(customer_id=customer_id, unapplied_only=unapplied_only, scope=actor.scope),
        order_by=[col(Payment.created_at), col(Payment.id)],
        params=page,
        item=lambda p: p,
    )
    return Page(
        items=[await payment_out(session, p) for p in rows.items], next_cursor=rows.next_cursor
    )


@router.get("/{payment_id}", summary="Read a payment")
async def read_payment(
    payment_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> PaymentOut:
    """The payment, its remittance lines (each with the invoice it was matched to, if any), its
    applications and what is left unapplied; a 404 outside the caller's customer."""
    payment = await queries.get_payment_in_scope(session, payment_id, actor.scope)
    return await payment_out(session, payment)


@router.post(
    "/{payment_id}/applications",
    status_code=status.HTTP_201_CREATED,
    summary="Apply a payment by hand",
)
async def apply_payment(
    payment_id: uuid.UUID,
    data: ApplicationsIn,
    session: SessionDep,
    actor: ScopedARStaff,
    rules: Rules,
) -> list[ApplicationOut]:
    """Apply the payment to the invoices given, each with an amount, an early-payment discount and,
    when the invoice stays partly open, a short-pay reason code. All or nothing: more than the
    payment has left, more than an invoice has open or another customer's invoice is a 422.
    Publishes `PaymentApplied` for each. A payer matched by hand is remembered by its name and
    bank account for the next payment."""
    payment = await queries.get_payment_in_scope(session, payment_id, actor.scope, lock=True)
    applied = await review.apply_by_hand(
        session, payment, data.applications, rules, actor, note=data.note
    )
    return [ApplicationOut.model_validate(a) for a in applied]


@router.post("/{payment_id}/reverse", summary="Reverse a returned or NSF payment")
async def reverse_payment(
    clock: ClockDep,
    payment_id: uuid.UUID,
    data: ReversalIn,
    session: SessionDep,
    actor: ScopedARStaff,
    rules: Rules,
) -> PaymentOut:
    """Undo every application of the payment (`PaymentUnapplied` each; the invoices reopen), then
    reverse the receipt (`PaymentReversed`: Dr unapplied cash / Cr cash)."""
    payment = await queries.get_payment_in_scope(session, payment_id, actor.scope, lock=True)
    on = data.reversed_on or clock.today()
    await receipts.reverse_payment(session, payment, data.reason, on, rules, actor)
    return await payment_out(session, payment)
