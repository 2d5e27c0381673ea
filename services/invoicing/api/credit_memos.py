"""The credit-memos API."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status
from sqlmodel import col

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands.credit_memos import credit_for, issue_credit_memo
from services.invoicing.domain.amounts import shown_fields
from services.invoicing.domain.credit_memos import CreditRequest
from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.queries.credit_memos import get_credit_memo, search_credit_memos
from services.invoicing.queries.invoices import get_invoice
from services.invoicing.schemas.credit_memos import CreditLineIn, CreditMemoCreate, CreditMemoOut
from shared.api.access import ScopedAnyRole, ScopedARStaff
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/credit-memos", "credit memos")


def credit_requests(lines: list[CreditLineIn] | None) -> list[CreditRequest] | None:
    """What to credit line by line; None: all of it."""
    if lines is None:
        return None
    return [CreditRequest(line.line, line.quantity, line.amount) for line in lines]


def memo_out(memo: CreditMemo) -> CreditMemoOut:
    values = shown_fields(memo.model_dump(), ("subtotal", "tax_total", "total"), memo.currency)
    return CreditMemoOut.model_validate(values)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Issue a credit memo")
async def create_credit_memo(
    clock: ClockDep,
    data: CreditMemoCreate,
    session: SessionDep,
    actor: ScopedARStaff,
    settings: SettingsDep,
    response: Response,
) -> CreditMemoOut:
    """Credit a whole invoice (no `lines`) or part of it (units or an amount off given lines,
    tax per jurisdiction at the invoiced rates), with a reason code. Never more than is open
    on the invoice; above the configured limit only an ar_supervisor may issue it. Publishes
    `CreditMemoIssued` with its journal entry."""
    invoice = await get_invoice(session, data.invoice_id, lock=True, scope=actor.scope)
    memo = await issue_credit_memo(
        session,
        invoice,
        credit_for(invoice, credit_requests(data.lines)),
        reason_code=data.reason_code,
        reason=data.reason,
        settings=settings,
        actor=actor,
        clock=clock,
    )
    await session.flush()
    response.headers["Location"] = f"{router.prefix}/{memo.id}"
    return memo_out(memo)


@router.get("", summary="List credit memos")
async def list_credit_memos(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    invoice_id: uuid.UUID | None = None,
    customer_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[CreditMemoOut]:
    """Credit memos matching every filter, oldest first."""
    return await page_of(
        session,
        search_credit_memos(invoice_id=invoice_id, customer_id=customer_id, scope=actor.scope),
        order_by=[col(CreditMemo.created_at), col(CreditMemo.id)],
        params=page,
        item=memo_out,
    )


@router.get("/{credit_memo_id}", summary="Read a credit memo")
async def read_credit_memo(
    credit_memo_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> CreditMemoOut:
    """The credit memo with its lines, taxes and the invoice it credits."""
    return memo_out(await get_credit_memo(session, credit_memo_id, scope=actor.scope))
