"""A customer's billing contacts."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.commands.changes import add_child, child_of, remove_child, update_child
from services.customers.models import Customer, CustomerContact
from services.customers.schemas import ContactIn, ContactPatch
from shared.auth import Principal
from shared.clock import Clock


async def add_contact(
    session: AsyncSession, clock: Clock, customer: Customer, data: ContactIn, actor: Principal
) -> CustomerContact:
    return await add_child(
        session,
        clock,
        customer,
        actor,
        CustomerContact(customer_id=customer.id, **data.model_dump()),
        data,
        action="contact_added",
        section="contacts",
        what="contact",
    )


async def update_contact(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    contact_id: uuid.UUID,
    patch: ContactPatch,
    actor: Principal,
) -> CustomerContact:
    contact = child_of(customer.contacts, contact_id, "contact")
    return await update_child(
        session,
        clock,
        customer,
        actor,
        contact,
        patch,
        action="contact_updated",
        section="contacts",
    )


async def remove_contact(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    contact_id: uuid.UUID,
    reason: str | None,
    actor: Principal,
) -> None:
    contact = child_of(customer.contacts, contact_id, "contact")
    await remove_child(
        session,
        clock,
        customer,
        actor,
        customer.contacts,
        contact,
        action="contact_removed",
        section="contacts",
        reason=reason,
    )
