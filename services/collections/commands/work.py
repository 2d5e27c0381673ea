"""Working the accounts: activities, promises to pay and disputes, each audited and, where other
services care, published in the same transaction."""

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.ledger import ItemKind
from services.collections.domain.work import DisputeStatus
from services.collections.models import (
    Activity,
    Dispute,
    LedgerItem,
    PromiseToPay,
)
from services.collections.publishing import outbox
from services.collections.queries.accounts import get_account
from services.collections.queries.work import get_dispute
from services.collections.schemas import ActivityIn, DisputeIn, DisputeResolution, PromiseIn
from shared.api.money import require_minor_units
from shared.api.problems import BusinessRuleViolation
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.catalog import EventPayload
from shared.events.collections import DisputeOpened, DisputeResolved, PromiseToPayRecorded


async def _invoice_of(
    session: AsyncSession, customer_id: uuid.UUID, invoice_id: uuid.UUID
) -> LedgerItem:
    invoice = await session.get(LedgerItem, invoice_id)
    if invoice is None or invoice.customer_id != customer_id or invoice.kind != ItemKind.INVOICE:
        raise BusinessRuleViolation(f"invoice {invoice_id} is not one of this customer's invoices")
    return invoice


def _audit_and_publish(
    session: AsyncSession,
    actor: Principal,
    record: PromiseToPay | Dispute,
    action: str,
    changes: dict[str, Any],
    event: EventPayload,
    *,
    reason: str | None = None,
) -> None:
    """Audit what the collector did to the record (`action` is "<entity type>.<what>") and
    publish it, keyed by the customer, in the same transaction."""
    record_change(
        session,
        actor=actor,
        action=action,
        entity_type=action.split(".")[0],
        entity_id=str(record.id),
        changes=changes,
        reason=reason,
    )
    outbox.add(session, event, customer_id=str(record.customer_id), aggregate_id=str(record.id))


async def record_activity(
    session: AsyncSession, data: ActivityIn, actor: Principal, *, clock: Clock
) -> Activity:
    await get_account(session, data.customer_id, scope=actor.scope)
    if data.invoice_id is not None:
        await _invoice_of(session, data.customer_id, data.invoice_id)
    activity = Activity(
        **data.model_dump(exclude={"occurred_at"}),
        occurred_at=data.occurred_at or clock.now(),
        recorded_by=actor.subject,
    )
    session.add(activity)
    return activity


async def record_promise(
    session: AsyncSession, data: PromiseIn, actor: Principal, *, clock: Clock
) -> PromiseToPay:
    account = await get_account(session, data.customer_id, scope=actor.scope)
    require_minor_units(account.currency, data.amount)
    for invoice_id in data.invoice_ids:
        await _invoice_of(session, data.customer_id, invoice_id)
    today = clock.today()
    if data.promised_on < today:
        raise BusinessRuleViolation("a promise to pay is for today or a later date")
    promise = PromiseToPay(
        customer_id=data.customer_id,
        currency=account.currency,
        amount=data.amount,
        promised_on=data.promised_on,
        recorded_on=today,
        invoice_ids=[str(i) for i in data.invoice_ids],
        recorded_by=actor.subject,
    )
    session.add(promise)
    _audit_and_publish(
        session,
        actor,
        promise,
        "promise_to_pay.recorded",
        data.model_dump(mode="json"),
        PromiseToPayRecorded(
            promise_id=promise.id,
            customer_id=data.customer_id,
            currency=account.currency,
            amount=data.amount,
            promised_on=data.promised_on,
            recorded_on=today,
            invoice_ids=data.invoice_ids,
        ),
    )
    return promise


async def open_dispute(
    session: AsyncSession, data: DisputeIn, actor: Principal, *, clock: Clock
) -> Dispute:
    account = await get_account(session, data.customer_id, scope=actor.scope)
    require_minor_units(account.currency, data.amount)
    amount: Decimal | None = data.amount
    number = None
    if data.invoice_id is not None:
        invoice = await _invoice_of(session, data.customer_id, data.invoice_id)
        number = invoice.number
        amount = amount if amount is not None else invoice.balance
        if amount > invoice.balance:
            raise BusinessRuleViolation(
                f"the invoice's balance is {invoice.balance}; a dispute cannot exceed it"
            )
    if amount is None or amount <= 0:
        raise BusinessRuleViolation("say how much is disputed, or which invoice")
    today = clock.today()
    dispute = Dispute(
        customer_id=data.customer_id,
        invoice_id=data.invoice_id,
        currency=account.currency,
        amount=amount,
        reason=data.reason,
        department=data.department,
        status=DisputeStatus.OPEN,
        opened_on=today,
        opened_by=actor.subject,
    )
    session.add(dispute)
    _audit_and_publish(
        session,
        actor,
        dispute,
        "dispute.opened",
        data.model_dump(mode="json") | {"amount": str(amount)},
        DisputeOpened(
            dispute_id=dispute.id,
            customer_id=data.customer_id,
            invoice_id=data.invoice_id,
            invoice_number=number,
            currency=account.currency,
            amount=amount,
            reason=data.reason,
            department=data.department,
            opened_on=today,
        ),
    )
    return dispute


async def resolve_dispute(
    session: AsyncSession,
    dispute_id: uuid.UUID,
    data: DisputeResolution,
    actor: Principal,
    *,
    clock: Clock,
) -> Dispute:
    dispute = await get_dispute(session, dispute_id, scope=actor.scope)
    if dispute.status != DisputeStatus.OPEN:
        raise BusinessRuleViolation(f"the dispute was already resolved on {dispute.resolved_on}")
    today = clock.today()
    dispute.status, dispute.resolved_on = DisputeStatus.RESOLVED, today
    dispute.resolution, dispute.outcome = data.resolution, data.outcome
    _audit_and_publish(
        session,
        actor,
        dispute,
        "dispute.resolved",
        {
            "status": {"from": DisputeStatus.OPEN, "to": DisputeStatus.RESOLVED},
            "outcome": data.outcome,
        },
        DisputeResolved(
            dispute_id=dispute.id,
            customer_id=dispute.customer_id,
            invoice_id=dispute.invoice_id,
            resolution=data.resolution,
            resolved_on=today,
            outcome=data.outcome,
        ),
        reason=data.resolution,
    )
    return dispute
