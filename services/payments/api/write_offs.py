"""Invoice balances as payments sees them, and small-balance write-offs."""

import uuid

from fastapi import status

from services.payments.api.dependencies import Rules
from services.payments.commands.applications import get_open_item
from services.payments.commands.write_offs import write_off
from services.payments.queries import credit_memos_of, get_open_item_in_scope
from services.payments.schemas import CreditMemoCreditOut, OpenItemOut, WriteOffIn, WriteOffOut
from shared.api.access import ARStaff, ScopedAnyRole
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1", "write-offs")


@router.get("/invoice-balances/{invoice_id}", summary="What is open on an invoice")
async def read_invoice_balance(
    invoice_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> OpenItemOut:
    """Payments' own view of the invoice, from invoicing's events: total, open balance, status,
    the reason code of a short payment, and its credit memos with what each keeps on account.
    Payments is the one authority over this balance."""
    invoice = await get_open_item_in_scope(session, invoice_id, actor.scope)
    item = OpenItemOut.model_validate(invoice)
    memos = await credit_memos_of(session, invoice_id)
    return item.model_copy(
        update={"credit_memos": [CreditMemoCreditOut.model_validate(m) for m in memos]}
    )


@router.post(
    "/write-offs", status_code=status.HTTP_201_CREATED, summary="Write off an invoice's balance"
)
async def create_write_off(
    clock: ClockDep, data: WriteOffIn, session: SessionDep, actor: ARStaff, rules: Rules
) -> WriteOffOut:
    """Write off what is left open on the invoice, or the `amount` of it given (the denied part
    of a claim billed to a third-party payer, when the customer is not billed for it). An AR
    coordinator may within the small-balance tolerance (`AR_PAYMENTS_SMALL_BALANCE_WRITE_OFF`);
    an AR supervisor may write off any balance. Publishes `WriteOffPosted` (Dr bad debt / Cr AR)."""
    invoice = await get_open_item(session, data.invoice_id)
    return WriteOffOut.model_validate(
        await write_off(session, invoice, data.reason, clock.today(), rules, actor, data.amount)
    )
