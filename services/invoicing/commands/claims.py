"""Claims billed to a third-party payer (a manufacturer's warranty, an insurer) and their denials
(docs/domain.md#claims-billed-to-a-third-party)."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.credit_memos import credit_for, issue_credit_memo
from services.invoicing.commands.invoices import bill_to, build_draft, issue_invoices
from services.invoicing.domain.credit_memos import Credit, CreditRequest
from services.invoicing.domain.invoices import InvoiceRuleBroken, InvoiceStatus
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.models.invoices import Invoice
from services.invoicing.models.tickets import Ticket
from services.invoicing.settings import InvoicingSettings
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.customers import DeliveryMethod

# The reason code of the memo that moves an issued invoice's open part to a payer.
BILLED_TO_PAYER = "billed_to_payer"


def _check_payer(invoice: Invoice, payer: BillingAccount) -> None:
    if invoice.claim_for is not None:
        raise InvoiceRuleBroken(f"the invoice is claim {invoice.claim_number} already")
    if payer.id == invoice.customer_id:
        raise InvoiceRuleBroken("the payer is the customer itself: name the third party's record")


def bill_to_payer(
    session: AsyncSession,
    invoice: Invoice,
    payer: BillingAccount,
    claim_number: str,
    actor: Principal,
) -> None:
    """A draft becomes a claim: addressed to the payer, on the payer's terms, owed by it (so it
    ages under it), with the customer it is for kept beside it."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise InvoiceRuleBroken(
            f"only a draft is named to a payer as it is; this one is {invoice.status}"
        )
    _check_payer(invoice, payer)
    customer_id = invoice.customer_id
    invoice.claim_for, invoice.claim_number = customer_id, claim_number
    invoice.customer_id, invoice.customer_name = payer.id, payer.legal_name
    invoice.account_number, invoice.terms = payer.account_number, payer.payment_terms
    invoice.bill_to = bill_to(payer)
    invoice.delivery_method = payer.billing_profile.get("delivery_method", DeliveryMethod.EMAIL)
    record_change(
        session,
        actor=actor,
        action="claim_billed_to_payer",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "payer": str(payer.id),
            "claim_number": claim_number,
            "customer": str(customer_id),
        },
    )


def _moved_lines(
    invoice: Invoice, requests: Sequence[CreditRequest] | None, credit: Credit, prefix: str
) -> Any:
    """The invoice's lines as credited, each keeping what the invoice knew of it (where it was
    taxed), named by `prefix`."""
    originals = invoice.lines if requests is None else [invoice.lines[r.line - 1] for r in requests]
    return [
        original
        | facts.model_dump(mode="json")
        | {"description": f"{prefix}{facts.description}"[:500]}
        for original, facts in zip(originals, credit.lines, strict=True)
    ]


def _copy(
    original: Invoice,
    account: BillingAccount,
    credit: Credit,
    lines: list[dict[str, Any]],
    actor: Principal,
    clock: Clock,
    ticket_ids: list[uuid.UUID] | None = None,
) -> Invoice:
    """A draft to `account` of exactly what the memo credits, linked to the original: priced
    untaxed, then given the credited lines and tax as they were, so the amount moves whole."""
    draft = build_draft(
        account=account,
        lines=[(facts, None) for facts in credit.lines],
        jurisdictions=[],
        invoice_date=clock.today(),
        created_by=actor.subject,
        po_number=original.po_number,
        job_site=original.job_site,
        job_site_address=original.job_site_address,
        ticket_ids=ticket_ids or [],
        rebill_of=original.id,
        sales_rep=original.sales_rep,
    )
    draft.lines = lines
    draft.taxes = [tax.model_dump(mode="json") for tax in credit.taxes]
    draft.subtotal, draft.tax_total, draft.total = credit.subtotal, credit.tax_total, credit.total
    return draft


