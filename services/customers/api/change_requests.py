"""Changes of a customer's payment terms or currency: one person requests, another approves."""

import uuid

from services.customers.api.customers import customer_out
from services.customers.api.dependencies import PREFIX, TAG
from services.customers.commands.change_requests import approve_change, request_change
from services.customers.queries import change_requests_of, get_change_request, get_customer
from services.customers.schemas import ChangeRequestIn, ChangeRequestOut, CustomerOut
from shared.api.access import CreditDecider, ScopedStaffAndAuditors, Staff
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router(PREFIX, TAG)


@router.post(
    "/{customer_id}/change-requests",
    status_code=201,
    summary="Request a change of payment terms or currency",
)
async def create_change_request(
    customer_id: uuid.UUID,
    data: ChangeRequestIn,
    session: SessionDep,
    clock: ClockDep,
    actor: Staff,
) -> ChangeRequestOut:
    """Ask for new payment terms, a new currency or both, with a reason. Nothing changes until
    a credit manager or AR supervisor other than the requester approves it."""
    customer = await get_customer(session, customer_id, lock=True)
    request = request_change(session, clock, customer, data, actor)
    await session.flush()
    return ChangeRequestOut.model_validate(request)


@router.get("/{customer_id}/change-requests", summary="The customer's change requests")
async def list_change_requests(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedStaffAndAuditors
) -> list[ChangeRequestOut]:
    """Requested and approved changes of terms and currency, oldest first."""
    await get_customer(session, customer_id, scope=actor.scope)
    return [
        ChangeRequestOut.model_validate(r) for r in await change_requests_of(session, customer_id)
    ]


@router.post(
    "/{customer_id}/change-requests/{request_id}/approve", summary="Approve a change request"
)
async def approve_change_request(
    customer_id: uuid.UUID,
    request_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    actor: CreditDecider,
) -> CustomerOut:
    """Make the change (publishes `CustomerUpdated`). A 403 problem for the requester, a 409 for
    a request approved already."""
    customer = await get_customer(session, customer_id, lock=True)
    request = await get_change_request(session, customer_id, request_id)
    customer = await approve_change(session, clock, customer, request, actor)
    return customer_out(customer)
