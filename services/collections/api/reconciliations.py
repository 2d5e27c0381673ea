"""Reconciliation routes: the sales system's and the accounting system's AR against the ledger."""

import json
import uuid
from typing import Annotated

from fastapi import File, Form, Path, Response, UploadFile, status
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.reconciliation import (
    import_side,
    refuse_rows,
    resolve_difference,
    sign_off,
    start_reconciliation,
)
from services.collections.documents.reconciliation import read_records, reconciliation_xlsx
from services.collections.domain.reconciliation import (
    FIELDS,
    REQUIRED_FIELDS,
    Side,
    SourceRow,
    read_rows,
)
from services.collections.queries.export import XLSX_MEDIA_TYPE
from services.collections.queries.reconciliation import (
    differences,
    get_difference,
    get_reconciliation,
    reconciliations,
)
from services.collections.schemas import (
    BalancesIn,
    DifferenceOut,
    ImportOut,
    ReconciliationIn,
    ReconciliationOut,
    ResolutionIn,
)
from shared.api.access import ARStaff, ARStaffAndAuditors, ARStaffAndIntegration, ARSupervisor
from shared.api.dates import BoundedDate
from shared.api.files import TOO_LARGE, file_response, read_upload
from shared.api.problems import BusinessRuleViolation
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.auth import Principal
from shared.clock import Clock, ClockDep

router = service_router("/v1/reconciliations", "reconciliation")

ReconciliationId = Annotated[uuid.UUID, Path()]


def _mapping(text: str | None) -> dict[str, str]:
    """Our field → the file's header, from the form's JSON; unknown fields are refused."""
    if not text:
        return {}
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as error:
        raise BusinessRuleViolation("the column mapping is not JSON") from error
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise BusinessRuleViolation(
            'the column mapping maps fields to headers: {"amount": "Balance"}'
        )
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise BusinessRuleViolation(
            f"the column mapping names no field {', '.join(unknown)}; "
            f"the fields are {', '.join(FIELDS)}"
        )
    return mapping


