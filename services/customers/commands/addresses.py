"""A customer's bill-to, ship-to and job-site addresses."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers import domain
from services.customers.commands.changes import add_child, child_of, remove_child, update_child
from services.customers.domain import CustomerRuleBroken
from services.customers.models import Customer, CustomerAddress
from services.customers.schemas import AddressIn, AddressPatch
from shared.auth import Principal
from shared.clock import Clock
from shared.events.customers import AddressKind, CustomerStatus


async def add_address(
    session: AsyncSession, clock: Clock, customer: Customer, data: AddressIn, actor: Principal
) -> CustomerAddress:
    return await add_child(
        session,
        clock,
        customer,
        actor,
        CustomerAddress(customer_id=customer.id, **data.model_dump()),
        data,
        action="address_added",
        section="addresses",
        what="address",
    )


async def update_address(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    address_id: uuid.UUID,
    patch: AddressPatch,
    actor: Principal,
) -> CustomerAddress:
    def still_valid() -> None:  # an active customer keeps a bill-to address
        if customer.status == CustomerStatus.ACTIVE:
            domain.check_can_hold_status(customer, CustomerStatus.ACTIVE)

    address = child_of(customer.addresses, address_id, "address")
    return await update_child(
        session,
        clock,
        customer,
        actor,
        address,
        patch,
        action="address_updated",
        section="addresses",
        rule=still_valid,
    )


async def remove_address(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    address_id: uuid.UUID,
    reason: str | None,
    actor: Principal,
) -> None:
    address = child_of(customer.addresses, address_id, "address")
    remaining = [a for a in customer.addresses if a.id != address_id]
    if (
        customer.status == CustomerStatus.ACTIVE
        and address.kind == AddressKind.BILL_TO
        and not any(a.kind == AddressKind.BILL_TO for a in remaining)
    ):
        raise CustomerRuleBroken("an active customer's only bill-to address cannot be removed")
    await remove_child(
        session,
        clock,
        customer,
        actor,
        customer.addresses,
        address,
        action="address_removed",
        section="addresses",
        reason=reason,
    )
