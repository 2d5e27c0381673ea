"""Every read the payments API makes of its tables."""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.domain.statuses import PaymentStatus
from services.payments.models import (
    AdviceDocument,
    Application,
    CreditMemoCredit,
    Deposit,
    OpenItem,
    Payer,
    Payment,
    Refund,
    RemittanceAdvice,
    Suggestion,
    written_forms,
)
from shared.api.problems import NotFound
from shared.auth import UNLIMITED, Scope
from shared.scoping import Reach, district_of

S = TypeVar("S", bound=Select[Any])


def of_payer(customer: Any) -> Reach:
    """The reach of a table keeping only the customer: its district is the payer copy's."""
    district = district_of(customer, id_column=Payer.id, district_column=Payer.business_district)
    return Reach(customer=customer, district=district)


PAYERS = Reach(customer=Payer.id, district=Payer.business_district)
PAYMENTS = of_payer(Payment.customer_id)
APPLICATIONS = of_payer(Application.customer_id)
SUGGESTIONS = of_payer(Suggestion.customer_id)
OPEN_ITEMS = of_payer(OpenItem.customer_id)
DEPOSITS = of_payer(Deposit.customer_id)
REFUNDS = of_payer(Refund.customer_id)
# An advice whose payer is not known is outside every scope that limits customers.
ADVICES = of_payer(RemittanceAdvice.customer_id)


async def get_payer(
    session: AsyncSession, customer_id: uuid.UUID, *, scope: Scope = UNLIMITED
) -> Payer:
    """The payer, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(Payer).where(Payer.id == customer_id)
    return await PAYERS.one(
        session, statement, scope, missing=f"no payer for customer {customer_id}"
    )


def search_payers(*, q: str | None = None, scope: Scope = UNLIMITED) -> Select:  # type: ignore[type-arg]
    """Payers in scope whose legal name, DBA or account number contains `q` (any case); all
    without it."""
    statement = PAYERS.filter(select(Payer), scope)
    if q:
        # autoescape: a `%` or `_` in a name is a character to find, not a wildcard.
        statement = statement.where(
            or_(
                col(Payer.legal_name).icontains(q, autoescape=True),
                col(Payer.dba).icontains(q, autoescape=True),
                col(Payer.account_number).icontains(q, autoescape=True),
            )
        )
    return statement


def suggestions(
    *, status: str, customer_id: uuid.UUID | None = None, scope: Scope = UNLIMITED
) -> Select:  # type: ignore[type-arg]
    """Cash application's proposals in one status, optionally one customer's; a token limited
    to districts or a customer sees only its customers' (none whose payer is unknown)."""
    statement = SUGGESTIONS.filter(select(Suggestion).where(Suggestion.status == status), scope)
    if customer_id:
        statement = statement.where(Suggestion.customer_id == customer_id)
    return statement


def applications(
    *,
    invoice_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    scope: Scope = UNLIMITED,
) -> Select:  # type: ignore[type-arg]
    """Applications in scope, optionally to one invoice or of one customer."""
    statement = APPLICATIONS.filter(select(Application), scope)
    if invoice_id:
        statement = statement.where(Application.invoice_id == invoice_id)
    if customer_id:
        statement = statement.where(Application.customer_id == customer_id)
    return statement


async def applications_of(session: AsyncSession, payment_id: uuid.UUID) -> Sequence[Application]:
    """One payment's applications in the order they were made."""
    statement = (
        select(Application)
        .where(Application.payment_id == payment_id)
        .order_by(col(Application.created_at))
    )
    return (await session.exec(statement)).all()


async def get_payment_in_scope(
    session: AsyncSession, payment_id: uuid.UUID, scope: Scope, *, lock: bool = False
) -> Payment:
    """The payment, or the same 404 as an unknown one when it is outside the caller's scope."""
    statement = select(Payment).where(Payment.id == payment_id)
    return await PAYMENTS.one(
        session, statement, scope, missing=f"no payment {payment_id}", lock=lock
    )


