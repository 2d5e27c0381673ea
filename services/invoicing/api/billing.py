"""The billing-runs API: draft a district's ready tickets, then issue them."""

import uuid

from fastapi import Response, status
from sqlmodel import col

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands import billing as commands
from services.invoicing.commands.delivery import deliver_invoice, undelivered
from services.invoicing.models.billing import BillingRun
from services.invoicing.queries.billing import get_billing_run, search_billing_runs
from services.invoicing.schemas.billing import BillingRunOut, DraftSummary, RunCreate
from shared.api.access import AnyRole, ARStaff
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/billing-runs", "billing runs")


async def _out(
    session: SessionDep, run: BillingRun, drafts: list[DraftSummary] | None = None
) -> BillingRunOut:
    issued = await commands.issued_count(session, run.id)
    return BillingRunOut.model_validate(run).model_copy(
        update={"issued_count": issued, "drafts": drafts}
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Start a billing run")
async def start_run(
    clock: ClockDep,
    data: RunCreate,
    session: SessionDep,
    actor: ARStaff,
    response: Response,
    settings: SettingsDep,
) -> BillingRunOut:
    """Group the districts' ready tickets closed by the cut-off into draft invoices per each
    customer's billing profile (per ticket, per PO, per job site or consolidated), taxed on the
    invoice date. Tickets of its districts and cut-off it leaves out (held with their reasons, or
    not billable) are listed as exceptions. A dry run answers the proposal and changes nothing.
    Every ticket is linked to its draft in the same transaction, so no two runs ever draft the
    same ticket. An unknown district, or an invoice date before the cut-off or too far ahead, is
    a 422."""
    run, drafts = await commands.start_run(
        session, data, actor, clock=clock, max_future_days=settings.max_future_days
    )
    response.headers["Location"] = f"{router.prefix}/{run.id}"
    return await _out(session, run, drafts if data.dry_run else None)


@router.get("", summary="List billing runs")
async def list_runs(session: SessionDep, _: AnyRole, page: PageQuery) -> Page[BillingRunOut]:
    """Billing runs, oldest first, with their counts and exceptions."""
    runs = await page_of(
        session,
        search_billing_runs(),
        order_by=[col(BillingRun.created_at), col(BillingRun.id)],
        params=page,
        item=BillingRunOut.model_validate,
    )
    issued = await commands.issued_counts(session, [run.id for run in runs.items])
    for run in runs.items:
        run.issued_count = issued.get(run.id, 0)
    return runs


@router.get("/{run_id}", summary="Read a billing run")
async def read_run(run_id: uuid.UUID, session: SessionDep, _: AnyRole) -> BillingRunOut:
    """The run's counts, status and exceptions; its invoices are
    `GET /v1/invoices?billing_run_id=`."""
    run = await get_billing_run(session, run_id)
    return await _out(session, run)


@router.post("/{run_id}/issue", summary="Issue a billing run's invoices")
async def issue_run(
    clock: ClockDep, run_id: uuid.UUID, session: SessionDep, actor: ARStaff, settings: SettingsDep
) -> BillingRunOut:
    """Issue every draft of the run: gapless numbers, due dates from the terms, journal entries,
    `InvoiceIssued`. Issued in batches, each committed on its own; after a crash, calling it
    again issues what is left and never an invoice twice."""
    run = await get_billing_run(session, run_id)
    await commands.issue_run(session, run, settings=settings, actor=actor, clock=clock)
    return await _out(session, await get_billing_run(session, run_id))


@router.post("/{run_id}/deliver", summary="Deliver a billing run's invoices")
async def deliver_run(
    clock: ClockDep, run_id: uuid.UUID, session: SessionDep, actor: ARStaff, settings: SettingsDep
) -> BillingRunOut:
    """Deliver every issued invoice of the run not yet delivered, each as its customer's billing
    profile says (email with the PDF to the invoice contacts); each outcome, a failure included,
    is recorded on its invoice. Calling it again retries only what is not yet delivered."""
    run = await get_billing_run(session, run_id)
    for invoice in await undelivered(session, run.id):
        await deliver_invoice(session, invoice, settings=settings, actor=actor, clock=clock)
    return await _out(session, run)
