"""What credit decides, shown on the customer: its credit hold, its approved application, and
the terms and credit limit it approved."""

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers import domain
from services.customers.commands.changes import as_json, record
from services.customers.domain import CustomerRuleBroken, DocumentKind, OnboardingStatus
from services.customers.models import Customer
from shared.clock import Clock
from shared.events.credit import CreditLimitChanged
from shared.money import round_money


async def set_credit_hold(
    session: AsyncSession, clock: Clock, customer_id: uuid.UUID, on_hold: bool, why: str
) -> None:
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.credit_hold == on_hold:
        return  # unknown here, or already showing it
    customer.credit_hold = on_hold
    await record(
        session,
        clock,
        customer,
        None,
        "credit_hold_placed" if on_hold else "credit_hold_released",
        {"credit_hold": {"from": not on_hold, "to": on_hold}},
        ["credit_hold"],
        why,
    )


async def receive_credit_application(
    session: AsyncSession, clock: Clock, customer_id: uuid.UUID, why: str
) -> None:
    """The approved application ticks its checklist item, if it is still pending."""
    customer = await session.get(Customer, customer_id)
    if customer is None:
        return
    item = next((i for i in customer.onboarding if i.item == DocumentKind.CREDIT_APPLICATION), None)
    if item is None or item.status != OnboardingStatus.PENDING:
        return  # already received or waived
    item.status, item.updated_at = OnboardingStatus.RECEIVED, clock.now()
    await record(
        session,
        clock,
        customer,
        None,
        "onboarding_updated",
        {item.item: {"from": OnboardingStatus.PENDING, "to": OnboardingStatus.RECEIVED}},
        ["onboarding"],
        why,
    )


async def set_credit_line(session: AsyncSession, clock: Clock, event: CreditLimitChanged) -> None:
    """Credit approved a limit and terms: the customer record carries them (its terms are what
    invoicing bills on), audited as done by the event. Terms that break the customer's rules
    are left as they were, and the audit says why."""
    customer = await session.get(Customer, event.customer_id)
    if customer is None:
        return  # not one of ours
    line = {
        "credit_limit": str(round_money(event.new_limit, event.currency)),
        "currency": event.currency,
        "review_on": None if event.review_on is None else event.review_on.isoformat(),
        "approved_by": event.approved_by,
    }
    changes: dict[str, Any] = {}
    if customer.credit_line != line:
        changes["credit_line"] = {"from": customer.credit_line, "to": line}
        customer.credit_line = line
    if event.terms is not None and as_json(event.terms) != customer.payment_terms:
        try:
            domain.check_terms(event.terms)
        except CustomerRuleBroken as broken:
            changes["payment_terms_not_applied"] = {
                "terms": as_json(event.terms),
                "why": str(broken),
            }
        else:
            changes["payment_terms"] = {"from": customer.payment_terms, "to": as_json(event.terms)}
            customer.payment_terms = as_json(event.terms)
    if not changes:
        return  # already showing this line
    await record(
        session,
        clock,
        customer,
        None,
        "credit_line_changed",
        changes,
        [field for field in ("credit_line", "payment_terms") if field in changes],
        f"credit.limit_changed: {event.reason} (approved by {event.approved_by})",
    )
