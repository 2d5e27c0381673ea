"""A customer's addresses."""

import uuid

from services.customers.api.dependencies import PREFIX, TAG, Reason
from services.customers.commands.addresses import add_address, remove_address, update_address
from services.customers.queries import get_customer
from services.customers.schemas import AddressIn, AddressPatch
from shared.api.access import StaffAndIntegration
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.events.customers import Address

router = service_router(PREFIX, TAG)


@router.post("/{customer_id}/addresses", status_code=201, summary="Add an address")
async def create_address(
    customer_id: uuid.UUID,
    data: AddressIn,
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
) -> Address:
    """Add a bill-to, ship-to or job-site address."""
    customer = await get_customer(session, customer_id, lock=True)
    address = await add_address(session, clock, customer, data, actor)
    return Address.model_validate(address, from_attributes=True)


@router.patch("/{customer_id}/addresses/{address_id}", summary="Change an address")
async def patch_address(
    customer_id: uuid.UUID,
    address_id: uuid.UUID,
    data: AddressPatch,
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
) -> Address:
    """Change the fields sent; an active customer keeps a bill-to address."""
    customer = await get_customer(session, customer_id, lock=True)
    address = await update_address(session, clock, customer, address_id, data, actor)
    return Address.model_validate(address, from_attributes=True)


@router.delete(
    "/{customer_id}/addresses/{address_id}", status_code=204, summary="Remove an address"
)
async def delete_address(
    customer_id: uuid.UUID,
    address_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
    reason: Reason = None,
) -> None:
    """Remove an address; an active customer's only bill-to address stays."""
    customer = await get_customer(session, customer_id, lock=True)
    await remove_address(session, clock, customer, address_id, reason, actor)
