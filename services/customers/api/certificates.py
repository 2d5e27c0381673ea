"""A customer's tax-exemption certificates."""

import uuid
from typing import Annotated

from fastapi import File, UploadFile

from services.customers.api.dependencies import PREFIX, TAG, Reason, SettingsDep
from services.customers.commands.certificates import (
    add_certificate,
    attach_certificate_document,
    remove_certificate,
)
from services.customers.publishing import snapshot
from services.customers.queries import get_customer
from services.customers.schemas import CertificateIn, DocumentOut
from shared.api.access import ARStaff, ScopedAnyRole
from shared.api.files import TOO_LARGE, read_upload
from shared.api.routing import service_router
from shared.api.text import safe_filename
from shared.api.transaction import SessionDep
from shared.clock import ClockDep
from shared.events.customers import ExemptionCertificate

router = service_router(PREFIX, TAG)


@router.get("/{customer_id}/exemption-certificates", summary="List tax-exemption certificates")
async def list_certificates(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[ExemptionCertificate]:
    """The customer's certificates, each saying whether its document is on file."""
    return snapshot(
        await get_customer(session, customer_id, scope=actor.scope)
    ).exemption_certificates


@router.post(
    "/{customer_id}/exemption-certificates",
    status_code=201,
    summary="Record a tax-exemption certificate",
)
async def create_certificate(
    customer_id: uuid.UUID,
    data: CertificateIn,
    session: SessionDep,
    clock: ClockDep,
    actor: ARStaff,
) -> ExemptionCertificate:
    """Record a certificate (jurisdiction, number, expiry); PUT .../document attaches the file."""
    customer = await get_customer(session, customer_id, lock=True)
    certificate = await add_certificate(session, clock, customer, data, actor)
    return next(c for c in snapshot(customer).exemption_certificates if c.id == certificate.id)


@router.delete(
    "/{customer_id}/exemption-certificates/{certificate_id}",
    status_code=204,
    summary="Withdraw a certificate",
)
async def delete_certificate(
    customer_id: uuid.UUID,
    certificate_id: uuid.UUID,
    session: SessionDep,
    clock: ClockDep,
    actor: ARStaff,
    reason: Reason = None,
) -> None:
    """Withdraw a certificate; its invoices are taxed again from then on."""
    customer = await get_customer(session, customer_id, lock=True)
    await remove_certificate(session, clock, customer, certificate_id, reason, actor)


@router.put(
    "/{customer_id}/exemption-certificates/{certificate_id}/document",
    summary="Attach the certificate's document",
    responses=TOO_LARGE,
)
async def put_certificate_document(
    customer_id: uuid.UUID,
    certificate_id: uuid.UUID,
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    clock: ClockDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> DocumentOut:
    """Upload the signed certificate (PDF, PNG or JPEG)."""
    customer = await get_customer(session, customer_id, lock=True)
    content = await read_upload(file, settings.max_document_bytes)
    document = await attach_certificate_document(
        session,
        clock,
        customer,
        certificate_id,
        safe_filename(file.filename, "certificate"),
        content,
        actor,
    )
    return DocumentOut.model_validate(document, from_attributes=True)
