"""The files kept on a customer."""

import uuid
from typing import Annotated

from fastapi import File, Form, Response, UploadFile

from services.customers.api.dependencies import PREFIX, TAG, SettingsDep
from services.customers.commands.documents import store_document
from services.customers.domain import DocumentKind
from services.customers.queries import documents_of, get_customer, get_document
from services.customers.schemas import DocumentOut
from shared.api.access import ScopedAnyRole, StaffAndIntegration
from shared.api.files import FILE_CONTENT, TOO_LARGE, file_response, read_upload
from shared.api.routing import service_router
from shared.api.text import safe_filename
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router(PREFIX, TAG)


@router.post(
    "/{customer_id}/documents",
    status_code=201,
    summary="Upload a customer document",
    responses=TOO_LARGE,
)
async def upload_document(
    customer_id: uuid.UUID,
    kind: Annotated[DocumentKind, Form()],
    file: Annotated[UploadFile, File()],
    session: SessionDep,
    clock: ClockDep,
    actor: StaffAndIntegration,
    settings: SettingsDep,
) -> DocumentOut:
    """Keep a W-9, credit application, certificate or signed terms; it ticks the onboarding item."""
    customer = await get_customer(session, customer_id, lock=True)
    content = await read_upload(file, settings.max_document_bytes)
    document = await store_document(
        session,
        clock,
        customer,
        kind=kind,
        filename=safe_filename(file.filename, kind.value),
        content=content,
        actor=actor,
    )
    return DocumentOut.model_validate(document, from_attributes=True)


@router.get("/{customer_id}/documents", summary="List a customer's documents")
async def list_documents(
    customer_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> list[DocumentOut]:
    """The customer's documents, oldest first (their content: download each)."""
    await get_customer(session, customer_id, scope=actor.scope)
    return [
        DocumentOut.model_validate(d, from_attributes=True)
        for d in await documents_of(session, customer_id)
    ]


@router.get(
    "/{customer_id}/documents/{document_id}",
    summary="Download a document",
    response_class=Response,
    responses=FILE_CONTENT,
)
async def download_document(
    customer_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole
) -> Response:
    """The file as uploaded."""
    await get_customer(session, customer_id, scope=actor.scope)
    document = await get_document(session, customer_id, document_id)
    return file_response(document.content, document.content_type, document.filename)
