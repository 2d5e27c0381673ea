"""Reading credit memos."""

import uuid
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.models.invoices import Invoice
from shared.auth import UNLIMITED, Scope
from shared.authority import Done, done_so_far
from shared.scoping import Reach, district_of

S = TypeVar("S", bound=Select[Any])


# A memo is in the district of the invoice it credits.
CREDIT_MEMOS = Reach(
    customer=CreditMemo.customer_id,
    district=district_of(
        CreditMemo.invoice_id, id_column=Invoice.id, district_column=Invoice.business_district
    ),
)


async def get_credit_memo(
    session: AsyncSession, credit_memo_id: uuid.UUID, *, scope: Scope = UNLIMITED
) -> CreditMemo:
    """The credit memo, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(CreditMemo).where(CreditMemo.id == credit_memo_id)
    return await CREDIT_MEMOS.one(
        session, statement, scope, missing=f"no credit memo {credit_memo_id}"
    )


def search_credit_memos(
    *,
    invoice_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    scope: Scope = UNLIMITED,
) -> Select:  # type: ignore[type-arg]
    """Credit memos in scope matching every filter given."""
    statement = CREDIT_MEMOS.filter(select(CreditMemo), scope)
    if invoice_id is not None:
        statement = statement.where(CreditMemo.invoice_id == invoice_id)
    if customer_id is not None:
        statement = statement.where(CreditMemo.customer_id == customer_id)
    return statement


async def credited_by(
    session: AsyncSession,
    subject: str,
    invoice_id: uuid.UUID,
    customer_today: tuple[uuid.UUID, date] | None = None,
) -> Done:
    """What this person has credited so far on the invoice, or the customer on that day."""
    return await done_so_far(
        session,
        CreditMemo.total,
        by=col(CreditMemo.approved_by) == subject,
        on_invoice=col(CreditMemo.invoice_id) == invoice_id,
        customer_today=customer_today
        and (
            col(CreditMemo.customer_id) == customer_today[0],
            col(CreditMemo.issued_on) == customer_today[1],
        ),
    )


async def credit_memos_issued_between(
    session: AsyncSession, currency: str, first: date, last: date
) -> list[CreditMemo]:
    return list(
        (
            await session.exec(
                select(CreditMemo).where(
                    CreditMemo.currency == currency,
                    col(CreditMemo.issued_on).between(first, last),
                )
            )
        ).all()
    )
