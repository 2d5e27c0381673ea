"""Applications and the review queue: suggestions below the auto-apply threshold, unapplying."""

import uuid
from typing import Annotated

from fastapi import Query
from sqlmodel import col

from services.payments import queries
from services.payments.api.dependencies import Rules
from services.payments.commands import review
from services.payments.commands.applications import unapply
from services.payments.commands.receipts import get_payment
from services.payments.domain.statuses import SuggestionStatus
from services.payments.models import Application, Suggestion
from services.payments.schemas import ApplicationOut, ReasonIn, SuggestionOut
from shared.api.access import ScopedAnyRole, ScopedARStaff
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.periods import ensure_open

router = service_router("/v1/applications", "cash application")


@router.get("/suggestions", summary="The review queue")
async def list_suggestions(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    status: Annotated[
        str, Query(description="pending, accepted, dismissed or superseded")
    ] = SuggestionStatus.PENDING,
    customer_id: uuid.UUID | None = None,
) -> Page[SuggestionOut]:
    """Proposed applications cash application was not sure enough to make, oldest first, each
    with its confidence and explanation; also payments whose remittance names invoices that
    match nothing."""
    return await page_of(
        session,
        queries.suggestions(status=status, customer_id=customer_id, scope=actor.scope),
        order_by=[col(Suggestion.created_at), col(Suggestion.id)],
        params=page,
        item=SuggestionOut.model_validate,
    )


@router.post("/suggestions/{suggestion_id}/accept", summary="Accept a suggestion")
async def accept_suggestion(
    suggestion_id: uuid.UUID, session: SessionDep, actor: ScopedARStaff, rules: Rules
) -> list[ApplicationOut]:
    """Apply what the suggestion proposes, as a manual match (the payer's name and account are
    learned). Publishes `PaymentApplied` for each invoice."""
    suggestion = await review.get_suggestion(session, suggestion_id, actor.scope)
    payment = await get_payment(session, suggestion.payment_id, lock=True)
    applied = await review.accept_suggestion(session, suggestion, payment, rules, actor)
    return [ApplicationOut.model_validate(a) for a in applied]


@router.post("/suggestions/{suggestion_id}/dismiss", summary="Dismiss a suggestion")
async def dismiss_suggestion(
    suggestion_id: uuid.UUID, session: SessionDep, actor: ScopedARStaff
) -> SuggestionOut:
    """Take the suggestion off the queue; the payment's cash stays unapplied."""
    suggestion = await review.get_suggestion(session, suggestion_id, actor.scope)
    review.dismiss_suggestion(session, suggestion, actor)
    return SuggestionOut.model_validate(suggestion)


@router.post("/{application_id}/unapply", summary="Unapply")
async def unapply_application(
    clock: ClockDep,
    application_id: uuid.UUID,
    data: ReasonIn,
    session: SessionDep,
    actor: ScopedARStaff,
    rules: Rules,
) -> ApplicationOut:
    """Undo an application: the cash returns to the payment (or deposit) as unapplied credit and
    the invoice reopens. Publishes `PaymentUnapplied` with the reversing journal entry."""
    application = await queries.get_application_in_scope(session, application_id, actor.scope)
    await ensure_open(session, clock.today())
    await unapply(
        session, rules.chart, application, reason=data.reason, on=clock.today(), actor=actor
    )
    return ApplicationOut.model_validate(application)


@router.get("", summary="List applications")
async def list_applications(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    invoice_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
) -> Page[ApplicationOut]:
    """Applications (active and unapplied) in the order they were made."""
    return await page_of(
        session,
        queries.applications(invoice_id=invoice_id, customer_id=customer_id, scope=actor.scope),
        order_by=[col(Application.created_at), col(Application.id)],
        params=page,
        item=ApplicationOut.model_validate,
    )
