"""Changes of payment terms and currency: requested by one person and made only when another,
with the authority to decide terms, approves them (separation of duties)."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers import domain
from services.customers.commands.customers import update_customer
from services.customers.domain import CustomerRuleBroken
from services.customers.models import Customer, CustomerChangeRequest
from services.customers.queries import open_invoices_in
from services.customers.schemas import ChangeRequestIn, CustomerPatch
from shared.api.problems import Conflict, Forbidden
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock


class OwnChangeRequest(Forbidden):
    slug, title = "own-request", "You may not approve a change you requested"


class AlreadyApproved(Conflict):
    slug, title = "already-approved", "The change was already approved"


class InvoicesOpenInOldCurrency(Conflict):
    slug, title = "invoices-open-in-old-currency", "Invoices are still open in the old currency"


# The open invoices a refusal names; the count says how many there are in all.
NAMED_OPEN_INVOICES = 20


async def _nothing_open_in(session: AsyncSession, customer: Customer, currency: str) -> None:
    """A currency change waits until no invoice is open in the customer's present currency:
    they were issued, and are settled, in it."""
    if currency == customer.currency:
        return
    still_open = await open_invoices_in(session, customer.id, customer.currency)
    if still_open:
        named = [item.number for item in still_open[:NAMED_OPEN_INVOICES]]
        raise InvoicesOpenInOldCurrency(
            f"{len(still_open)} invoice(s) are still open in {customer.currency} "
            f"({', '.join(named)}{', ...' if len(still_open) > len(named) else ''}): settle, "
            f"credit or void them before the customer moves to {currency}",
            open_invoices=[
                {"id": str(item.id), "number": item.number, "balance": str(item.balance)}
                for item in still_open[:NAMED_OPEN_INVOICES]
            ],
            open_count=len(still_open),
            currency=customer.currency,
        )


def request_change(
    session: AsyncSession, clock: Clock, customer: Customer, data: ChangeRequestIn, actor: Principal
) -> CustomerChangeRequest:
    if data.payment_terms is None and data.currency is None:
        raise CustomerRuleBroken("a change request names payment_terms, currency or both")
    if data.payment_terms is not None:
        domain.check_terms(data.payment_terms)
    changes = data.model_dump(mode="json", exclude_none=True, exclude={"reason"})
    request = CustomerChangeRequest(
        customer_id=customer.id,
        changes=changes,
        reason=data.reason,
        requested_by=actor.subject,
        requested_at=clock.now(),
    )
    session.add(request)
    record_change(
        session,
        actor=actor,
        action="customer_change_requested",
        entity_type="customer",
        entity_id=str(customer.id),
        changes=changes,
        reason=data.reason,
    )
    return request


async def approve_change(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    request: CustomerChangeRequest,
    actor: Principal,
) -> Customer:
    """Make the requested change, as the approver, in the same transaction."""
    if request.approved_by is not None:
        raise AlreadyApproved(f"{request.approved_by} approved this change already")
    if request.requested_by == actor.subject:
        raise OwnChangeRequest("you requested this change; another person must approve it")
    if "currency" in request.changes:
        await _nothing_open_in(session, customer, request.changes["currency"])
    request.approved_by, request.approved_at = actor.subject, clock.now()
    patch = CustomerPatch.model_validate(request.changes | {"reason": request.reason})
    return await update_customer(session, clock, customer, patch, actor, approved=True)
