"""The job-margin report: revenue billed against third-party cost coded, per job and period."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import Query, Response

from services.invoicing.documents.margin import XLSX_MEDIA_TYPE, margin_xlsx
from services.invoicing.domain.margin import MarginGrouping, job_margin
from services.invoicing.queries.costs import margin_amounts
from services.invoicing.schemas.costs import MarginRowOut
from shared.api.access import ARStaffAndAuditors
from shared.api.problems import BusinessRuleViolation
from shared.api.routing import service_router
from shared.api.transaction import SessionDep

router = service_router("/v1/job-margin", "job margin")


class MarginFormat(StrEnum):
    JSON = "json"
    XLSX = "xlsx"


@router.get(
    "",
    summary="Job margin",
    response_model=list[MarginRowOut],
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
async def read_job_margin(
    session: SessionDep,
    _: ARStaffAndAuditors,
    from_: Annotated[date, Query(alias="from", description="First day of the period")],
    to: Annotated[date, Query(description="Last day of the period")],
    group_by: MarginGrouping = MarginGrouping.TICKET,
    district: Annotated[str | None, Query(max_length=50)] = None,
    format_: Annotated[MarginFormat, Query(alias="format")] = MarginFormat.JSON,
) -> list[MarginRowOut] | Response:
    """Per month and ticket (or job site, district, month alone): revenue billed (invoice lines
    of the job less its credit-memo lines), third-party cost coded to it, billable cost not yet
    billed, and the margin. `format=xlsx` gives the same rows as a workbook."""
    if to < from_:
        raise BusinessRuleViolation("`to` is before `from`")
    revenue, cost, unbilled, jobs = await margin_amounts(session, from_, to, district)
    rows = job_margin(group_by, jobs, revenue, cost, unbilled)
    if format_ == MarginFormat.XLSX:
        return Response(margin_xlsx(rows, group_by), media_type=XLSX_MEDIA_TYPE)
    return [
        MarginRowOut(
            key=list(row.key),
            currency=row.currency,
            tickets=len(row.tickets),
            revenue=row.revenue,
            cost=row.cost,
            unbilled_pass_through=row.unbilled_pass_through,
            margin=row.margin,
        )
        for row in rows
    ]
