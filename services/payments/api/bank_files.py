"""Bank and lockbox files."""

import uuid
from typing import Annotated

from fastapi import File, Form, Response, UploadFile, status

from services.payments import queries
from services.payments.api.dependencies import Rules
from services.payments.commands.bank_imports import import_bank_file
from services.payments.domain.bank_files.reading import BankFileFormat
from services.payments.models import BankFile
from services.payments.schemas import BankFileOut
from shared.api.access import AnyRole, ARStaffAndIntegration
from shared.api.problems import NotFound, Problem, problem_doc
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/bank-files", "bank files")


def _out(bank_file: BankFile, payment_ids: list[uuid.UUID]) -> BankFileOut:
    return BankFileOut(
        id=bank_file.id,
        filename=bank_file.filename,
        format=bank_file.format,
        payments=payment_ids,
        duplicates=bank_file.duplicates,
        errors=bank_file.errors,
        reversals=bank_file.reversals,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Import a bank or lockbox file",
    responses={409: problem_doc("The same file was imported before (`earlier_import` names it)")},
)
async def upload_bank_file(
    clock: ClockDep,
    session: SessionDep,
    actor: ARStaffAndIntegration,
    rules: Rules,
    response: Response,
    file: Annotated[UploadFile, File(description="BAI2, camt.053/054 XML, NACHA or lockbox CSV")],
    file_format: Annotated[
        BankFileFormat | None,
        Form(alias="format", description="Recognised from the content if left out"),
    ] = None,
) -> BankFileOut:
    """Record every credit in the file as a payment with its remittance (`PaymentReceived`), then
    apply cash to what it matches. A transaction imported before (same bank reference) is listed
    under `duplicates` with the earlier payment and file; a line that cannot be read is listed
    under `errors` with its line number while the good lines are kept. The same file again is a
    409 naming the earlier import; a file that cannot be read at all is a 422 and records
    nothing."""
    content = await file.read(rules.max_bank_file_bytes + 1)
    if len(content) > rules.max_bank_file_bytes:
        raise Problem(
            f"bank files may be at most {rules.max_bank_file_bytes} bytes",
            status=413,
            slug="bank-file-too-large",
            title="Bank file too large",
        )
    if not content.strip():
        raise Problem(
            "the file is empty", status=422, slug="empty-bank-file", title="Empty bank file"
        )
    result = await import_bank_file(
        session,
        file.filename or "bank-file",
        content,
        file_format,
        rules,
        actor,
        today=clock.calendar_date(),
    )
    response.headers["Location"] = f"{router.prefix}/{result.bank_file.id}"
    return _out(result.bank_file, [p.id for p in result.payments])


@router.get("/{bank_file_id}", summary="Read an imported file's outcome")
async def read_bank_file(bank_file_id: uuid.UUID, session: SessionDep, _: AnyRole) -> BankFileOut:
    """What the import recorded: its payments, the duplicates it skipped and the lines it could
    not read."""
    bank_file = await session.get(BankFile, bank_file_id)
    if bank_file is None:
        raise NotFound(f"no bank file {bank_file_id}")
    return _out(bank_file, await queries.payments_of_file(session, bank_file.id))
