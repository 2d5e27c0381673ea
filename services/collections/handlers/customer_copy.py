"""Collections' copy of the customer facts it chases with, kept from the customer events."""

from typing import Any

from services.collections.models import CollectionAccount
from shared.events.customers import CustomerSnapshot
from shared.replica import customer_copy_handlers

# Dunning letters and statements need the contacts; aging and DSO need terms and currency.
COPIED_FACTS = {
    "account_number",
    "legal_name",
    "status",
    "currency",
    "business_district",
    "sales_rep",
    "payment_terms",
    "contacts",
}


def customer_facts(customer: CustomerSnapshot) -> dict[str, Any]:
    # JSON mode keeps Decimal discounts as strings in the JSON columns, never floats.
    return customer.model_dump(mode="json", include=COPIED_FACTS)


CUSTOMER_HANDLERS = customer_copy_handlers(CollectionAccount, customer_facts)
