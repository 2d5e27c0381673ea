"""Billing-run rules in plain Python: which ready tickets go on one invoice (the customer's
billing profile decides), and which a run must leave out, with the reason."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.invoicing.domain.tickets import BILLABLE_STATUSES
from shared.api.problems import BusinessRuleViolation
from shared.events.customers import InvoiceGrouping


class RunStatus(StrEnum):
    DRY_RUN = "dry_run"
    DRAFTED = "drafted"
    ISSUED = "issued"


class RunRefused(BusinessRuleViolation):
    slug = "billing-run-refused"


@dataclass(frozen=True)
class TicketToBill:
    id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    po_number: str | None
    job_site: str | None


def group_key(grouping: InvoiceGrouping, ticket: TicketToBill) -> str:
    """Tickets of one customer with the same key go on one invoice."""
    if grouping == InvoiceGrouping.PER_TICKET:
        return f"ticket:{ticket.id}"
    if grouping == InvoiceGrouping.PER_PO:
        return f"po:{ticket.po_number or ''}"
    if grouping == InvoiceGrouping.PER_JOB_SITE:
        return f"job_site:{(ticket.job_site or '').casefold()}"
    return "consolidated"


def group_tickets(
    tickets: Iterable[TicketToBill], groupings: Mapping[uuid.UUID, InvoiceGrouping]
) -> dict[tuple[uuid.UUID, str], list[TicketToBill]]:
    """Tickets per (customer, group key), in the order they came."""
    groups: dict[tuple[uuid.UUID, str], list[TicketToBill]] = {}
    for ticket in tickets:
        key = (ticket.customer_id, group_key(groupings[ticket.customer_id], ticket))
        groups.setdefault(key, []).append(ticket)
    return groups


def customer_exception(account: Any | None, ticket_currency: str) -> str | None:
    """Why a ready ticket of this customer may not be billed in this run, if it may not."""
    if account is None:
        return "customer unknown to invoicing"
    if account.status not in BILLABLE_STATUSES:
        return f"customer is {account.status}"
    if account.credit_hold:
        return "customer is on credit hold"
    if account.currency != ticket_currency:
        return f"ticket in {ticket_currency}, customer billed in {account.currency}"
    return None


def held_reason(hold_reasons: Sequence[str]) -> str:
    """A held ticket's line in a run's exceptions: held, and every reason why."""
    return f"held: {'; '.join(hold_reasons)}" if hold_reasons else "held"
