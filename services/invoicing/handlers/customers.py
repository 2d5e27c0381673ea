"""Invoicing's copy of the customers, kept from customer events; held tickets are reviewed
again when their customer changes (a credit hold lifted, a profile relaxed)."""

from typing import Any

from services.invoicing.commands.tickets import review_ticket
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.queries.tickets import held_tickets_of
from shared.events.customers import CustomerRegistered, CustomerSnapshot, CustomerUpdated
from shared.events.envelope import EventEnvelope
from shared.inbox import HandlerContext
from shared.replica import upsert_if_newer

# What billing a customer needs: who to bill, on what terms, where, how, and what tax exemptions.
BILLING_FACTS = {
    "account_number",
    "legal_name",
    "status",
    "credit_hold",
    "currency",
    "business_district",
    "sales_rep",
    "payment_terms",
    "billing_profile",
    "addresses",
    "contacts",
    "exemption_certificates",
}


def billing_facts(customer: CustomerSnapshot) -> dict[str, Any]:
    return customer.model_dump(mode="json", include=BILLING_FACTS)


async def copy_customer(
    context: HandlerContext, envelope: EventEnvelope, event: CustomerRegistered | CustomerUpdated
) -> None:
    session = context.session
    account = await upsert_if_newer(
        session,
        BillingAccount,
        event.customer.id,
        event.customer.revision,
        billing_facts(event.customer),
    )
    if account is None:
        return  # a stale or repeated snapshot
    for ticket in await held_tickets_of(session, account.id):
        await review_ticket(session, ticket, account)


HANDLERS = {CustomerRegistered: copy_customer, CustomerUpdated: copy_customer}
