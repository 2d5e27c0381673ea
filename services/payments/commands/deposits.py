"""Deposits: money taken before the work is done (Dr cash / Cr customer deposits), held against a
ticket, job site or PO until the invoice for that work is issued (see open_items.py) or a person
applies it."""

import uuid
from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.applications import (
    Basis,
    apply_to_invoice,
    audit_receipt,
    check_payer,
    get_open_item,
)
from services.payments.models import Application, Deposit
from services.payments.publishing import publish
from services.payments.queries import DEPOSITS, get_payer
from services.payments.schemas import DepositApplicationIn, DepositIn
from services.payments.settings import PaymentsSettings
from shared.auth import UNLIMITED, Principal, Scope
from shared.clock import check_not_ahead
from shared.events.payments import DepositReceived
from shared.periods import ensure_open


async def receive_deposit(
    session: AsyncSession,
    data: DepositIn,
    rules: PaymentsSettings,
    actor: Principal,
    *,
    today: date,
) -> Deposit:
    if actor.scope.limits_customers:
        # A customer outside the caller's scope is not found, like one payments never heard of.
        await get_payer(session, data.customer_id, scope=actor.scope)
    check_not_ahead(
        data.received_on, today=today, tolerance_days=rules.max_future_days, what="received_on"
    )
    await ensure_open(session, data.received_on)
    await check_payer(session, data.customer_id, data.currency)
    deposit = Deposit(**data.model_dump(), remaining=data.amount, received_by=actor.subject)
    session.add(deposit)
    await session.flush()
    journal = audit_receipt(session, rules.chart, "deposit", deposit, data, actor)
    publish(
        session,
        DepositReceived(
            deposit_id=deposit.id,
            customer_id=deposit.customer_id,
            amount=deposit.amount,
            currency=deposit.currency,
            received_on=deposit.received_on,
            ticket_number=deposit.ticket_number,
            job_site=deposit.job_site,
            po_number=deposit.po_number,
            journal=journal,
        ),
        key=deposit.customer_id,
        aggregate_id=deposit.id,
    )
    return deposit


async def get_deposit(
    session: AsyncSession, deposit_id: uuid.UUID, scope: Scope = UNLIMITED
) -> Deposit:
    """The deposit, locked, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(Deposit).where(Deposit.id == deposit_id)
    return await DEPOSITS.one(
        session, statement, scope, missing=f"no deposit {deposit_id}", lock=True
    )


async def apply_deposit_by_hand(
    session: AsyncSession,
    deposit: Deposit,
    data: DepositApplicationIn,
    rules: PaymentsSettings,
    actor: Principal,
) -> Application:
    invoice = await get_open_item(session, data.invoice_id)
    await ensure_open(session, invoice.invoice_date)
    return await apply_to_invoice(
        session,
        rules.chart,
        deposit,
        invoice,
        data.amount,
        applied_on=invoice.invoice_date,
        actor=actor,
        basis=Basis(explanation="deposit applied by hand"),
    )
