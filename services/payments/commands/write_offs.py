"""Writing off what is left open on an invoice (Dr bad debt / Cr AR): an AR coordinator within the
small-balance tolerance, an AR supervisor any balance (an approved bad debt)."""

from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.applications import CashRuleBroken
from services.payments.commands.suggestions import supersede_stale
from services.payments.domain import posting
from services.payments.domain.statuses import InvoiceStatus
from services.payments.models import OpenItem, WriteOff
from services.payments.publishing import publish
from services.payments.settings import PaymentsSettings
from shared.audit import record_change
from shared.auth import Principal, Role
from shared.events.payments import WriteOffPosted
from shared.periods import ensure_open


def check_may_write_off(actor: Principal, balance: Decimal, tolerance: Decimal) -> None:
    if actor.has(Role.AR_SUPERVISOR):
        return
    if balance > tolerance:
        raise CashRuleBroken(
            f"{balance} is more than the {tolerance} small-balance tolerance; "
            "an AR supervisor may write it off",
            tolerance=str(tolerance),
        )


async def write_off(
    session: AsyncSession,
    invoice: OpenItem,
    reason: str,
    on: date,
    rules: PaymentsSettings,
    actor: Principal,
) -> WriteOff:
    if invoice.status != InvoiceStatus.OPEN or invoice.balance <= 0:
        raise CashRuleBroken(f"invoice {invoice.number} has nothing open to write off")
    check_may_write_off(actor, invoice.balance, rules.small_balance_write_off)
    await ensure_open(session, on)
    record = WriteOff(
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        amount=invoice.balance,
        reason=reason,
        approved_by=actor.subject,
        posted_on=on,
    )
    session.add(record)
    await session.flush()
    invoice.balance, invoice.status = Decimal(0), InvoiceStatus.PAID
    await supersede_stale(session, invoice_id=invoice.id)
    record_change(
        session,
        actor=actor,
        action="written_off",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={"write_off_id": str(record.id), "amount": str(record.amount)},
        reason=reason,
    )
    publish(
        session,
        WriteOffPosted(
            write_off_id=record.id,
            customer_id=record.customer_id,
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            currency=record.currency,
            amount=record.amount,
            posted_on=on,
            reason=reason,
            approved_by=actor.subject,
            journal=posting.posted(
                rules.chart, "write_off", record.id, on, record.currency, record.amount
            ),
        ),
        key=record.customer_id,
        aggregate_id=invoice.id,
    )
    return record
