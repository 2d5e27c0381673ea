"""What the customers service publishes: the customer's full snapshot, on every change, through
the outbox in the caller's transaction."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.models import Customer
from shared.events.customers import (
    Address,
    BillingProfile,
    Contact,
    CustomerRegistered,
    CustomerSnapshot,
    CustomerStatus,
    CustomerUpdated,
    ExemptionCertificate,
    OnboardingItem,
    PaymentTerms,
)
from shared.outbox import Outbox

outbox = Outbox("customers")


def snapshot(customer: Customer) -> CustomerSnapshot:
    """The customer as published in events and answered by the API."""
    return CustomerSnapshot(
        id=customer.id,
        account_number=customer.account_number,
        revision=customer.revision,
        legal_name=customer.legal_name,
        dba=customer.dba,
        tax_id=customer.tax_id,
        status=CustomerStatus(customer.status),
        credit_hold=customer.credit_hold,
        currency=customer.currency,
        business_district=customer.business_district,
        sales_rep=customer.sales_rep,
        payment_terms=PaymentTerms.model_validate(customer.payment_terms),
        billing_profile=BillingProfile.model_validate(customer.billing_profile),
        addresses=[Address.model_validate(a, from_attributes=True) for a in customer.addresses],
        contacts=[Contact.model_validate(c, from_attributes=True) for c in customer.contacts],
        exemption_certificates=[
            ExemptionCertificate(
                id=c.id,
                jurisdiction=c.jurisdiction,
                certificate_number=c.certificate_number,
                issued_on=c.issued_on,
                expires_on=c.expires_on,
                has_document=c.document_id is not None,
            )
            for c in customer.certificates
        ],
        onboarding=[
            OnboardingItem(item=i.item, status=i.status, updated_at=i.updated_at)
            for i in customer.onboarding
        ],
    )


def publish_registered(session: AsyncSession, customer: Customer) -> None:
    outbox.add(
        session,
        CustomerRegistered(customer=snapshot(customer)),
        customer_id=str(customer.id),
        aggregate_id=str(customer.id),
    )


def publish_updated(session: AsyncSession, customer: Customer, changed: list[str]) -> None:
    outbox.add(
        session,
        CustomerUpdated(customer=snapshot(customer), changed=sorted(set(changed))),
        customer_id=str(customer.id),
        aggregate_id=str(customer.id),
    )
