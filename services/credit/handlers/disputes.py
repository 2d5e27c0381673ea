"""Credit's view of what a customer disputes, kept from collections' dispute events: shown on
the credit account and in exposure, and an invoice disputed in full is no reason for a past-due
hold while the dispute is open (docs/domain.md#holds)."""

import uuid
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.models import CreditAccount, CreditDispute
from shared.events.collections import DisputeOpened, DisputeResolved


async def _total_disputed(session: AsyncSession, customer_id: uuid.UUID) -> None:
    """The account's disputed amount, summed again from the open disputes (so an account copied
    after its first dispute still shows it from the next one)."""
    account = await session.get(CreditAccount, customer_id)
    if account is None:
        return
    amounts = await session.exec(
        select(CreditDispute.amount).where(
            CreditDispute.customer_id == customer_id, col(CreditDispute.resolved_on).is_(None)
        )
    )
    account.disputed = sum((Decimal(amount) for amount in amounts), Decimal(0))


async def dispute_opened(session: AsyncSession, event: DisputeOpened) -> uuid.UUID:
    session.add(
        CreditDispute(
            id=event.dispute_id,
            customer_id=event.customer_id,
            invoice_id=event.invoice_id,
            currency=event.currency,
            amount=event.amount,
            opened_on=event.opened_on,
        )
    )
    await session.flush()
    await _total_disputed(session, event.customer_id)
    return event.customer_id


async def dispute_resolved(session: AsyncSession, event: DisputeResolved) -> uuid.UUID | None:
    dispute = await session.get(CreditDispute, event.dispute_id)
    if dispute is None:
        return None  # opened before credit kept disputes: nothing of it is counted here
    dispute.resolved_on, dispute.outcome = event.resolved_on, event.outcome
    await session.flush()
    await _total_disputed(session, event.customer_id)
    return event.customer_id


STEPS = {DisputeOpened: dispute_opened, DisputeResolved: dispute_resolved}
