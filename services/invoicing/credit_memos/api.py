"""The credit-memos API."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status
from sqlmodel import col, select

from services.invoicing.amounts import shown_fields
from services.invoicing.api_kit import Biller, Reader, SettingsDep, invoicing_router
from services.invoicing.credit_memos.commands import credit_for, issue_credit_memo
from services.invoicing.credit_memos.domain import CreditRequest
from services.invoicing.credit_memos.models import CreditMemo
from services.invoicing.credit_memos.schemas import CreditMemoCreate, CreditMemoOut
from services.invoicing.invoices.api import get_invoice
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import NotFound
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = invoicing_router("/v1/credit-memos", "credit memos")


def memo_out(memo: CreditMemo) -> CreditMemoOut:
    values = shown_fields(memo.model_dump(), ("subtotal", "tax_total", "total"), memo.currency)
    return CreditMemoOut.model_validate(values)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Issue a credit memo")
async def create_credit_memo(
    clock: ClockDep,
    data: CreditMemoCreate,
    session: SessionDep,
    actor: Biller,
    settings: SettingsDep,
    response: Response,
) -> CreditMemoOut:
    """Credit a whole invoice (no `lines`) or part of it (units or an amount off given lines,
    tax per jurisdiction at the invoiced rates), with a reason code. Never more than is open
    on the invoice; above the configured limit only an ar_supervisor may issue it. Publishes
    `CreditMemoIssued` with its journal entry."""
    invoice = await get_invoice(session, data.invoice_id, lock=True)
    requests = (
        None
        if data.lines is None
        else [CreditRequest(line.line, line.quantity, line.amount) for line in data.lines]
    )
    memo = await issue_credit_memo(
        session,
        invoice,
        credit_for(invoice, requests),
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
    _: Reader,
    page: PageQuery,
    invoice_id: uuid.UUID | None = None,
    customer_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[CreditMemoOut]:
    """Credit memos matching every filter, oldest first."""
    statement = select(CreditMemo)
    if invoice_id is not None:
        statement = statement.where(CreditMemo.invoice_id == invoice_id)
    if customer_id is not None:
        statement = statement.where(CreditMemo.customer_id == customer_id)
    return await page_of(
        session,
        statement,
        order_by=[col(CreditMemo.created_at), col(CreditMemo.id)],
        params=page,
        item=memo_out,
    )


@router.get("/{credit_memo_id}", summary="Read a credit memo")
async def read_credit_memo(
    credit_memo_id: uuid.UUID, session: SessionDep, _: Reader
) -> CreditMemoOut:
    """The credit memo with its lines, taxes and the invoice it credits."""
    memo = await session.get(CreditMemo, credit_memo_id)
    if memo is None:
        raise NotFound(f"no credit memo {credit_memo_id}")
    return memo_out(memo)
