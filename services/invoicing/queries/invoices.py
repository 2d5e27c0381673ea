"""Reading invoices."""

import uuid
from datetime import date

from sqlalchemy import Select, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.invoices import InvoiceStatus
from services.invoicing.models.invoices import Invoice
from shared.auth import UNLIMITED, Scope
from shared.scoping import Reach

INVOICES = Reach(customer=Invoice.customer_id, district=Invoice.business_district)


async def get_invoice(
    session: AsyncSession, invoice_id: uuid.UUID, *, lock: bool = False, scope: Scope = UNLIMITED
) -> Invoice:
    """The invoice, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(Invoice).where(Invoice.id == invoice_id)
    return await INVOICES.one(
        session, statement, scope, missing=f"no invoice {invoice_id}", lock=lock
    )


def search_invoices(
    *,
    scope: Scope = UNLIMITED,
    customer_id: uuid.UUID | None = None,
    status: InvoiceStatus | None = None,
    billing_run_id: uuid.UUID | None = None,
) -> Select:  # type: ignore[type-arg]
    """Invoices in scope matching every filter given; `credited` and `issued` as shown
    (`shown_status`)."""
    statement = INVOICES.filter(select(Invoice), scope)
    for column, value in (
        (Invoice.customer_id, customer_id),
        (Invoice.billing_run_id, billing_run_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if status == InvoiceStatus.CREDITED:
        statement = statement.where(
            Invoice.status == InvoiceStatus.ISSUED, col(Invoice.credited) >= col(Invoice.total)
        )
    elif status == InvoiceStatus.ISSUED:
        statement = statement.where(
            Invoice.status == InvoiceStatus.ISSUED, col(Invoice.credited) < col(Invoice.total)
        )
    elif status is not None:
        statement = statement.where(Invoice.status == status)
    return statement


async def invoices_taxed_between(
    session: AsyncSession, currency: str, first: date, last: date
) -> list[Invoice]:
    """Issued invoices dated or voided in the period. Imported legacy invoices are left out:
    the legacy system reported their tax."""
    return list(
        (
            await session.exec(
                select(Invoice).where(
                    Invoice.currency == currency,
                    col(Invoice.imported).is_(False),
                    col(Invoice.status) != InvoiceStatus.DRAFT,
                    or_(
                        col(Invoice.invoice_date).between(first, last),
                        col(Invoice.voided_on).between(first, last),
                    ),
                )
            )
        ).all()
    )