async def _imported(
    session: AsyncSession,
    reconciliation_id: uuid.UUID,
    side: Side,
    rows: list[SourceRow],
    actor: Principal,
    clock: Clock,
) -> ImportOut:
    reconciliation = await get_reconciliation(session, reconciliation_id)
    recorded = await import_side(session, reconciliation, side, rows, actor, clock=clock)
    await session.flush()
    return ImportOut(
        reconciliation=ReconciliationOut.model_validate(reconciliation),
        differences=[DifferenceOut.model_validate(d) for d in recorded],
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Start a reconciliation")
async def start(
    clock: ClockDep, data: ReconciliationIn, session: SessionDep, actor: ARStaff
) -> ReconciliationOut:
    """A reconciliation of the AR as of a day that has ended; each side's balances come next."""
    reconciliation = await start_reconciliation(session, data.as_of, actor, clock=clock)
    await session.flush()
    return ReconciliationOut.model_validate(reconciliation)


@router.get("", summary="Reconciliations")
async def list_reconciliations(
    session: SessionDep, _: ARStaffAndAuditors, as_of: BoundedDate | None = None
) -> list[ReconciliationOut]:
    """Newest first; `as_of` keeps those of one day."""
    return [ReconciliationOut.model_validate(r) for r in await reconciliations(session, as_of)]


@router.get("/{reconciliation_id}", summary="A reconciliation")
async def read(
    reconciliation_id: ReconciliationId, session: SessionDep, _: ARStaffAndAuditors
) -> ReconciliationOut:
    """The day, who prepared it, each side imported with its totals, and the sign-off."""
    return ReconciliationOut.model_validate(await get_reconciliation(session, reconciliation_id))


@router.post("/{reconciliation_id}/sources/{side}", summary="Import a side's balances (JSON)")
async def import_json(
    clock: ClockDep,
    reconciliation_id: ReconciliationId,
    side: Side,
    data: BalancesIn,
    session: SessionDep,
    actor: ARStaffAndIntegration,
) -> ImportOut:
    """For an integration: the sales or accounting system's open documents per customer as of
    the reconciliation's day. All or nothing: a bad row is a 422 naming it (`body.rows.N`,
    from 0). Answers with every difference found, classified."""
    rows = [
        SourceRow(n, r.account_number, r.amount, r.document, r.kind, r.document_date)
        for n, r in enumerate(data.rows, start=1)
    ]
    return await _imported(session, reconciliation_id, side, rows, actor, clock)


@router.post(
    "/{reconciliation_id}/sources/{side}/file",
    summary="Import a side's balances (CSV or XLSX)",
    responses=TOO_LARGE,
)
async def import_file(
    clock: ClockDep,
    reconciliation_id: ReconciliationId,
    side: Side,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, a header row first")],
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
    mapping: Annotated[
        str | None,
        Form(
            description="JSON: our field → the file's header, for the fields "
            f"{', '.join(FIELDS)} (a field not mapped is read under its own name)",
            examples=['{"account_number": "Cust #", "document": "Doc No", "amount": "Open"}'],
            max_length=2000,
        ),
    ] = None,
) -> ImportOut:
    """A file exported from the sales or accounting system. All or nothing: every bad row is
    listed in one 422 by its row number in the file (the header is row 1)."""
    columns = _mapping(mapping)
    records = read_records(await read_upload(file, settings.reconciliation_file_max_bytes))
    headers = set(records[0]) if records else set()
    absent = sorted(columns.get(f, f) for f in REQUIRED_FIELDS if columns.get(f, f) not in headers)
    if absent:
        raise BusinessRuleViolation(f"the file has no column {', '.join(absent)}")
    rows, errors = read_rows(records, columns, first_row=2)
    if errors:
        raise refuse_rows(errors)
    return await _imported(session, reconciliation_id, side, rows, actor, clock)


@router.get("/{reconciliation_id}/differences", summary="The differences found")
async def read_differences(
    reconciliation_id: ReconciliationId,
    session: SessionDep,
    _: ARStaffAndAuditors,
    open: bool = False,
) -> list[DifferenceOut]:
    """Every difference with its class, the documents behind it and its resolution; `open=true`
    gives the worklist of those nobody has resolved yet."""
    await get_reconciliation(session, reconciliation_id)
    found = await differences(session, reconciliation_id, open_only=open)
    return [DifferenceOut.model_validate(d) for d in found]


@router.post(
    "/{reconciliation_id}/differences/{difference_id}/resolve", summary="Resolve a difference"
)
async def resolve(
    clock: ClockDep,
    reconciliation_id: ReconciliationId,
    difference_id: uuid.UUID,
    data: ResolutionIn,
    session: SessionDep,
    actor: ARStaff,
) -> DifferenceOut:
    """Explained (with a note), adjusted (naming the document that corrects it) or escalated to
    sales or accounting. A 409 once the reconciliation is signed off."""
    reconciliation = await get_reconciliation(session, reconciliation_id)
    difference = await get_difference(session, reconciliation_id, difference_id)
    resolved = await resolve_difference(
        session,
        reconciliation,
        difference,
        data.resolution,
        data.note,
        data.adjusting_document,
        actor,
        clock=clock,
    )
    return DifferenceOut.model_validate(resolved)


@router.post("/{reconciliation_id}/sign-off", summary="Sign a reconciliation off")
async def sign(
    clock: ClockDep, reconciliation_id: ReconciliationId, session: SessionDep, actor: ARSupervisor
) -> ReconciliationOut:
    """Once both sides are imported and every difference is resolved, by a supervisor who
    neither prepared it nor imported a side (422 otherwise)."""
    reconciliation = await get_reconciliation(session, reconciliation_id)
    return ReconciliationOut.model_validate(
        await sign_off(session, reconciliation, actor, clock=clock)
    )


@router.get(
    "/{reconciliation_id}/export.xlsx",
    summary="The reconciliation as XLSX",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
async def export(
    reconciliation_id: ReconciliationId, session: SessionDep, _: ARStaffAndAuditors
) -> Response:
    """Its summary and every difference with how it was resolved."""
    reconciliation = await get_reconciliation(session, reconciliation_id)
    found = await differences(session, reconciliation_id)
    return file_response(
        reconciliation_xlsx(reconciliation, found),
        XLSX_MEDIA_TYPE,
        f"reconciliation-{reconciliation.as_of.isoformat()}.xlsx",
    )
