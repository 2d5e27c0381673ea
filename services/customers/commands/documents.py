"""The files kept on a customer: W-9s, credit applications, certificates, signed terms."""

import hashlib

from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers.commands.changes import record
from services.customers.domain import DocumentKind, OnboardingStatus
from services.customers.models import Customer, CustomerDocument
from shared.api.files import content_type_of
from shared.auth import Principal
from shared.clock import Clock


async def store_document(
    session: AsyncSession,
    clock: Clock,
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
                clock.now(),
            )
            changed.append("onboarding")
    await record(
        session,
        clock,
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
