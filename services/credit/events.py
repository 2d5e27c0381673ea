"""The credit service's consumers: its copy of the customer facts it needs, and the receivables
projection (exposure, payment history, automatic holds) from invoicing and payments events."""

from typing import Any

from services.credit.ledger import HANDLERS as LEDGER_HANDLERS
from services.credit.models import CreditAccount
from shared.events.customers import CustomerSnapshot
from shared.replica import customer_copy_handlers

# A credit review starts from who the customer is, its status and hold, and its onboarding papers.
COPIED_FACTS = {
    "account_number",
    "legal_name",
    "status",
    "credit_hold",
    "currency",
    "business_district",
    "onboarding",
}


def customer_facts(customer: CustomerSnapshot) -> dict[str, Any]:
    # JSON mode: the checklist's timestamps go into the JSON column as ISO strings.
    return customer.model_dump(mode="json", include=COPIED_FACTS)


HANDLERS = customer_copy_handlers(CreditAccount, customer_facts) | LEDGER_HANDLERS
