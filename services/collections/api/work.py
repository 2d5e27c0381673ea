"""Working the accounts: the worklist, activities, promises to pay and disputes."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, status
from sqlmodel import col

from services.collections.commands import work
from services.collections.domain.work import DisputeStatus, promise_status
from services.collections.models import Activity, Dispute, PromiseToPay
from services.collections.queries.work import activities_of, disputes, get_dispute, promises
from services.collections.queries.worklist import WorklistRow, worklist
from services.collections.schemas import (
    ActivityIn,
    ActivityOut,
    DisputeIn,
    DisputeOut,
    DisputeResolution,
    PromiseIn,
    PromiseOut,
    WorklistRowOut,
)
from shared.api.access import ScopedAnyRole, ScopedARStaff
from shared.api.dates import BoundedDate
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.audit import HistoryEntry, history
from shared.clock import ClockDep

# A pattern, not the enum, so the OpenAPI document keeps describing the filter as it did.
DISPUTE_STATUSES = f"^({'|'.join(DisputeStatus)})$"

router = service_router("/v1", "working the accounts")

Today = Annotated[BoundedDate | None, Query(description="Default today")]


def _row_out(row: WorklistRow) -> WorklistRowOut:
    p, account = row.position, row.account
    return WorklistRowOut(
        customer_id=row.customer_id,
        currency=row.currency,
        account_number=account.account_number if account else None,
        legal_name=account.legal_name if account else None,
        business_district=account.business_district if account else None,
        sales_rep=account.sales_rep if account else None,
        past_due=p.past_due,
        oldest_days_past_due=p.oldest_days_past_due,
        disputed=p.disputed,
        promised=p.promised,
        to_chase=p.to_chase,
        broken_promises=p.broken_promises,
        days_beyond_terms=p.days_beyond_terms,
        last_activity_on=p.last_activity_on,
        follow_up_due=row.follow_up_due,
        needs_action_history=row.needs_action_history,
        priority=row.priority,
    )


@router.get("/worklist", summary="Customers to work, most worth a call first")
async def read_worklist(
    clock: ClockDep,
    session: SessionDep,
    actor: ScopedAnyRole,
    as_of: Today = None,
    business_district: Annotated[str | None, Query(max_length=50)] = None,
    sales_rep: Annotated[str | None, Query(max_length=100)] = None,
    follow_up_due: Annotated[bool | None, Query(description="Only those due a call")] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="The top of the list")] = 500,
) -> list[WorklistRowOut]:
    """Every customer with a past-due balance, ranked by amount to chase, days past due, broken
    promises and payment history (the top `limit`). Past 30 days a follow-up is due every
    week; past 60 the account needs its action history and is on the management report.
    Disputed amounts and live promises are shown, not chased."""
    rows = await worklist(
        session,
        as_of or clock.today(),
        business_district=business_district,
        sales_rep=sales_rep,
        scope=actor.scope,
    )
    if follow_up_due is not None:
        rows = [row for row in rows if row.follow_up_due == follow_up_due]
    return [_row_out(row) for row in rows[:limit]]


@router.post("/activities", status_code=status.HTTP_201_CREATED, summary="Record an activity")
async def create_activity(
    clock: ClockDep, data: ActivityIn, session: SessionDep, actor: ScopedARStaff
) -> ActivityOut:
    """A call, email, letter, meeting or note on a customer's account, with its outcome and
    the next step; it restarts the weekly follow-up clock."""
    activity = await work.record_activity(session, data, actor, clock=clock)
    await session.flush()
    return ActivityOut.model_validate(activity)


@router.get("/activities", summary="A customer's action history")
async def list_activities(
    session: SessionDep, actor: ScopedAnyRole, page: PageQuery, customer_id: uuid.UUID
) -> Page[ActivityOut]:
    """What was done on the account, oldest first, a page at a time."""
    return await page_of(
        session,
        activities_of(customer_id, actor.scope),
        order_by=[col(Activity.occurred_at), col(Activity.id)],
        params=page,
        item=ActivityOut.model_validate,
    )


def _promise_out(promise: PromiseToPay, today: date) -> PromiseOut:
    return PromiseOut(
        **promise.model_dump(exclude={"invoice_ids", "kept_on"}),
        invoice_ids=[uuid.UUID(i) for i in promise.invoice_ids],
        status=promise_status(promise.promised_on, promise.kept_on, today),
    )


@router.post("/promises", status_code=status.HTTP_201_CREATED, summary="Record a promise to pay")
async def create_promise(
    clock: ClockDep, data: PromiseIn, session: SessionDep, actor: ScopedARStaff
) -> PromiseOut:
    """The customer promised to pay `amount` by `promised_on`. Payments received by then count
    towards it; it is kept when they reach the amount and broken when the date passes first.
    Publishes `PromiseToPayRecorded`."""
    promise = await work.record_promise(session, data, actor, clock=clock)
    return _promise_out(promise, clock.today())


@router.get("/promises", summary="Promises to pay, kept, live or broken")
async def list_promises(
    clock: ClockDep,
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    customer_id: uuid.UUID | None = None,
    as_of: Today = None,
) -> Page[PromiseOut]:
    """Promises in date order with their status as of the day: live, kept or broken."""
    day = as_of or clock.today()
    return await page_of(
        session,
        promises(customer_id, actor.scope),
        order_by=[col(PromiseToPay.promised_on), col(PromiseToPay.id)],
        params=page,
        item=lambda p: _promise_out(p, day),
    )


@router.post("/disputes", status_code=status.HTTP_201_CREATED, summary="Open a dispute")
async def create_dispute(
    clock: ClockDep, data: DisputeIn, session: SessionDep, actor: ScopedARStaff
) -> DisputeOut:
    """A customer disputes an invoice (all of it, or `amount`) or an amount on account, for a
    reason the named department (sales, service, operations) must act on. The disputed amount
    is no longer chased or dunned. Publishes `DisputeOpened`."""
    dispute = await work.open_dispute(session, data, actor, clock=clock)
    return DisputeOut.model_validate(dispute)


@router.post("/disputes/{dispute_id}/resolve", summary="Resolve a dispute")
async def resolve_dispute(
    clock: ClockDep,
    dispute_id: uuid.UUID,
    data: DisputeResolution,
    session: SessionDep,
    actor: ScopedARStaff,
) -> DisputeOut:
    """Close the dispute with how and for whom it was settled (`outcome`: customer, company or
    split); the amount is chased again if still owed.
    Publishes `DisputeResolved`."""
    return DisputeOut.model_validate(
        await work.resolve_dispute(session, dispute_id, data, actor, clock=clock)
    )


@router.get(
    "/disputes/{dispute_id}/history", summary="Who opened and resolved the dispute, and how"
)
async def dispute_history(
    dispute_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[HistoryEntry]:
    """Opened, then resolved with its outcome (whom it was settled for) and resolution: each
    with who, when and why, oldest first."""
    await get_dispute(session, dispute_id, scope=actor.scope)
    return await history(session, "dispute", str(dispute_id))


@router.get("/disputes", summary="Disputes by status and department")
async def list_disputes(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    status_: Annotated[str | None, Query(alias="status", pattern=DISPUTE_STATUSES)] = None,
    department: str | None = None,
    customer_id: uuid.UUID | None = None,
) -> Page[DisputeOut]:
    """Disputes in the order they were opened, filtered by status, department or customer."""
    return await page_of(
        session,
        disputes(actor.scope, status=status_, department=department, customer_id=customer_id),
        order_by=[col(Dispute.opened_on), col(Dispute.id)],
        params=page,
        item=DisputeOut.model_validate,
    )
