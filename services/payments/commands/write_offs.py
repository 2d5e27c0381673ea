"""Writing off what is left open on an invoice (Dr bad debt / Cr AR): an AR coordinator within the
small-balance tolerance, an AR supervisor any balance (an approved bad debt). A void that crossed
a write-off undoes it."""

from datetime import date
from decimal import Decimal

from sqlmodel import col, select
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
from shared.authority import done_so_far, exceeds
from shared.events.payments import WriteOffPosted, WriteOffReversed
from shared.journal import ChartOfAccounts
from shared.money import check_minor_units
from shared.periods import ensure_open


async def check_may_write_off(
    session: AsyncSession,
    actor: Principal,
    invoice: OpenItem,
    on: date,
    rules: PaymentsSettings,
    amount: Decimal,
) -> None:
    """An AR coordinator writes off within the small-balance tolerance, counting what they wrote
    off on the invoice before (or, with the setting, to the customer that day), so the tolerance
    cannot be split; an AR supervisor any balance."""
    if actor.has(Role.AR_SUPERVISOR):
        return
    tolerance = rules.small_balance_write_off
    done = await done_so_far(
        session,
        WriteOff.amount,
        by=col(WriteOff.approved_by) == actor.subject,
        on_invoice=col(WriteOff.invoice_id) == invoice.id,
        customer_today=(
            (col(WriteOff.customer_id) == invoice.customer_id, col(WriteOff.posted_on) == on)
            if rules.write_off_limit_per_customer_day
            else None
        ),
        counting=(col(WriteOff.reversed_on).is_(None),),
    )
    if exceeds(tolerance, done, amount):
        raise CashRuleBroken(
            f"with {amount} you would have written off {done.amount + amount} "
            f"{done.scope}, more than the {tolerance} small-balance tolerance; "
            "an AR supervisor may write it off",
            tolerance=str(tolerance),
            already_written_off=str(done.amount),
        )


async def write_off(
    session: AsyncSession,
    invoice: OpenItem,
    reason: str,
    on: date,
    rules: PaymentsSettings,
    actor: Principal,
    amount: Decimal | None = None,
) -> WriteOff:
    """Write off `amount` of what is open (a claim's denied part the customer is not billed
    for), or all of it."""
    if invoice.status != InvoiceStatus.OPEN or invoice.balance <= 0:
        raise CashRuleBroken(f"invoice {invoice.number} has nothing open to write off")
    amount = invoice.balance if amount is None else amount
    if amount > invoice.balance:
        raise CashRuleBroken(
            f"invoice {invoice.number} has {invoice.balance} open, less than {amount}",
            balance=str(invoice.balance),
        )
    try:
        check_minor_units(invoice.currency, amount)
    except ValueError as error:
        raise CashRuleBroken(str(error)) from error
    await check_may_write_off(session, actor, invoice, on, rules, amount)
    await ensure_open(session, on)
    record = WriteOff(
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        amount=amount,
        reason=reason,
        approved_by=actor.subject,
        posted_on=on,
    )
    session.add(record)
    await session.flush()
    invoice.balance -= amount
    if invoice.balance == 0:
        invoice.status = InvoiceStatus.PAID
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


async def reverse_write_offs(
    session: AsyncSession, chart: ChartOfAccounts, invoice: OpenItem, *, reason: str, on: date
) -> None:
    """Undo every write-off still standing on the (voided) invoice, each with its exact reverse
    entry (Dr AR control / Cr bad debt)."""
    standing = (
        await session.exec(
            select(WriteOff)
            .where(WriteOff.invoice_id == invoice.id, col(WriteOff.reversed_on).is_(None))
            .order_by(col(WriteOff.created_at))
        )
    ).all()
    for record in standing:
        record.reversed_on = on
        original = posting.posted(
            chart, "write_off", record.id, record.posted_on, record.currency, record.amount
        )
        record_change(
            session,
            actor=None,
            action="write_off_reversed",
            entity_type="invoice",
            entity_id=str(invoice.id),
            changes={"write_off_id": str(record.id), "amount": str(record.amount)},
            reason=reason,
        )
        publish(
            session,
            WriteOffReversed(
                write_off_id=record.id,
                customer_id=record.customer_id,
                invoice_id=invoice.id,
                invoice_number=invoice.number,
                currency=record.currency,
                amount=record.amount,
                reversed_on=on,
                reason=reason,
                journal=posting.reversed_entry(
                    original, source="write_off_reversal", posted_on=on, memo=reason
                ),
            ),
            key=record.customer_id,
            aggregate_id=invoice.id,
        )
