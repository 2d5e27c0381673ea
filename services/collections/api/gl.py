"""GL routes: export numbered GL batches, read them as JSON, CSV or ERPNext's journal-import
layout, and the trial balance with the AR control account's tie to the ledger."""

from datetime import timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import Path, Query, Response, status

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.gl import export_batch
from services.collections.documents.ar_pack import tied_rollforwards
from services.collections.documents.gl_export import batch_csv, batch_erpnext
from services.collections.domain.gl import BatchKind, BatchLine, RollforwardLine, totals
from services.collections.models import GLBatch
from services.collections.queries.gl import (
    ar_control_tie,
    batch_lines,
    batches,
    trial_balance_as_of,
    unbatched_through,
)
from services.collections.queries.kpis import Month
from services.collections.schemas import (
    ARControlTieOut,
    CurrencyTotalsOut,
    GLBatchDetailOut,
    GLBatchIn,
    GLBatchLineOut,
    GLBatchOut,
    RollforwardOut,
    TieDocumentOut,
    TrialBalanceOut,
    TrialBalanceRowOut,
)
from shared.api.access import ARStaffAndAuditors, ARSupervisor
from shared.api.dates import BoundedDate, BoundedMonth
from shared.api.problems import NotFound
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/gl", "general ledger")


class BatchFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    # ERPNext's Journal Entry data import (docs in the collections README).
    ERPNEXT = "erpnext"


def _detail(batch: GLBatch, lines: list[BatchLine]) -> GLBatchDetailOut:
    return GLBatchDetailOut(
        **GLBatchOut.model_validate(batch).model_dump(),
        lines=[GLBatchLineOut.model_validate(line, from_attributes=True) for line in lines],
        totals=[CurrencyTotalsOut.model_validate(t, from_attributes=True) for t in totals(lines)],
    )


@router.post("/batches", status_code=status.HTTP_201_CREATED, summary="Export a GL batch")
async def create_batch(
    clock: ClockDep, data: GLBatchIn, session: SessionDep, actor: ARSupervisor
) -> GLBatchDetailOut:
    """The next numbered batch: every journal posting dated on or before the `day` (or the
    last day of the `period`) that no earlier batch took, late postings of earlier days
    included, summarised by currency, account and district. A batch never changes once
    exported. A 422 before the day or month has ended, or when nothing is left to export.
    Supervisors only."""
    if data.day is not None:
        kind, label, through = BatchKind.DAY, data.day.isoformat(), data.day
    else:
        assert data.period is not None
        kind, label, through = BatchKind.PERIOD, data.period, Month.parse(data.period).last
    batch = await export_batch(session, kind, label, through, actor, today=clock.today())
    return _detail(batch, await batch_lines(session, batch.number))


@router.get("/batches", summary="GL batches exported")
async def list_batches(session: SessionDep, _: ARStaffAndAuditors) -> list[GLBatchOut]:
    """Every batch, newest first."""
    return [GLBatchOut.model_validate(b) for b in await batches(session)]


@router.get(
    "/batches/{number}",
    summary="A GL batch",
    response_model=GLBatchDetailOut,
    responses={200: {"content": {"text/csv": {}}}},
)
async def read_batch(
    number: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    _: ARStaffAndAuditors,
    settings: SettingsDep,
    format: BatchFormat = BatchFormat.JSON,
) -> GLBatchDetailOut | Response:
    """The batch's lines by currency, account and department (district), with debits and
    credits per currency; `format=csv`, or `format=erpnext` for ERPNext's Journal Entry data
    import (one entry per currency, each line's net on one side)."""
    batch = await session.get(GLBatch, number)
    if batch is None:
        raise NotFound(f"no GL batch {number}")
    lines = await batch_lines(session, number)
    if format is BatchFormat.CSV:
        return Response(batch_csv(batch, lines), media_type="text/csv")
    if format is BatchFormat.ERPNEXT:
        return Response(
            batch_erpnext(batch, lines, settings.company.legal_name), media_type="text/csv"
        )
    return _detail(batch, lines)


@router.get("/pending", summary="Postings not exported yet")
async def read_pending(
    clock: ClockDep,
    session: SessionDep,
    _: ARStaffAndAuditors,
    through: Annotated[BoundedDate | None, Query(description="Default yesterday")] = None,
) -> dict[str, int]:
    """How many postings dated on or before the day no batch has taken yet."""
    day = through or clock.today() - timedelta(days=1)
    return {"postings": await unbatched_through(session, day)}


@router.get("/trial-balance", summary="Trial balance of the AR accounts")
async def read_trial_balance(
    clock: ClockDep,
    session: SessionDep,
    _: ARStaffAndAuditors,
    settings: SettingsDep,
    as_of: Annotated[BoundedDate | None, Query(description="Default today")] = None,
) -> TrialBalanceOut:
    """Every account the AR documents posted to, debits and credits dated on or before the
    date, per currency (debits equal credits); and per currency the AR control account against
    the ledger's AR, with the documents that make any difference."""
    day = as_of or clock.today()
    account = settings.chart.ar_control
    rows = await trial_balance_as_of(session, day)
    ties, documents = await ar_control_tie(session, day, account)
    return TrialBalanceOut(
        as_of=day,
        ar_control_account=account,
        accounts=[TrialBalanceRowOut.model_validate(r, from_attributes=True) for r in rows],
        totals=[CurrencyTotalsOut.model_validate(t, from_attributes=True) for t in totals(rows)],
        ar_control=[
            ARControlTieOut(
                currency=t.currency,
                ledger=t.ledger,
                journal=t.journal,
                difference=t.difference,
                documents=[
                    TieDocumentOut.model_validate(d, from_attributes=True)
                    for d in documents
                    if d.currency == t.currency
                ],
            )
            for t in ties
        ],
    )


@router.get("/rollforward", summary="The AR rollforward of a month")
async def read_rollforward(
    session: SessionDep,
    _: ARStaffAndAuditors,
    settings: SettingsDep,
    period: Annotated[BoundedMonth, Query()],
) -> list[RollforwardOut]:
    """Per currency: opening AR + invoices + supplementary invoices − credit memos − cash
    applied − write-offs ± other adjustments = closing AR, beside the ledger's AR and the AR
    control account at the month's end; `ties` says all three agree to the cent."""
    month = Month.parse(period)
    return [
        RollforwardOut(
            currency=r.currency,
            period=period,
            opening=r.opening,
            **{line.value: r.shown(line) for line in RollforwardLine},
            other=r.other,
            closing=r.closing,
            ledger=tied.tie.ledger,
            journal=tied.tie.journal,
            ties=tied.ties,
        )
        for tied in await tied_rollforwards(session, month, settings.chart.ar_control)
        for r in [tied.rollforward]
    ]