def payments(
    *,
    customer_id: uuid.UUID | None = None,
    unapplied_only: bool = False,
    scope: Scope = UNLIMITED,
) -> Select:  # type: ignore[type-arg]
    """Payments in scope, optionally one customer's, optionally only those with credit left on
    account."""
    statement = PAYMENTS.filter(select(Payment), scope)
    if customer_id:
        statement = statement.where(Payment.customer_id == customer_id)
    if unapplied_only:
        statement = statement.where(
            Payment.status == PaymentStatus.RECEIVED,
            col(Payment.unapplied).not_in(written_forms(Decimal(0))),
        )
    return statement


async def payments_of_file(session: AsyncSession, bank_file_id: uuid.UUID) -> list[uuid.UUID]:
    """The payments a bank file created, in the file's order."""
    statement = (
        select(Payment.id)
        .where(Payment.bank_file_id == bank_file_id)
        .order_by(col(Payment.file_line))
    )
    return list(await session.exec(statement))


def remittance_advices(
    *, status: str | None = None, payment_id: uuid.UUID | None = None, scope: Scope = UNLIMITED
) -> Select:  # type: ignore[type-arg]
    """Advices in scope, optionally in one status (`unmatched` is the worklist) or of one
    payment."""
    statement = ADVICES.filter(select(RemittanceAdvice), scope)
    if status:
        statement = statement.where(RemittanceAdvice.status == status)
    if payment_id:
        statement = statement.where(RemittanceAdvice.payment_id == payment_id)
    return statement


async def get_advice(
    session: AsyncSession, advice_id: uuid.UUID, *, lock: bool = False, scope: Scope = UNLIMITED
) -> RemittanceAdvice:
    """The advice, or a 404 when it is unknown or outside the caller's scope."""
    statement = select(RemittanceAdvice).where(RemittanceAdvice.id == advice_id)
    return await ADVICES.one(
        session, statement, scope, missing=f"no remittance advice {advice_id}", lock=lock
    )


async def get_advice_document(session: AsyncSession, document_id: uuid.UUID) -> AdviceDocument:
    document = await session.get(AdviceDocument, document_id)
    if document is None:
        raise NotFound(f"no advice document {document_id}")
    return document


async def advices_of_document(
    session: AsyncSession, document_id: uuid.UUID
) -> list[RemittanceAdvice]:
    """The advices read from one file, in the file's order."""
    statement = (
        select(RemittanceAdvice)
        .where(RemittanceAdvice.document_id == document_id)
        .order_by(col(RemittanceAdvice.line))
    )
    return list((await session.exec(statement)).all())


async def get_open_item_in_scope(
    session: AsyncSession, invoice_id: uuid.UUID, scope: Scope
) -> OpenItem:
    """The invoice as payments holds it, or a 404 when unknown or outside the caller's scope."""
    statement = select(OpenItem).where(OpenItem.id == invoice_id)
    return await OPEN_ITEMS.one(
        session, statement, scope, missing=f"no invoice {invoice_id} known to payments"
    )


async def get_application_in_scope(
    session: AsyncSession, application_id: uuid.UUID, scope: Scope
) -> Application:
    """The application, locked, or a 404 when unknown or outside the caller's scope."""
    statement = select(Application).where(Application.id == application_id)
    return await APPLICATIONS.one(
        session, statement, scope, missing=f"no application {application_id}", lock=True
    )


async def credit_memos_of(session: AsyncSession, invoice_id: uuid.UUID) -> list[CreditMemoCredit]:
    """The memos issued against the invoice, oldest first, with what each keeps on account."""
    statement = (
        select(CreditMemoCredit)
        .where(CreditMemoCredit.invoice_id == invoice_id)
        .order_by(col(CreditMemoCredit.created_at), col(CreditMemoCredit.id))
    )
    return list((await session.exec(statement)).all())
