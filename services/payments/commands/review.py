"""What a person does with cash application: apply a payment by hand, accept or dismiss a
suggestion from the review queue. Matching an unknown payer by hand teaches its name and account."""

import uuid
from datetime import date
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.applications import (
    Basis,
    CashRuleBroken,
    apply_to_invoice,
    get_open_item,
)
from services.payments.commands.cash_application import learn_payer
from services.payments.commands.suggestions import SuggestionSuperseded, misfit
from services.payments.domain.statuses import SuggestionStatus
from services.payments.models import Application, Payment, Suggestion
from services.payments.queries import SUGGESTIONS
from services.payments.schemas import ApplicationIn
from services.payments.settings import PaymentsSettings
from shared.audit import record_change
from shared.auth import UNLIMITED, Principal, Scope
from shared.periods import ensure_open


async def apply_by_hand(
    session: AsyncSession,
    payment: Payment,
    lines: list[ApplicationIn],
    rules: PaymentsSettings,
    actor: Principal,
    *,
    note: str | None = None,
    on: date | None = None,
) -> list[Application]:
    """Apply the payment to the invoices given; all or nothing."""
    if len({line.invoice_id for line in lines}) != len(lines):
        raise CashRuleBroken("each invoice may appear once in one request")
    await ensure_open(session, on or payment.received_on)
    applied = []
    for line in lines:
        invoice = await get_open_item(session, line.invoice_id)
        applied.append(
            await apply_to_invoice(
                session,
                rules.chart,
                payment,
                invoice,
                line.amount,
                discount=line.discount,
                applied_on=on or payment.received_on,
                actor=actor,
                basis=Basis(explanation=note or "applied by hand", reason_code=line.reason_code),
            )
        )
    if len({a.customer_id for a in applied}) > 1:
        raise CashRuleBroken("one payment is applied to one customer's invoices")
    await learn_payer(session, payment, applied[0].customer_id, actor)
    return applied


async def get_suggestion(
    session: AsyncSession, suggestion_id: uuid.UUID, scope: Scope = UNLIMITED
) -> Suggestion:
    """The suggestion, locked and still fit to decide; a 404 when it is unknown or outside the
    caller's scope. It is judged by the customer whose invoices it proposes (the payer's, when
    the payer is known): one without a customer is outside every scope that limits customers."""
    statement = select(Suggestion).where(Suggestion.id == suggestion_id)
    suggestion = await SUGGESTIONS.one(
        session, statement, scope, missing=f"no suggestion {suggestion_id}", lock=True
    )
    if suggestion.status == SuggestionStatus.SUPERSEDED:
        raise SuggestionSuperseded(
            f"the suggestion was superseded: {suggestion.superseded_reason}",
            reason=suggestion.superseded_reason,
        )
    if suggestion.status != SuggestionStatus.PENDING:
        raise CashRuleBroken(f"the suggestion was already {suggestion.status}")
    # Every change to a payment or invoice supersedes what it unfits; this is the last guard.
    reason = await misfit(session, suggestion)
    if reason is not None:
        raise SuggestionSuperseded(f"the suggestion no longer fits: {reason}", reason=reason)
    return suggestion


async def accept_suggestion(
    session: AsyncSession,
    suggestion: Suggestion,
    payment: Payment,
    rules: PaymentsSettings,
    actor: Principal,
) -> list[Application]:
    if not suggestion.proposal:
        raise CashRuleBroken("the suggestion proposes nothing to apply; apply the payment by hand")
    # Decided before its cash moves, so the applications below do not supersede it.
    suggestion.status, suggestion.decided_by = SuggestionStatus.ACCEPTED, actor.subject
    lines = [
        ApplicationIn(
            invoice_id=uuid.UUID(p["invoice_id"]),
            amount=Decimal(p["amount"]),
            discount=Decimal(p["discount"]),
            reason_code=p["reason_code"],
        )
        for p in suggestion.proposal
    ]
    applied = await apply_by_hand(
        session, payment, lines, rules, actor, note=f"suggestion accepted: {suggestion.explanation}"
    )
    return applied


def dismiss_suggestion(session: AsyncSession, suggestion: Suggestion, actor: Principal) -> None:
    suggestion.status, suggestion.decided_by = SuggestionStatus.DISMISSED, actor.subject
    record_change(
        session,
        actor=actor,
        action="suggestion_dismissed",
        entity_type="payment",
        entity_id=str(suggestion.payment_id),
        changes={"suggestion_id": str(suggestion.id)},
    )
