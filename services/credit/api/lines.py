"""Credit lines (limit, terms, review date), the review worklist and the score."""

import uuid

from services.credit.api.dependencies import Settings
from services.credit.commands.limits import set_credit_line
from services.credit.domain.scoring import Factor
from services.credit.models import CreditLine
from services.credit.queries.accounts import get_account
from services.credit.queries.scores import score_customer
from services.credit.queries.worklist import worklist
from services.credit.schemas import CreditLineIn, CreditLineOut, FactorOut, ScoreOut, WorkItem
from shared.api.access import CreditDecider, StaffAndAuditors
from shared.api.problems import NotFound
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/credit-lines", "credit lines")
reviews = service_router("/v1/credit-reviews", "credit lines")
scores = service_router("/v1/credit-scores", "credit scores")


@router.put("/{customer_id}", summary="Set a customer's limit and terms")
async def put_credit_line(
    clock: ClockDep,
    customer_id: uuid.UUID,
    data: CreditLineIn,
    session: SessionDep,
    actor: CreditDecider,
    settings: Settings,
) -> CreditLineOut:
    """Set the limit and terms with a reason (required) and a review date; the caller is the
    approver and needs the authority for the amount (a credit manager up to the configured
    amount, an AR supervisor above). Publishes `CreditLimitChanged`; a limit below the exposure
    puts the customer on hold at once."""
    account = await get_account(session, customer_id)
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
