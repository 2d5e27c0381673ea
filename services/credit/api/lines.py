"""Credit lines (limit, terms, review date), the review worklist and the score."""

import uuid

from fastapi import Response, status

from services.credit.api.dependencies import Settings
from services.credit.commands.limits import (
    approve_credit_line,
    needs_second_approval,
    request_credit_line,
    set_credit_line,
)
from services.credit.domain.scoring import Factor
from services.credit.models import CreditLine
from services.credit.queries.accounts import get_account
from services.credit.queries.scores import score_customer
from services.credit.queries.worklist import worklist
from services.credit.schemas import (
    CreditLineIn,
    CreditLineOut,
    CreditLineRequestOut,
    FactorOut,
    ScoreOut,
    WorkItem,
)
from shared.api.access import CreditDecider, StaffAndAuditors
from shared.api.problems import NotFound
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/credit-lines", "credit lines")
reviews = service_router("/v1/credit-reviews", "credit lines")
scores = service_router("/v1/credit-scores", "credit scores")


@router.put(
    "/{customer_id}",
    summary="Set a customer's limit and terms",
    response_model=CreditLineOut | CreditLineRequestOut,
    responses={
        202: {"model": CreditLineRequestOut, "description": "Waiting for a second approver"}
    },
)
async def put_credit_line(
    clock: ClockDep,
    customer_id: uuid.UUID,
    data: CreditLineIn,
    session: SessionDep,
    actor: CreditDecider,
    settings: Settings,
    response: Response,
) -> CreditLineOut | CreditLineRequestOut:
    """Set the limit and terms with a reason (required) and a review date; the caller is the
    approver and needs the authority for the amount (a credit manager up to the configured
    amount, an AR supervisor above). Publishes `CreditLimitChanged`; a limit below the exposure
    puts the customer on hold at once. A limit above `AR_CREDIT_SECOND_APPROVAL_ABOVE` is only
    requested (202): another person sets it with `POST .../approve`."""
    account = await get_account(session, customer_id)
    if needs_second_approval(data.credit_limit, settings):
        request = await request_credit_line(
            session,
            customer_id=customer_id,
            currency=account.currency,
            limit=data.credit_limit,
            terms=data.terms,
            reason=data.reason,
            review_on=data.review_on,
            requester=actor,
            settings=settings,
            clock=clock,
        )
        response.status_code = status.HTTP_202_ACCEPTED
        return CreditLineRequestOut.model_validate(request)
    line = await set_credit_line(
        session,
        customer_id=customer_id,
        currency=account.currency,
        limit=data.credit_limit,
        terms=data.terms,
        reason=data.reason,
        review_on=data.review_on,
        approver=actor,
        settings=settings,
        clock=clock,
    )
    return CreditLineOut.model_validate(line)


@router.post("/{customer_id}/approve", summary="Approve a limit waiting for a second approver")
async def approve_line(
    clock: ClockDep,
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: CreditDecider,
    settings: Settings,
) -> CreditLineOut:
    """Set the limit another person requested; the approver needs the authority for the amount.
    A 409 problem when nothing waits, a 403 for the requester or above the approver's authority."""
    account = await get_account(session, customer_id, lock=True)
    line = await approve_credit_line(
        session,
        customer_id,
        currency=account.currency,
        approver=actor,
        settings=settings,
        clock=clock,
    )
    return CreditLineOut.model_validate(line)


@router.get("/{customer_id}", summary="Read a customer's limit and terms")
async def read_credit_line(
    customer_id: uuid.UUID, session: SessionDep, _: StaffAndAuditors
) -> CreditLineOut:
    """A 404 problem when the customer has no active credit."""
    line = await session.get(CreditLine, customer_id)
    if line is None:
        raise NotFound(f"customer {customer_id} has no active credit")
    return CreditLineOut.model_validate(line)


@reviews.get("", summary="The review worklist")
async def review_worklist(
    clock: ClockDep, session: SessionDep, _: StaffAndAuditors, settings: Settings
) -> list[WorkItem]:
    """Limit reviews due within the configured window (or overdue) and customers with credit
    whose newest bureau report has expired, soonest due first."""
    return await worklist(session, settings, clock=clock)


def _factors(factors: list[Factor]) -> list[FactorOut]:
    return [FactorOut.model_validate(f, from_attributes=True) for f in factors]


@scores.get("/{customer_id}", summary="Score a customer")
async def read_score(
    clock: ClockDep,
    customer_id: uuid.UUID,
    session: SessionDep,
    _: StaffAndAuditors,
    settings: Settings,
) -> ScoreOut:
    """The customer's score on the documented scorecard (0-100 and a grade) with every factor
    and the ones that moved it: bureau score and payment index, derogatory items, verified trade
    references, our own payment history (amount-weighted days beyond terms, returned payments),
    utilisation of the limit and age of the relationship."""
    result = await score_customer(session, customer_id, settings, clock=clock)
    return ScoreOut(
        customer_id=customer_id,
        points=result.points,
        grade=result.grade,
        factors=_factors(result.factors),
        moved_by=_factors(result.moved_by),
        as_of=clock.today(),
    )
