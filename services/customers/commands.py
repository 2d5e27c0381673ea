"""Changes to the customer master. Each one bumps the revision, audits who/what/why and
publishes the customer's new snapshot, all in the caller's transaction."""

import hashlib
import uuid
from typing import Any

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers import domain
from services.customers.domain import CustomerRuleBroken, DocumentKind, OnboardingStatus
from services.customers.events import publish_registered, publish_updated
from services.customers.models import (
    Customer,
    CustomerAddress,
    CustomerContact,
    CustomerDocument,
    ExemptionCertificateRecord,
    OnboardingItemRecord,
)
from services.customers.repository import find_by_external_ref
from services.customers.schemas import (
    AddressIn,
    CertificateIn,
    ContactIn,
    CustomerCreate,
    CustomerPatch,
    OnboardingUpdate,
)
from shared.api.files import content_type_of
from shared.api.problems import NotFound
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import utc_now
from shared.events.customers import AddressKind, CustomerStatus
from shared.numbering import next_in_series

ACCOUNT_SERIES = "customer-account"


def _json(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


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


async def register_customer(
    session: AsyncSession, data: CustomerCreate, actor: Principal
) -> Customer:
    domain.check_terms(data.payment_terms)
    await _check_external_ref_free(session, data.external_ref, None)
    number = await next_in_series(session, ACCOUNT_SERIES)
    customer = Customer(
        account_number=f"C{number:06d}",
        external_ref=data.external_ref,
        legal_name=data.legal_name,
        dba=data.dba,
        tax_id=data.tax_id,
        status=data.status,
        currency=data.currency,
        business_district=data.business_district,
        sales_rep=data.sales_rep,
        payment_terms=_json(data.payment_terms),
        billing_profile=_json(data.billing_profile),
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
        changes=domain.snapshot(customer).model_dump(mode="json"),
    )
    publish_registered(session, customer)
    return customer


async def _changed(
    session: AsyncSession,
    customer: Customer,
    actor: Principal | None,
    action: str,
    changes: dict[str, Any],
    changed: list[str],
    reason: str | None,
) -> None:
    domain.touch(customer, utc_now())
    await session.flush()
    await session.refresh(customer)
    record_change(
        session,
        actor=actor,
        action=action,
        entity_type="customer",
        entity_id=str(customer.id),
        changes=changes,
        reason=reason,
    )
    publish_updated(session, customer, changed)


async def update_customer(
    session: AsyncSession, customer: Customer, patch: CustomerPatch, actor: Principal
) -> Customer:
    updates = patch.model_dump(exclude_unset=True, exclude={"reason"})
    if patch.payment_terms is not None:
        domain.check_terms(patch.payment_terms)
        updates["payment_terms"] = _json(patch.payment_terms)
    if patch.billing_profile is not None:
        updates["billing_profile"] = _json(patch.billing_profile)
    if "external_ref" in updates:
        await _check_external_ref_free(session, updates["external_ref"], customer.id)
    if patch.status is not None:
        domain.check_can_hold_status(customer, patch.status)
        if patch.status in (CustomerStatus.INACTIVE, CustomerStatus.ON_HOLD) and not patch.reason:
            raise CustomerRuleBroken(f"putting a customer {patch.status} needs a reason")
    changes = _set_fields(customer, updates)
    if not changes:
        return customer
    await _changed(
        session, customer, actor, "customer_updated", changes, list(changes), patch.reason
    )
    return customer


async def add_address(
    session: AsyncSession, customer: Customer, data: AddressIn, actor: Principal
) -> CustomerAddress:
    address = CustomerAddress(customer_id=customer.id, **data.model_dump())
    session.add(address)
    await _changed(
        session, customer, actor, "address_added", {"address": _json(data)}, ["addresses"], None
    )
    return address


def _set_fields(target: Any, updates: dict[str, Any]) -> dict[str, Any]:
    """Apply `updates` to `target`; the audit's {field: {from, to}} of what really changed."""
    changes = {
        field: {"from": getattr(target, field), "to": value}
        for field, value in updates.items()
        if getattr(target, field) != value
    }
    for field, value in updates.items():
        setattr(target, field, value)
    return changes


def _child(children: list[Any], child_id: uuid.UUID, what: str) -> Any:
    for child in children:
        if child.id == child_id:
            return child
    raise NotFound(f"no {what} {child_id} on this customer")


async def update_address(
    session: AsyncSession,
    customer: Customer,
    address_id: uuid.UUID,
    updates: dict[str, Any],
    reason: str | None,
    actor: Principal,
) -> CustomerAddress:
    address = _child(customer.addresses, address_id, "address")
    changes = _set_fields(address, updates)
    if customer.status == CustomerStatus.ACTIVE:
        domain.check_can_hold_status(customer, CustomerStatus.ACTIVE)
    if changes:
        await _changed(
            session,
            customer,
            actor,
            "address_updated",
            {str(address_id): changes},
            ["addresses"],
            reason,
        )
    return address


async def remove_address(
    session: AsyncSession,
    customer: Customer,
    address_id: uuid.UUID,
    reason: str | None,
    actor: Principal,
) -> None:
    address = _child(customer.addresses, address_id, "address")
    remaining = [a for a in customer.addresses if a.id != address_id]
    if (
        customer.status == CustomerStatus.ACTIVE
        and address.kind == AddressKind.BILL_TO
        and not any(a.kind == AddressKind.BILL_TO for a in remaining)
    ):
        raise CustomerRuleBroken("an active customer's only bill-to address cannot be removed")
    customer.addresses.remove(address)
    await _changed(
        session,
        customer,
        actor,
        "address_removed",
        {str(address_id): "removed"},
        ["addresses"],
        reason,
    )


async def add_contact(
    session: AsyncSession, customer: Customer, data: ContactIn, actor: Principal
) -> CustomerContact:
    contact = CustomerContact(customer_id=customer.id, **data.model_dump())
    session.add(contact)
    await _changed(
        session, customer, actor, "contact_added", {"contact": _json(data)}, ["contacts"], None
    )
    return contact


async def update_contact(
    session: AsyncSession,
    customer: Customer,
    contact_id: uuid.UUID,
    updates: dict[str, Any],
    reason: str | None,
    actor: Principal,
) -> CustomerContact:
    contact = _child(customer.contacts, contact_id, "contact")
    changes = _set_fields(contact, updates)
    if changes:
        await _changed(
            session,
            customer,
            actor,
            "contact_updated",
            {str(contact_id): changes},
            ["contacts"],
            reason,
        )
    return contact


async def remove_contact(
    session: AsyncSession,
    customer: Customer,
    contact_id: uuid.UUID,
    reason: str | None,
    actor: Principal,
) -> None:
    contact = _child(customer.contacts, contact_id, "contact")
    customer.contacts.remove(contact)
    await _changed(
        session,
        customer,
        actor,
        "contact_removed",
        {str(contact_id): "removed"},
        ["contacts"],
        reason,
    )


async def add_certificate(
    session: AsyncSession, customer: Customer, data: CertificateIn, actor: Principal
) -> ExemptionCertificateRecord:
    if data.issued_on and data.expires_on and data.expires_on <= data.issued_on:
        raise CustomerRuleBroken("a certificate must expire after it was issued")
    certificate = ExemptionCertificateRecord(customer_id=customer.id, **data.model_dump())
    session.add(certificate)
    await _changed(
        session,
        customer,
        actor,
        "exemption_certificate_added",
        {"certificate": _json(data)},
        ["exemption_certificates"],
        None,
    )
    return certificate


async def remove_certificate(
    session: AsyncSession,
    customer: Customer,
    certificate_id: uuid.UUID,
    reason: str | None,
    actor: Principal,
) -> None:
    certificate = _child(customer.certificates, certificate_id, "exemption certificate")
    customer.certificates.remove(certificate)
    await _changed(
        session,
        customer,
        actor,
        "exemption_certificate_removed",
        {str(certificate_id): "removed"},
        ["exemption_certificates"],
        reason,
    )


async def store_document(
    session: AsyncSession,
    customer: Customer,
    *,
    kind: DocumentKind,
    filename: str,
    content: bytes,
    actor: Principal,
) -> CustomerDocument:
    """Keep a file on the customer; a checklist document ticks its onboarding item."""
    document = CustomerDocument(
        customer_id=customer.id,
        kind=kind,
        filename=filename,
        content_type=content_type_of(content),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=actor.subject,
    )
    session.add(document)
    await session.flush()
    changed = ["documents"]
    for item in customer.onboarding:
        if item.item == kind and item.status == OnboardingStatus.PENDING:
            item.status, item.document_id, item.updated_at = (
                OnboardingStatus.RECEIVED,
                document.id,
                utc_now(),
            )
            changed.append("onboarding")
    await _changed(
        session,
        customer,
        actor,
        "document_stored",
        {
            "document": {
                "id": str(document.id),
                "kind": kind,
                "filename": filename,
                "sha256": document.sha256,
            }
        },
        changed,
        None,
    )
    return document


async def attach_certificate_document(
    session: AsyncSession,
    customer: Customer,
    certificate_id: uuid.UUID,
    filename: str,
    content: bytes,
    actor: Principal,
) -> CustomerDocument:
    certificate = _child(customer.certificates, certificate_id, "exemption certificate")
    document = await store_document(
        session,
        customer,
        kind=DocumentKind.EXEMPTION_CERTIFICATE,
        filename=filename,
        content=content,
        actor=actor,
    )
    certificate.document_id = document.id
    await session.flush()
    return document


async def set_onboarding_item(
    session: AsyncSession, customer: Customer, item: str, update: OnboardingUpdate, actor: Principal
) -> OnboardingItemRecord:
    record = next((i for i in customer.onboarding if i.item == item), None)
    if record is None:
        raise NotFound(f"the onboarding checklist has no item {item!r}")
    if update.status == OnboardingStatus.WAIVED and not update.note:
        raise CustomerRuleBroken("waiving an onboarding item needs a note saying why")
    changes = {item: {"from": record.status, "to": update.status}}
    record.status, record.note, record.updated_at = update.status, update.note, utc_now()
    await _changed(
        session, customer, actor, "onboarding_updated", changes, ["onboarding"], update.note
    )
    return record
