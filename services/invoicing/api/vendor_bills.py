"""The vendor-bills API: enter or import third-party bills, code their lines to accounts and
jobs (with suggestions), attach the bill's file, approve and post, reject, reverse."""

import uuid
from typing import Annotated

from fastapi import File, Query, Response, UploadFile, status
from sqlmodel import col

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands import bill_import
from services.invoicing.commands import costs as commands
from services.invoicing.domain.costs import BillStatus, LineCoding, uncoded
from services.invoicing.models.costs import VendorBill, VendorBillLine
from services.invoicing.queries import costs as queries
from services.invoicing.schemas.costs import (
    ApproveIn,
    BillIn,
    BillLineOut,
    BillOut,
    DocumentOut,
    ImportOut,
    LineCodingIn,
    RejectIn,
)
from shared.api.access import AnyRole, ARStaff
from shared.api.files import FILE_CONTENT, TOO_LARGE, file_response, read_upload
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.problems import NotFound
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.audit import HistoryEntry, history
from shared.clock import ClockDep

router = service_router("/v1/vendor-bills", "vendor bills")


def bill_out(bill: VendorBill, lines: list[VendorBillLine]) -> BillOut:
    codings = [
        LineCoding(
            amount=line.amount,
            account=line.account,
            cost_category=line.cost_category,
            has_job=line.ticket_id is not None or line.job_site is not None,
            job_known=True,
            billable=line.billable,
            billable_job=True,
        )
        for line in lines
    ]
    return BillOut.model_validate(
        bill.model_dump()
        | {
            "lines": [BillLineOut.model_validate(line) for line in lines],
            "uncoded_lines": uncoded(codings),
        }
    )


async def _read(session: SessionDep, bill_id: uuid.UUID) -> BillOut:
    bill = await queries.get_bill(session, bill_id)
    return bill_out(bill, (await queries.bill_lines(session, [bill.id]))[bill.id])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Enter a vendor bill")
