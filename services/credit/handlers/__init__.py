"""The credit service's consumers: its copy of the customer facts it needs, the receivables
projection (exposure, payment history, automatic holds) from invoicing and payments events,
and collections' promises to pay and disputes."""

from typing import Any

from services.credit.handlers.disputes import STEPS as DISPUTE_STEPS
from services.credit.handlers.receivables import HANDLERS as LEDGER_HANDLERS
from services.credit.handlers.receivables import reevaluating
from services.credit.models import CreditAccount, PaymentPromise
from shared.events.collections import PromiseToPayRecorded
from shared.events.customers import CustomerSnapshot
from shared.events.envelope import EventEnvelope
from shared.inbox import HandlerContext
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


async def promise_recorded(
    context: HandlerContext, envelope: EventEnvelope, event: PromiseToPayRecorded
) -> None:
    """Kept for the score: payments received by the day promised show whether it was kept."""
    context.session.add(
        PaymentPromise(
            id=event.promise_id,
            customer_id=event.customer_id,
            amount=event.amount,
            recorded_on=event.recorded_on,
            promised_on=event.promised_on,
        )
    )


HANDLERS = (
    customer_copy_handlers(CreditAccount, customer_facts)
    | LEDGER_HANDLERS
    | {PromiseToPayRecorded: promise_recorded}
    # A dispute moves what counts as past due: the hold is evaluated again.
    | {model: reevaluating(step) for model, step in DISPUTE_STEPS.items()}
)
