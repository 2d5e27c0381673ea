"""Credit applications: submitted, reviewed, approved or declined, and the reference calls."""

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from services.credit.api.dependencies import Settings
from services.credit.commands import applications as commands
from services.credit.domain.applications import ApplicationStatus
from services.credit.queries.applications import (
    APPLICATION_ORDER,
    get_application,
    reference_checks,
    search_applications,
)
from services.credit.schemas import (
    ApplicationCreate,
    ApplicationOut,
    Approval,
    Decline,
    ReferenceCheckIn,
    ReferenceCheckOut,
)
from shared.api.access import CreditDecider, StaffAndAuditors, StaffAndSystems
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/credit-applications", "credit applications")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Submit a credit application")
async def submit_application(
    data: ApplicationCreate, session: SessionDep, actor: StaffAndSystems, response: Response
) -> ApplicationOut:
    """Submit a customer's application: the business, the limit and terms requested, its trade
    and bank references and the documents received. A 404 problem if credit does not know the
    customer. Send an `Idempotency-Key` to retry safely."""
    application = await commands.submit(session, data, actor)
    response.headers["Location"] = f"{router.prefix}/{application.id}"
    return ApplicationOut.model_validate(application)


@router.get("", summary="List credit applications")
async def list_applications(
    session: SessionDep,
    _: StaffAndAuditors,
    page: PageQuery,
    status_: Annotated[ApplicationStatus | None, Query(alias="status")] = None,
    customer_id: uuid.UUID | None = None,
) -> Page[ApplicationOut]:
    """Applications matching every filter, oldest first, a page at a time."""
    statement = search_applications(status=status_, customer_id=customer_id)
    return await page_of(
        session,
        statement,
        order_by=APPLICATION_ORDER,
        params=page,
        item=ApplicationOut.model_validate,
    )


@router.get("/{application_id}", summary="Read a credit application")
async def read_application(
    application_id: uuid.UUID, session: SessionDep, _: StaffAndAuditors
) -> ApplicationOut:
    """The application with its decision so far."""
    return ApplicationOut.model_validate(await get_application(session, application_id))


@router.post("/{application_id}/review", summary="Start reviewing an application")
async def start_review(
    application_id: uuid.UUID, session: SessionDep, actor: CreditDecider
) -> ApplicationOut:
    """Take a submitted application under review; the caller becomes its reviewer."""
    application = await get_application(session, application_id, lock=True)
    return ApplicationOut.model_validate(await commands.start_review(session, application, actor))


@router.post("/{application_id}/approve", summary="Approve an application")
async def approve_application(
    clock: ClockDep,
    application_id: uuid.UUID,
    data: Approval,
    session: SessionDep,
    actor: CreditDecider,
    settings: Settings,
) -> ApplicationOut:
    """Approve an application under review with a limit, terms and conditions. A credit manager
    approves up to the configured amount, an AR supervisor above it (403 `over-approval-authority`
    otherwise); nobody decides an application they submitted (403 `own-request`). The customer's
    credit becomes active: publishes `CreditLimitChanged` and `CreditApplicationApproved`."""
    application = await get_application(session, application_id, lock=True)
    return ApplicationOut.model_validate(
        await commands.approve(session, application, data, actor, settings, clock=clock)
    )


@router.post("/{application_id}/decline", summary="Decline an application")
async def decline_application(
    clock: ClockDep,
    application_id: uuid.UUID,
    data: Decline,
    session: SessionDep,
    actor: CreditDecider,
) -> ApplicationOut:
    """Decline an application under review, giving the reasons."""
    application = await get_application(session, application_id, lock=True)
    return ApplicationOut.model_validate(
        await commands.decline(session, application, data, actor, clock=clock)
    )


@router.post(
    "/{application_id}/reference-checks",
    status_code=status.HTTP_201_CREATED,
    summary="Record a trade reference call",
)
async def record_reference_check(
    application_id: uuid.UUID, data: ReferenceCheckIn, session: SessionDep, actor: CreditDecider
) -> ReferenceCheckOut:
    """What a trade or bank reference said when called: contact, date, highest credit, terms,
    days beyond terms, comments, and whether it could be verified."""
    application = await get_application(session, application_id)
    check = await commands.record_reference_check(session, application, data, actor)
    return ReferenceCheckOut.model_validate(check)


@router.get("/{application_id}/reference-checks", summary="List the reference calls")
async def list_reference_checks(
    application_id: uuid.UUID, session: SessionDep, _: StaffAndAuditors
) -> list[ReferenceCheckOut]:
    """The calls made for this application, in the order they were recorded."""
    await get_application(session, application_id)
    checks = await reference_checks(session, application_id)
    return [ReferenceCheckOut.model_validate(check) for check in checks]
