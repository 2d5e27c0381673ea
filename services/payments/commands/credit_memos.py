"""Credit memos as settlement sources. Payments is the one authority over an invoice's open
balance (docs/architecture.md#one-authority-over-an-open-balance): a memo invoicing issued settles
the invoice here, when payments consumes it, up to what is open at that moment; the rest stays on
the memo as on-account credit, and goes back to the invoice first whenever the invoice reopens
(cash unapplied, a payment reversed). So a memo and cash that land at once never settle the same
amount twice, and the end state does not depend on which arrived first."""

from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.domain.statuses import InvoiceStatus
from services.payments.models import CreditMemoCredit, OpenItem
from services.payments.publishing import publish
from services.payments.queries import credit_memos_of
from shared.audit import record_change
from shared.events.payments import CreditMemoApplied


def settle_status(invoice: OpenItem) -> None:
    invoice.status = InvoiceStatus.PAID if invoice.balance <= 0 else InvoiceStatus.OPEN


def _settle(session: AsyncSession, credit: CreditMemoCredit, invoice: OpenItem, on: date) -> None:
    """Take what the invoice has open (at most what the memo holds) off it, and say so."""
    room = invoice.balance if invoice.status == InvoiceStatus.OPEN else Decimal(0)
    amount = min(credit.on_account, max(room, Decimal(0)))
    credit.on_account -= amount
    invoice.balance -= amount
    settle_status(invoice)
    record_change(
        session,
        actor=None,
        action="credit_memo_applied",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "credit_memo": credit.number,
            "amount": str(amount),
            "on_account": str(credit.on_account),
            "balance": str(invoice.balance),
        },
    )
    publish(
        session,
        CreditMemoApplied(
            credit_memo_id=credit.id,
            credit_memo_number=credit.number,
            customer_id=credit.customer_id,
            invoice_id=invoice.id,
            invoice_number=invoice.number,
            currency=credit.currency,
            amount=amount,
            on_account=credit.on_account,
            applied_on=on,
        ),
        key=credit.customer_id,
        aggregate_id=invoice.id,
    )


def receive_credit_memo(session: AsyncSession, credit: CreditMemoCredit, invoice: OpenItem) -> None:
    """A new memo settles its invoice as far as the invoice is still open."""
    session.add(credit)
    _settle(session, credit, invoice, credit.issued_on)


async def resettle(session: AsyncSession, invoice: OpenItem, on: date) -> None:
    """The invoice reopened: its memos' on-account credit settles it again, oldest memo first."""
    if invoice.status != InvoiceStatus.OPEN:
        return
    # The invoice's row lock (taken by the caller) serialises every change to its memos.
    credits = await credit_memos_of(session, invoice.id)
    # Compared here, exactly: SQLite holds the amounts as text.
    for credit in (c for c in credits if c.on_account > 0):
        if invoice.balance <= 0:
            break
        _settle(session, credit, invoice, on)
