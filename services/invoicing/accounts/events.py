"""What invoicing consumes: customer events, kept as its own copy of each billing account.

It publishes nothing yet; tickets, rentals and invoices (and their events) come with those features.
"""

from typing import Any

from shared.events.customers import CustomerSnapshot
from shared.replica import customer_copy_handlers
from services.invoicing.models import BillingAccount

# What billing a customer needs: who to bill, on what terms, where, how, and what tax exemptions.
BILLING_FACTS = {
    "account_number", "legal_name", "status", "credit_hold", "currency", "business_district",
    "sales_rep", "payment_terms", "billing_profile", "addresses", "exemption_certificates",
}


def billing_facts(customer: CustomerSnapshot) -> dict[str, Any]:
    return customer.model_dump(mode="json", include=BILLING_FACTS)


HANDLERS = customer_copy_handlers(BillingAccount, billing_facts)