async def enter_bill(
    data: BillIn, session: SessionDep, actor: ARStaff, settings: SettingsDep, response: Response
) -> BillOut:
    """A bill with its lines, each coded to an active expense or cost account, a job (a ticket
    by number, or a customer's job site) and a cost category, or left for a suggestion: a line
    whose suggestion is at least `AR_INVOICING_CODING_AUTO_THRESHOLD` sure is coded by it
    (`auto_coded`), every other keeps its suggestion to look at. The lines must add up to the
    total. The vendor's number twice is a 409 naming the first; another number for the same
    amount dated a few days apart is entered and flagged in `possible_duplicates`."""
    vendor = await queries.get_vendor(session, data.vendor_id)
    entered = await commands.enter_bills(
        session,
        [
            commands.BillDraft(
                vendor=vendor,
                number=data.number,
                bill_date=data.bill_date,
                currency=data.currency,
                total=data.total,
                lines=data.lines,
                names=[f"lines[{n}]" for n in range(1, len(data.lines) + 1)],
            )
        ],
        actor,
        settings=settings,
    )
    [bill_id] = entered.bill_ids
    response.headers["Location"] = f"{router.prefix}/{bill_id}"
    return await _read(session, bill_id)


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    summary="Import vendor bills",
    responses=TOO_LARGE,
)
async def import_bills(
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, a line a row")],
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> ImportOut:
    """Columns: vendor (id or name), bill_number, bill_date, currency, bill_total, description,
    amount, and optionally account, cost_category, ticket_number, job_site, customer_id,
    billable. Rows of one vendor and bill number make one bill. All or nothing: a 422 names
    every bad row (the header is row 1)."""
    content = await read_upload(file, settings.max_document_bytes)
    drafts = bill_import.drafts_of(
        bill_import.read_rows(content), await queries.vendors_by_key(session)
    )
    entered = await commands.enter_bills(session, drafts, actor, settings=settings)
    return ImportOut(
        imported=len(entered.bill_ids),
        lines=entered.lines,
        auto_coded=entered.auto_coded,
        bill_ids=entered.bill_ids,
    )


@router.get("", summary="Search vendor bills")
async def list_bills(
    session: SessionDep,
    _: AnyRole,
    page: PageQuery,
    vendor_id: uuid.UUID | None = None,
    status_: Annotated[BillStatus | None, Query(alias="status")] = None,
) -> Page[BillOut]:
    """Bills matching every filter, oldest entered first, with their lines."""
    found = await page_of(
        session,
        queries.bills(vendor_id=vendor_id, status=status_),
        order_by=[col(VendorBill.created_at), col(VendorBill.id)],
        params=page,
        item=lambda bill: bill,
    )
    lines = await queries.bill_lines(session, [bill.id for bill in found.items])
    return Page[BillOut](
        **found.model_dump(exclude={"items"}),
        items=[bill_out(bill, lines[bill.id]) for bill in found.items],
    )


@router.get("/{bill_id}", summary="Read a vendor bill")
async def read_bill(bill_id: uuid.UUID, session: SessionDep, _: AnyRole) -> BillOut:
    """The bill, its lines as coded with each suggestion, and what still needs coding."""
    return await _read(session, bill_id)


@router.put("/{bill_id}/lines/{line}/coding", summary="Code a line")
async def code_line(
    bill_id: uuid.UUID,
    line: int,
    data: LineCodingIn,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> BillOut:
    """Code one line of a bill not yet posted: an unknown or inactive account, or an unknown
    job, is a 422."""
    bill = await queries.get_bill(session, bill_id, lock=True)
    lines = (await queries.bill_lines(session, [bill.id]))[bill.id]
    found = next((candidate for candidate in lines if candidate.line == line), None)
    if found is None:
        raise NotFound(f"vendor bill {bill_id} has no line {line}")
    await commands.code_line(session, bill, found, data, actor, settings=settings)
    await session.flush()
    return await _read(session, bill_id)


@router.post("/{bill_id}/approve", summary="Approve and post a vendor bill")
async def approve_bill(
    clock: ClockDep,
    bill_id: uuid.UUID,
    data: ApproveIn,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> BillOut:
    """Post the bill (Dr each line's expense or cost account / Cr accounts payable) and publish
    `VendorBillPosted`. Every line must be coded; above `AR_INVOICING_VENDOR_BILL_APPROVAL_LIMIT`
    only an ar_supervisor who did not enter it approves; a possible duplicate needs
    `duplicate_reviewed`. Billable lines wait for their ticket's next invoice, or, the ticket
    invoiced already, propose a cost adjustment. The bill is immutable afterwards."""
    bill = await queries.get_bill(session, bill_id, lock=True)
    await commands.approve_bill(
        session,
        bill,
        actor,
        duplicate_reviewed=data.duplicate_reviewed,
        settings=settings,
        clock=clock,
    )
    await session.flush()
    return await _read(session, bill_id)


@router.post("/{bill_id}/reject", summary="Reject a vendor bill")
async def reject_bill(
    bill_id: uuid.UUID, data: RejectIn, session: SessionDep, actor: ARStaff
) -> BillOut:
    """A rejected bill posts nothing."""
    bill = await queries.get_bill(session, bill_id, lock=True)
    await commands.reject_bill(session, bill, data.reason, actor)
    await session.flush()
    return await _read(session, bill_id)


@router.post(
    "/{bill_id}/reverse", status_code=status.HTTP_201_CREATED, summary="Reverse a vendor bill"
)
async def reverse_bill(
    clock: ClockDep, bill_id: uuid.UUID, session: SessionDep, actor: ARStaff, settings: SettingsDep
) -> BillOut:
    """Correct a posted bill: a reversing bill (`<number>-REV`) posts the lines negated today;
    what its billable lines billed is proposed back as credit memos. Answers the reversing bill."""
    bill = await queries.get_bill(session, bill_id, lock=True)
    reversal = await commands.reverse_bill(session, bill, actor, settings=settings, clock=clock)
    await session.flush()
    return await _read(session, reversal.id)


@router.post(
    "/{bill_id}/documents", status_code=201, summary="Attach the bill's file", responses=TOO_LARGE
)
async def upload_document(
    bill_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="PDF, PNG or JPEG")],
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> DocumentOut:
    """The bill as the vendor sent it; larger than the limit is a 413."""
    bill = await queries.get_bill(session, bill_id)
    content = await read_upload(file, settings.max_document_bytes)
    document = await commands.attach_document(
        session, bill, filename=file.filename or "bill.pdf", content=content, actor=actor
    )
    return DocumentOut.model_validate(document)


@router.get("/{bill_id}/documents", summary="List a vendor bill's files")
async def read_documents(bill_id: uuid.UUID, session: SessionDep, _: AnyRole) -> list[DocumentOut]:
    await queries.get_bill(session, bill_id)
    return [DocumentOut.model_validate(d) for d in await queries.list_documents(session, bill_id)]


@router.get(
    "/{bill_id}/documents/{document_id}",
    summary="Download a vendor bill's file",
    response_class=Response,
    responses=FILE_CONTENT,
)
async def download_document(
    bill_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, _: AnyRole
) -> Response:
    document = await queries.get_document(session, bill_id, document_id)
    return file_response(document.content, document.content_type, document.filename)


@router.get("/{bill_id}/history", summary="Who entered, coded, approved or reversed the bill")
async def bill_history(bill_id: uuid.UUID, session: SessionDep, _: AnyRole) -> list[HistoryEntry]:
    await queries.get_bill(session, bill_id)
    return await history(session, "vendor_bill", str(bill_id))
