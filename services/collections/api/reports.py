"""Reports: the unbilled monitor, the management report over 60 days, statements of account."""

import uuid
from enum import StrEnum
from typing import Annotated

from fastapi import Query, Response

from services.collections.api.aging import aged_item_out
from services.collections.api.dependencies import SettingsDep
from services.collections.commands.statements import send_statement
from services.collections.documents.letters import pdf
from services.collections.documents.management_report import over_60_days, report_pdf, report_xlsx
from services.collections.documents.statements import statement
from services.collections.queries.aging import AgingQuery
from services.collections.queries.export import XLSX_MEDIA_TYPE
from services.collections.queries.unbilled import stale_unbilled
from services.collections.schemas import (
    ActivityOut,
    OverSixtyOut,
    StatementOut,
    UnbilledGroupOut,
    UnbilledTicketOut,
)
from shared.api.access import AnyRole, ARStaffAndAuditors, ScopedAnyRole, ScopedARStaff
from shared.api.body import RequestBody
from shared.api.dates import BoundedDate
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1", "reports")

AsOf = Annotated[BoundedDate | None, Query(description="Default today")]
PDF = "application/pdf"


class ReportFormat(StrEnum):
    # No CSV: the report nests each account's action history.
    JSON = "json"
    XLSX = "xlsx"


@router.get("/unbilled", summary="Stale unbilled tickets")
async def read_unbilled(
    clock: ClockDep,
    session: SessionDep,
    _: AnyRole,
    settings: SettingsDep,
    as_of: AsOf = None,
    older_than_days: Annotated[int | None, Query(ge=0, le=365)] = None,
) -> list[UnbilledGroupOut]:
    """Tickets closed more than N days ago (default the configured threshold) that no invoice
    has billed yet, and beside them the rent, storage and pass-through costs the customers were not
    billed for, by district and sales rep, with the amount at risk."""
    days = settings.unbilled_stale_days if older_than_days is None else older_than_days
    groups = await stale_unbilled(session, as_of or clock.today(), days)
    return [
        UnbilledGroupOut(
            business_district=g.business_district,
            sales_rep=g.sales_rep,
            currency=g.currency,
            tickets=[UnbilledTicketOut.model_validate(t) for t in g.tickets],
            rental_unbilled=g.rental,
            storage_unbilled=g.storage,
            pass_through_unbilled=g.pass_through,
            amount_at_risk=g.amount_at_risk,
        )
        for g in groups
    ]


@router.get(
    "/reports/over-60-days",
    summary="ARStaffAndAuditors report of accounts over 60 days",
    response_model=list[OverSixtyOut],
)
async def read_over_60_days(
    clock: ClockDep,
    session: SessionDep,
    _: ARStaffAndAuditors,
    as_of: AsOf = None,
    format: ReportFormat = ReportFormat.JSON,
) -> list[OverSixtyOut] | Response:
    """Every account over 60 days past due: balance, age, disputes and promises, its action
    history and the next step. `format=xlsx` or `pdf` for the copy management reads."""
    day = as_of or clock.today()
    lines = await over_60_days(session, day, clock.zone)
    if format is ReportFormat.XLSX:
        return Response(report_xlsx(lines, day), media_type=XLSX_MEDIA_TYPE)
    return [
        OverSixtyOut(
            customer_id=line.row.customer_id,
            currency=line.row.currency,
            account_number=line.row.account.account_number if line.row.account else None,
            legal_name=line.row.account.legal_name if line.row.account else None,
            past_due=line.row.position.past_due,
            oldest_days_past_due=line.row.position.oldest_days_past_due,
            disputed=line.row.position.disputed,
            promised=line.row.position.promised,
            actions=[ActivityOut.model_validate(a) for a in line.history],
            next_step=line.next_step,
        )
        for line in lines
    ]


@router.get(
    "/reports/over-60-days.pdf",
    summary="ARStaffAndAuditors report of accounts over 60 days, as PDF",
    response_class=Response,
    responses={200: {"content": {PDF: {}}}},
)
async def read_over_60_days_pdf(
    clock: ClockDep,
    session: SessionDep,
    _: ARStaffAndAuditors,
    settings: SettingsDep,
    as_of: AsOf = None,
) -> Response:
    """The same report as a PDF, on the company's landscape page."""
    day = as_of or clock.today()
    lines = await over_60_days(session, day, clock.zone)
    return Response(report_pdf(lines, day, settings.company), media_type=PDF)


@router.get(
    "/statements/{customer_id}",
    summary="A customer's statement of account",
    response_model=StatementOut,
)
async def read_statement(
    clock: ClockDep,
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: ScopedAnyRole,
    settings: SettingsDep,
    as_of: AsOf = None,
    as_pdf: Annotated[bool, Query(alias="pdf")] = False,
) -> StatementOut | Response:
    """Every open invoice and credit of the customer as of the date, with its age and the
    balance; `pdf=true` for the document the customer receives: with where to remit and the
    balance by aging bucket. A 404 outside the caller's districts or customer."""
    day = as_of or clock.today()
    account, items, letter = await statement(session, settings, customer_id, day, scope=actor.scope)
    if as_pdf:
        return Response(pdf(letter, settings.company), media_type=PDF)
    labels = AgingQuery(as_of=day).buckets.labels
    return StatementOut(
        customer_id=account.id,
        account_number=account.account_number,
        legal_name=account.legal_name,
        currency=account.currency,
        as_of=day,
        balance=letter.total,
        items=[aged_item_out(i, labels) for i in items],
    )


class StatementSend(RequestBody):
    as_of: BoundedDate | None = None


@router.post("/statements/{customer_id}/send", summary="Email a statement of account")
async def send_statement_now(
    clock: ClockDep,
    customer_id: uuid.UUID,
    data: StatementSend,
    session: SessionDep,
    actor: ScopedARStaff,
    settings: SettingsDep,
) -> dict[str, list[str]]:
    """Email the statement as a PDF to the customer's billing contacts and record it on the
    account's history. Answers whom it went to."""
    sent_to = await send_statement(
        session, settings, customer_id, data.as_of or clock.today(), actor, now=clock.now()
    )
    return {"sent_to": sent_to}
