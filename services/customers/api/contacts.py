"""A customer's billing contacts."""

import uuid

from services.customers.api.dependencies import PREFIX, TAG, Reason
from services.customers.commands.contacts import add_contact, remove_contact, update_contact
from services.customers.queries import get_customer
from services.customers.schemas import ContactIn, ContactPatch
from shared.api.access import StaffAndIntegration
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.events.customers import Contact

router = service_router(PREFIX, TAG)


@router.post("/{customer_id}/contacts", status_code=201, summary="Add a billing contact")
async def create_contact(
    customer_id: uuid.UUID,
    data: ContactIn,
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
) -> Contact:
    """Add a person invoices and statements go to."""
    customer = await get_customer(session, customer_id, lock=True)
    contact = await add_contact(session, clock, customer, data, actor)
    return Contact.model_validate(contact, from_attributes=True)


@router.patch("/{customer_id}/contacts/{contact_id}", summary="Change a contact")
async def patch_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    data: ContactPatch,
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
) -> Contact:
    """Change the fields sent."""
    customer = await get_customer(session, customer_id, lock=True)
    contact = await update_contact(session, clock, customer, contact_id, data, actor)
    return Contact.model_validate(contact, from_attributes=True)


@router.delete("/{customer_id}/contacts/{contact_id}", status_code=204, summary="Remove a contact")
async def delete_contact(
    customer_id: uuid.UUID,
    contact_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
    reason: Reason = None,
) -> None:
    """Remove a contact."""
    customer = await get_customer(session, customer_id, lock=True)
    await remove_contact(session, clock, customer, contact_id, reason, actor)
