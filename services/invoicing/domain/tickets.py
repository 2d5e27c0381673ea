"""Ticket rules in plain Python: what a valid ticket is, what it must have on file, and the
review that makes it `ready` or `held` with every reason spelled out."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum

from shared.api.problems import BusinessRuleViolation
from shared.events.customers import BillingProfile, CustomerStatus, TicketDocumentKind
from shared.events.sales import ClosedTicketLine, TicketLineKind
from shared.money import round_money


class TicketStatus(StrEnum):
    HELD = "held"
    READY = "ready"
    DRAFTED = "drafted"  # on a draft invoice of a billing run
    BILLED = "billed"


class NotBillable(BusinessRuleViolation):
    """The customer cannot be billed these charges at all (unknown, inactive, other currency)."""

    slug = "not-billable"


# Documents the work itself calls for, whatever the customer's profile says.
DOCUMENTS_BY_LINE_KIND = {
    TicketLineKind.LABOR: TicketDocumentKind.TIME_SHEET,
    TicketLineKind.DELIVERY: TicketDocumentKind.DELIVERY_TICKET,
    TicketLineKind.TRUCKING: TicketDocumentKind.DELIVERY_TICKET,
}

# Customers a ticket may be billed to: a prospect has no terms yet, an inactive one is closed.
BILLABLE_STATUSES = {CustomerStatus.ACTIVE, CustomerStatus.ON_HOLD}


def line_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    """A line's extension, rounded half-up to the currency (one of the two rounding points)."""
    return round_money(quantity * unit_price, currency)


def check_acceptable(
    customer_id: object,
    currency: str | None,
    *,
    customer_status: str | None,
    customer_currency: str | None,
) -> str:
    """The currency to bill the customer in, or `NotBillable` saying why it cannot be billed."""
    if customer_status is None or customer_currency is None:
        raise NotBillable(f"unknown customer {customer_id}", reason="unknown_customer")
    if customer_status not in BILLABLE_STATUSES:
        raise NotBillable(
            f"customer {customer_id} is {customer_status}; only active customers are billed",
            reason="inactive_customer",
        )
    if currency is not None and currency != customer_currency:
        raise NotBillable(
            f"the charges are in {currency} but the customer is billed in {customer_currency}",
            reason="currency_mismatch",
        )
    return customer_currency


def required_documents(
    profile: BillingProfile, lines: Iterable[ClosedTicketLine]
) -> list[TicketDocumentKind]:
    """What must be on file: the profile's list plus what the lines' work calls for."""
    required = set(profile.required_documents)
    for line in lines:
        if line.kind in DOCUMENTS_BY_LINE_KIND:
            required.add(DOCUMENTS_BY_LINE_KIND[line.kind])
        if line.change_order:
            required.add(TicketDocumentKind.CHANGE_ORDER_APPROVAL)
    return sorted(required)


def _plain(price: Decimal) -> str:
    """A price as people write it, the same whatever scale the database kept: 80, 85.5."""
    return format(price.normalize(), "f")


def price_deviations(lines: Sequence[ClosedTicketLine], card: Mapping[str, Decimal]) -> list[str]:
    """Lines whose price is not the rate card's: flagged, never silently billed."""
    reasons = []
    for number, line in enumerate(lines, start=1):
        if line.rate_code is None:
            continue
        agreed = card.get(line.rate_code)
        if agreed is None:
            reasons.append(f"line {number}: rate code {line.rate_code} is not on the rate card")
        elif agreed != line.unit_price:
            reasons.append(
                f"line {number}: price {_plain(line.unit_price)} differs from the rate "
                f"card's {_plain(agreed)} for {line.rate_code}"
            )
    return reasons


def review(
    *,
    lines: Sequence[ClosedTicketLine],
    po_number: str | None,
    profile: BillingProfile,
    credit_hold: bool,
    documents_on_file: Iterable[str],
    card: Mapping[str, Decimal],
) -> list[str]:
    """Every reason the ticket may not be billed yet; none means it is ready."""
    on_file = set(documents_on_file)
    reasons = [
        f"missing document: {kind.value}"
        for kind in required_documents(profile, lines)
        if kind.value not in on_file
    ]
    if profile.po_required and not po_number:
        reasons.append("PO number required by the customer's billing profile")
    reasons.extend(price_deviations(lines, card))
    if credit_hold:
        reasons.append("customer is on credit hold")
    return reasons
