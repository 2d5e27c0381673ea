"""Registering a customer and changing its own fields."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers import domain
from services.customers.commands.changes import as_json, record, set_fields
from services.customers.domain import CustomerRuleBroken, OnboardingStatus, ProbableDuplicate
from services.customers.models import (
    Customer,
    CustomerAddress,
    CustomerContact,
    OnboardingItemRecord,
)
from services.customers.publishing import publish_registered, snapshot
from services.customers.queries import find_by_external_ref, same_tax_id_or_name
from services.customers.schemas import CustomerCreate, CustomerPatch, DuplicateOverride
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.events.customers import CustomerStatus
from shared.numbering import next_in_series

ACCOUNT_SERIES = "customer-account"


async def _check_external_ref_free(
    session: AsyncSession, external_ref: str | None, owner: uuid.UUID | None
) -> None:
    if external_ref is None:
        return
    other = await find_by_external_ref(session, external_ref)
    if other is not None and other.id != owner:
        raise CustomerRuleBroken(
            f"external_ref {external_ref!r} already belongs to customer {other.account_number}",
            existing_customer_id=str(other.id),
        )


async def _check_not_a_duplicate(
    session: AsyncSession,
    *,
    legal_name: str,
    tax_id: str | None,
    owner: uuid.UUID | None,
    override: DuplicateOverride | None,
) -> dict[str, object]:
    """Refuse a customer with the tax id or the name of one already registered (409 naming
    it), unless the request says it is deliberate; then what the audit records about it."""
    key = domain.name_key(legal_name)
    others = await same_tax_id_or_name(session, tax_id=tax_id, name_key=key, other_than=owner)
    if not others:
        return {}
    matches = [
        {
            "id": str(other.id),
            "account_number": other.account_number,
            "legal_name": other.legal_name,
            "matched_on": [
                field
                for field, same in (
                    ("tax_id", tax_id is not None and other.tax_id == tax_id),
                    ("legal_name", other.name_key == key),
                )
                if same
            ],
        }
        for other in others
    ]
    if override is None:
        first = others[0]
        raise ProbableDuplicate(
            f"customer {first.account_number} ({first.legal_name}) already has this "
            f"{' and '.join(matches[0]['matched_on'])}; send duplicate_override with a reason "
            "if this is meant to be another account",
            existing_customer_id=str(first.id),
            existing_account_number=first.account_number,
            duplicates=matches,
        )
    return {"duplicate_override": {"reason": override.reason, "duplicates": matches}}


async def register_customer(
    session: AsyncSession, data: CustomerCreate, actor: Principal
) -> Customer:
    domain.check_terms(data.payment_terms)
    await _check_external_ref_free(session, data.external_ref, None)
    duplicate = await _check_not_a_duplicate(
        session,
        legal_name=data.legal_name,
        tax_id=data.tax_id,
        owner=None,
        override=data.duplicate_override,
    )
    number = await next_in_series(session, ACCOUNT_SERIES)
    customer = Customer(
        account_number=f"C{number:06d}",
        external_ref=data.external_ref,
        legal_name=data.legal_name,
        name_key=domain.name_key(data.legal_name),
        dba=data.dba,
        tax_id=data.tax_id,
        status=data.status,
        currency=data.currency,
        business_district=data.business_district,
        sales_rep=data.sales_rep,
        payment_terms=as_json(data.payment_terms),
        billing_profile=as_json(data.billing_profile),
        addresses=[CustomerAddress(**a.model_dump()) for a in data.addresses],
        contacts=[CustomerContact(**c.model_dump()) for c in data.contacts],
        certificates=[],
        onboarding=[
            OnboardingItemRecord(item=item, position=i, status=OnboardingStatus.PENDING)
            for i, item in enumerate(domain.ONBOARDING_CHECKLIST)
        ],
    )
    domain.check_can_hold_status(customer, data.status)
    session.add(customer)
    await session.flush()
    record_change(
        session,
        actor=actor,
        action="customer_registered",
        entity_type="customer",
        entity_id=str(customer.id),
        changes=snapshot(customer).model_dump(mode="json") | duplicate,
    )
    publish_registered(session, customer)
    return customer


async def update_customer(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    patch: CustomerPatch,
    actor: Principal,
    *,
    approved: bool = False,
) -> Customer:
    """Change the fields sent; a new payment terms or currency only as an approved change
    request (commands/change_requests.py)."""
    updates = patch.model_dump(exclude_unset=True, exclude={"reason", "duplicate_override"})
    new_terms = patch.payment_terms is not None and (
        as_json(patch.payment_terms) != customer.payment_terms
    )
    if not approved and (new_terms or patch.currency not in (None, customer.currency)):
        raise CustomerRuleBroken(
            "payment terms and currency change through a change request "
            f"(POST /v1/customers/{customer.id}/change-requests) that another person approves"
        )
    if patch.payment_terms is not None:
        domain.check_terms(patch.payment_terms)
        updates["payment_terms"] = as_json(patch.payment_terms)
    if patch.billing_profile is not None:
        updates["billing_profile"] = as_json(patch.billing_profile)
    if "external_ref" in updates:
        await _check_external_ref_free(session, updates["external_ref"], customer.id)
    if patch.status is not None:
        domain.check_can_hold_status(customer, patch.status)
        if patch.status in (CustomerStatus.INACTIVE, CustomerStatus.ON_HOLD) and not patch.reason:
            raise CustomerRuleBroken(f"putting a customer {patch.status} needs a reason")
    duplicate: dict[str, object] = {}
    legal_name = updates.get("legal_name", customer.legal_name)
    tax_id = updates.get("tax_id", customer.tax_id)
    # Only a new name or tax id can make a new duplicate (one registered deliberately stays one).
    new_tax_id = tax_id is not None and tax_id != customer.tax_id
    if domain.name_key(legal_name) != customer.name_key or new_tax_id:
        duplicate = await _check_not_a_duplicate(
            session,
            legal_name=legal_name,
            tax_id=tax_id,
            owner=customer.id,
            override=patch.duplicate_override,
        )
    changes = set_fields(customer, updates)
    customer.name_key = domain.name_key(customer.legal_name)
    if changes:
        await record(
            session,
            clock,
            customer,
            actor,
            "customer_updated",
            changes | duplicate,
            list(changes),
            patch.reason,
        )
    return customer
