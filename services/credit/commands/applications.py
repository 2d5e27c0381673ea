"""The credit application workflow as commands: submit, review, approve, decline, and the
reference calls made along the way. Each audited, in the caller's transaction."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.commands.limits import set_credit_line
from services.credit.domain.applications import (
    ApplicationStatus,
    check_approval_authority,
    check_not_own_request,
    check_transition,
)
from services.credit.models import CreditApplication, ReferenceCheck
from services.credit.publishing import publish
from services.credit.queries.accounts import get_account
from services.credit.schemas import (
    ApplicationCreate,
    Approval,
    Decline,
    ReferenceCheckIn,
)
from services.credit.settings import CreditSettings
from shared.api.money import require_minor_units
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.credit import CreditApplicationApproved
from shared.events.customers import PaymentTerms


def _audit(
    session: AsyncSession,
    application: CreditApplication,
    actor: Principal,
    action: str,
    changes: dict[str, object],
    reason: str | None = None,
) -> None:
    record_change(
        session,
        actor=actor,
        action=action,
        entity_type="credit_application",
        entity_id=str(application.id),
        changes=changes,
        reason=reason,
    )


async def submit(
    session: AsyncSession, data: ApplicationCreate, actor: Principal
) -> CreditApplication:
    account = await get_account(session, data.customer_id)
    require_minor_units(account.currency, data.requested_limit)
    application = CreditApplication(
        customer_id=account.id,
        status=ApplicationStatus.SUBMITTED,
        currency=account.currency,
        submitted_by=actor.subject,
        requested_limit=data.requested_limit,
        **data.model_dump(mode="json", exclude={"customer_id", "requested_limit"}),
    )
    session.add(application)
    _audit(
        session, application, actor, "credit_application_submitted", data.model_dump(mode="json")
    )
    return application


async def start_review(
    session: AsyncSession, application: CreditApplication, actor: Principal
) -> CreditApplication:
    check_transition(application.status, ApplicationStatus.UNDER_REVIEW)
    check_not_own_request(actor, application.submitted_by, to="review")
    application.status, application.reviewer = ApplicationStatus.UNDER_REVIEW, actor.subject
    _audit(
        session,
        application,
        actor,
        "credit_application_review_started",
        {"status": {"from": ApplicationStatus.SUBMITTED, "to": application.status}},
    )
    return application


async def approve(
    session: AsyncSession,
    application: CreditApplication,
    data: Approval,
    actor: Principal,
    settings: CreditSettings,
    *,
    clock: Clock,
) -> CreditApplication:
    """Approve with a limit and terms; the customer's credit becomes active at once."""
    check_transition(application.status, ApplicationStatus.APPROVED)
    check_not_own_request(actor, application.submitted_by)
    check_approval_authority(actor, data.credit_limit, settings.manager_approval_limit)
    terms = data.terms or PaymentTerms.model_validate(application.requested_terms)
    application.status = ApplicationStatus.APPROVED
    application.approved_limit, application.approved_terms = (
        data.credit_limit,
        terms.model_dump(mode="json"),
    )
    application.conditions = data.conditions
    application.decided_by, application.decided_at = actor.subject, clock.now()
    _audit(
        session,
        application,
        actor,
        "credit_application_approved",
        data.model_dump(mode="json"),
        data.conditions,
    )
    await set_credit_line(
        session,
        customer_id=application.customer_id,
        currency=application.currency,
        limit=data.credit_limit,
        terms=terms,
        reason=f"credit application {application.id} approved",
        review_on=data.review_on,
        approver=actor,
        settings=settings,
        clock=clock,
    )
    publish(
        session,
        CreditApplicationApproved(
            application_id=application.id,
            customer_id=application.customer_id,
            currency=application.currency,
            credit_limit=data.credit_limit,
            terms=terms,
            conditions=data.conditions,
            approved_by=actor.subject,
            approved_on=clock.today(),
        ),
        customer_id=application.customer_id,
        aggregate_id=application.id,
    )
    return application


async def decline(
    session: AsyncSession,
    application: CreditApplication,
    data: Decline,
    actor: Principal,
    *,
    clock: Clock,
) -> CreditApplication:
    check_transition(application.status, ApplicationStatus.DECLINED)
    check_not_own_request(actor, application.submitted_by)
    application.status, application.decline_reasons = ApplicationStatus.DECLINED, data.reasons
    application.decided_by, application.decided_at = actor.subject, clock.now()
    _audit(
        session,
        application,
        actor,
        "credit_application_declined",
        {"reasons": data.reasons},
        "; ".join(data.reasons),
    )
    return application


async def record_reference_check(
    session: AsyncSession, application: CreditApplication, data: ReferenceCheckIn, actor: Principal
) -> ReferenceCheck:
    check = ReferenceCheck(
        application_id=application.id,
        customer_id=application.customer_id,
        recorded_by=actor.subject,
        **data.model_dump(),
    )
    session.add(check)
    _audit(
        session,
        application,
        actor,
        "trade_reference_checked",
        {"reference_check": data.model_dump(mode="json")},
    )
    return check
