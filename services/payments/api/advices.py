"""Remittance advices sent apart from the money: an email (`.eml`) or an X12 820, uploaded here or
swept from the mailbox folder; the worklist of those that match nothing; the evidence kept."""

import uuid
from typing import Annotated

from fastapi import File, Query, Response, UploadFile, status
from sqlmodel import col

from services.payments import queries
from services.payments.api.dependencies import Rules
from services.payments.commands import advices
from services.payments.domain.statuses import AdviceStatus
from services.payments.models import AdviceDocument, RemittanceAdvice
from services.payments.schemas import AdviceDocumentOut, AdviceOut, AdviceUseIn
from shared.api.access import AnyRole, ARStaffAndIntegration, ScopedAnyRole, ScopedARStaff
from shared.api.files import TOO_LARGE, file_response, read_upload
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import problem_doc
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/remittance-advices", "remittance advices")


def document_out(document: AdviceDocument, read: list[RemittanceAdvice]) -> AdviceDocumentOut:
    return AdviceDocumentOut(
        id=document.id,
        filename=document.filename,
        format=document.format,
        source=document.source,
        size=document.size,
        parts=document.parts,  # type: ignore[arg-type]
        problems=document.problems,  # type: ignore[arg-type]
        advices=[AdviceOut.model_validate(a) for a in read],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Take in a remittance advice",
    responses={
        **TOO_LARGE,
        409: problem_doc("The same file was taken in before (`earlier_document` names it)"),
    },
)
async def upload_advice(
    session: SessionDep,
    actor: ARStaffAndIntegration,
    rules: Rules,
    clock: ClockDep,
    response: Response,
    file: Annotated[UploadFile, File(description="An email (.eml) or an X12 820 file")],
) -> AdviceDocumentOut:
    """Read the advice (an email's body, text PDFs, XLSX and CSV attachments; an 820's
    transaction sets) and keep the file as evidence with what was read from each part and what
    was not (a scanned PDF or an image is not read). Each advice is used at once for a payment
    already received (cash application runs again with its lines), waits for its payment, or is
    on the worklist (`unmatched`). A file that cannot be read at all is a 422, the same file again
    a 409."""
    content = await read_upload(file, rules.max_advice_bytes)
    document, read = await advices.take_in(
        session,
        file.filename or "advice",
        content,
        source="upload",
        today=clock.today(),
        rules=rules,
        actor=actor,
    )
    response.headers["Location"] = f"{router.prefix}/documents/{document.id}"
    return document_out(document, read)


@router.get("", summary="List remittance advices")
async def list_advices(
    session: SessionDep,
    actor: ScopedAnyRole,
    page: PageQuery,
    advice_status: Annotated[
        AdviceStatus | None,
        Query(alias="status", description="waiting, used or unmatched (the worklist)"),
    ] = None,
    payment_id: uuid.UUID | None = None,
) -> Page[AdviceOut]:
    """Advices oldest first; `status=unmatched` is the worklist of advices that match nothing.
    A token limited to districts or a customer sees its payers' advices only."""
    return await page_of(
        session,
        queries.remittance_advices(status=advice_status, payment_id=payment_id, scope=actor.scope),
        order_by=[col(RemittanceAdvice.created_at), col(RemittanceAdvice.id)],
        params=page,
        item=AdviceOut.model_validate,
    )


@router.get("/documents/{document_id}", summary="Read an advice file's outcome")
async def read_document(
    document_id: uuid.UUID, session: SessionDep, _: AnyRole
) -> AdviceDocumentOut:
    """What was read from each part of the file, what was not, and its advices."""
    document = await queries.get_advice_document(session, document_id)
    return document_out(document, await queries.advices_of_document(session, document.id))


@router.get(
    "/documents/{document_id}/content",
    summary="Download the advice as it arrived",
    response_class=Response,
    responses={200: {"content": {"message/rfc822": {}, "application/edi-x12": {}}}},
)
async def download_document(document_id: uuid.UUID, session: SessionDep, _: AnyRole) -> Response:
    """The email or 820 file exactly as it was received: the evidence."""
    document = await queries.get_advice_document(session, document_id)
    return file_response(document.content, document.content_type, document.filename)


@router.get("/{advice_id}", summary="Read a remittance advice")
async def read_advice(advice_id: uuid.UUID, session: SessionDep, actor: ScopedAnyRole) -> AdviceOut:
    """The advice, its lines and what it was used for (a 404 outside the caller's scope)."""
    return AdviceOut.model_validate(await queries.get_advice(session, advice_id, scope=actor.scope))


@router.post(
    "/{advice_id}/use",
    summary="Use an advice for a payment",
    responses={409: problem_doc("The advice, or the payment, was matched already")},
)
async def use_advice(
    advice_id: uuid.UUID,
    data: AdviceUseIn,
    session: SessionDep,
    actor: ScopedARStaff,
    rules: Rules,
) -> AdviceOut:
    """Say which payment a waiting or unmatched advice is for: its lines become the payment's
    remittance and cash application runs again (what waited in the review queue for the payment
    is superseded)."""
    advice = await queries.get_advice(session, advice_id, lock=True, scope=actor.scope)
    payment = await queries.get_payment_in_scope(session, data.payment_id, actor.scope, lock=True)
    await advices.assign(session, advice, payment, rules, actor)
    return AdviceOut.model_validate(advice)
