"""The claims API: a draft invoice billed to a third-party payer, and the payer's denial."""

import uuid

from services.invoicing.api.credit_memos import credit_requests
from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.api.invoices import billable_account, invoice_out
from services.invoicing.commands.claims import bill_to_payer, deny_claim, move_to_payer
from services.invoicing.domain.amounts import shown
from services.invoicing.domain.invoices import InvoiceRuleBroken, InvoiceStatus
from services.invoicing.queries.invoices import get_invoice
from services.invoicing.schemas.claims import ClaimIn, DenialIn, DenialOut
from services.invoicing.schemas.invoices import InvoiceOut
from shared.api.access import ARStaff
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/invoices", "invoices")


@router.post("/{invoice_id}/claim", summary="Bill an invoice to a third-party payer")
async def bill_claim(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    data: ClaimIn,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> InvoiceOut:
    """A draft becomes a claim: addressed to the payer, on its terms, owed by it (it ages under
    the payer in collections, payments and credit), naming the customer it is for
    (`claim_for`) and the claim number; issue it as any draft. An issued invoice's open part
    (all of it, or the `lines` named) moves to the payer: a credit memo to the customer's
    invoice (reason `billed_to_payer`) and a claim to the payer for exactly that, issued today
    on the payer's terms and linked by `rebill_of`; the answer is that claim."""
    invoice = await get_invoice(session, invoice_id, lock=True)
    payer = await billable_account(session, data.payer_id, invoice.currency)
    if invoice.status != InvoiceStatus.ISSUED:
        if data.lines is not None:
            raise InvoiceRuleBroken("a draft moves to the payer whole: leave out `lines`")
        bill_to_payer(session, invoice, payer, data.claim_number, actor)
        return invoice_out(invoice)
    _, claim = await move_to_payer(
        session,
        invoice,
        payer,
        data.claim_number,
        credit_requests(data.lines),
        settings=settings,
        actor=actor,
        clock=clock,
    )
    return invoice_out(claim)


@router.post("/{invoice_id}/claim-denials", summary="Post a claim's denial")
async def post_denial(
    clock: ClockDep,
    invoice_id: uuid.UUID,
    data: DenialIn,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> DenialOut:
    """The payer denied the claim, whole (no `lines`) or in part, with a reason code: a credit
    memo to the payer's invoice for the denied part and an invoice to the customer for exactly
    that, linked to the claim (`rebill_of`). A denied part the customer is not to be billed for
    is written off in payments instead (`POST /v1/write-offs` with its `amount`: bad debt,
    within the write-off authority). The claim's history shows the denial, its memo and the
    rebill."""
    claim = await get_invoice(session, invoice_id, lock=True)
    memo, rebilled = await deny_claim(
        session,
        claim,
        credit_requests(data.lines),
        reason_code=data.reason_code,
        reason=data.reason,
        settings=settings,
        actor=actor,
        clock=clock,
    )
    return DenialOut(
        credit_memo_id=memo.id,
        credit_memo_number=memo.number,
        denied=shown(memo.total, memo.currency),
        invoice=invoice_out(rebilled),
    )