async def deny_claim(
    session: AsyncSession,
    claim: Invoice,
    requests: Sequence[CreditRequest] | None,
    *,
    reason_code: str,
    reason: str | None,
    settings: InvoicingSettings,
    actor: Principal,
    clock: Clock,
) -> tuple[CreditMemo, Invoice]:
    """The payer denies all of the claim (no `requests`) or part of it: a credit memo to the
    payer's invoice (settled through payments like any memo) and an invoice to the customer for
    exactly what the memo credits, linked to the claim. A denied part the customer is not billed
    for is no memo: it is a bad-debt write-off in payments, which owns every settlement."""
    if claim.claim_for is None:
        raise InvoiceRuleBroken("the invoice is not a claim billed to a third-party payer")
    credit = credit_for(claim, requests)
    memo = await issue_credit_memo(
        session,
        claim,
        credit,
        reason_code=reason_code,
        reason=f"claim {claim.claim_number} denied" + (f": {reason}" if reason else ""),
        settings=settings,
        actor=actor,
        rebill=True,
        clock=clock,
    )
    account = await session.get(BillingAccount, claim.claim_for)
    if account is None or account.currency != claim.currency:
        raise InvoiceRuleBroken("the claim's customer cannot be billed in the claim's currency")
    lines = _moved_lines(claim, requests, credit, f"Claim {claim.claim_number} denied: ")
    rebilled = _copy(claim, account, credit, lines, actor, clock)
    rebilled.claim_number = claim.claim_number
    session.add(rebilled)
    await session.flush()
    await issue_invoices(session, [rebilled], settings=settings, actor=actor, clock=clock)
    record_change(
        session,
        actor=actor,
        action="claim_denied",
        entity_type="invoice",
        entity_id=str(claim.id),
        changes={
            "credit_memo": memo.number,
            "denied": str(credit.total),
            "rebilled_on": rebilled.number,
        },
        reason=f"{reason_code}: {memo.reason}",
    )
    record_change(
        session,
        actor=actor,
        action="claim_denial_rebilled",
        entity_type="invoice",
        entity_id=str(rebilled.id),
        changes={
            "claim": claim.number,
            "claim_number": claim.claim_number,
            "credit_memo": memo.number,
        },
        reason=reason_code,
    )
    return memo, rebilled


async def move_to_payer(
    session: AsyncSession,
    invoice: Invoice,
    payer: BillingAccount,
    claim_number: str,
    requests: Sequence[CreditRequest] | None,
    *,
    settings: InvoicingSettings,
    actor: Principal,
    clock: Clock,
) -> tuple[CreditMemo, Invoice]:
    """An issued invoice's open part (all of it, or the lines named) moves to a third-party
    payer: a credit memo to the customer's invoice for it (so the customer owes it no more) and
    a claim to the payer for exactly what the memo credits, issued today on the payer's terms,
    linked to the invoice (`rebill_of`). What the customer paid already stays paid."""
    _check_payer(invoice, payer)
    credit = credit_for(invoice, requests)
    memo = await issue_credit_memo(
        session,
        invoice,
        credit,
        reason_code=BILLED_TO_PAYER,
        reason=f"claim {claim_number} billed to {payer.legal_name}",
        settings=settings,
        actor=actor,
        rebill=True,
        clock=clock,
    )
    lines = _moved_lines(invoice, requests, credit, f"Claim {claim_number}: ")
    whole = requests is None
    tickets = [uuid.UUID(t) for t in invoice.ticket_ids] if whole else None
    claim = _copy(invoice, payer, credit, lines, actor, clock, ticket_ids=tickets)
    claim.claim_for, claim.claim_number = invoice.customer_id, claim_number
    session.add(claim)
    await session.flush()
    if whole:  # the claim bills the tickets now, as a rebill does
        await session.exec(
            update(Ticket).where(col(Ticket.invoice_id) == invoice.id).values(invoice_id=claim.id)
        )
    await issue_invoices(session, [claim], settings=settings, actor=actor, clock=clock)
    record_change(
        session,
        actor=actor,
        action="claim_moved_to_payer",
        entity_type="invoice",
        entity_id=str(invoice.id),
        changes={
            "payer": str(payer.id),
            "claim_number": claim_number,
            "credit_memo": memo.number,
            "claim": claim.number,
            "moved": str(credit.total),
        },
    )
    record_change(
        session,
        actor=actor,
        action="claim_billed_to_payer",
        entity_type="invoice",
        entity_id=str(claim.id),
        changes={
            "payer": str(payer.id),
            "claim_number": claim_number,
            "customer": str(invoice.customer_id),
            "moved_from": invoice.number,
        },
    )
    return memo, claim
