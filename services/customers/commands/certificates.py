"""A customer's tax-exemption certificates and their signed documents."""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.commands.changes import add_child, child_of, remove_child
from services.customers.commands.documents import store_document
from services.customers.domain import CustomerRuleBroken, DocumentKind
from services.customers.models import Customer, CustomerDocument, ExemptionCertificateRecord
from services.customers.schemas import CertificateIn
from shared.auth import Principal
from shared.clock import Clock


async def add_certificate(
    session: AsyncSession, clock: Clock, customer: Customer, data: CertificateIn, actor: Principal
) -> ExemptionCertificateRecord:
    if data.issued_on and data.expires_on and data.expires_on <= data.issued_on:
        raise CustomerRuleBroken("a certificate must expire after it was issued")
    return await add_child(
        session,
        clock,
        customer,
        actor,
        ExemptionCertificateRecord(customer_id=customer.id, **data.model_dump()),
        data,
        action="exemption_certificate_added",
        section="exemption_certificates",
        what="certificate",
    )


async def remove_certificate(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    certificate_id: uuid.UUID,
    reason: str | None,
    actor: Principal,
) -> None:
    certificate = child_of(customer.certificates, certificate_id, "exemption certificate")
    await remove_child(
        session,
        clock,
        customer,
        actor,
        customer.certificates,
        certificate,
        action="exemption_certificate_removed",
        section="exemption_certificates",
        reason=reason,
    )


async def attach_certificate_document(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    certificate_id: uuid.UUID,
    filename: str,
    content: bytes,
    actor: Principal,
) -> CustomerDocument:
    certificate = child_of(customer.certificates, certificate_id, "exemption certificate")
    document = await store_document(
        session,
        clock,
        customer,
        kind=DocumentKind.EXEMPTION_CERTIFICATE,
        filename=filename,
        content=content,
        actor=actor,
    )
    certificate.document_id = document.id
    await session.flush()
    return document
