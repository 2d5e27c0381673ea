"""Bureau reports: the one the credit manager pulled, or a vendor's answer (or failure)."""

import uuid
from datetime import date

from fastapi import Response, status

from services.credit.api.dependencies import Settings
from services.credit.commands.bureau import HttpBureauProvider, pull_report, record_manual_report
from services.credit.domain.bureau import ReportStatus, is_expired
from services.credit.models import BureauReport
from services.credit.queries.accounts import get_account
from services.credit.queries.bureau import customer_reports, get_report
from services.credit.schemas import BureauPull, BureauReportIn, BureauReportOut
from services.credit.settings import CreditSettings
from shared.api.access import CreditDecider, StaffAndAuditors
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/bureau-reports", "bureau reports")


def report_out(report: BureauReport, settings: CreditSettings, today: date) -> BureauReportOut:
    expired = report.status != ReportStatus.RECEIVED or is_expired(
        report.reported_on,
        today=today,
        max_age_days=settings.bureau_report_max_age_days,
    )
    facts = {
        name: getattr(report, name) for name in BureauReportOut.model_fields if name != "expired"
    }
    return BureauReportOut(**facts, expired=expired)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Record a report pulled by hand")
async def record_report(
    data: BureauReportIn,
    session: SessionDep,
    actor: CreditDecider,
    settings: Settings,
    clock: ClockDep,
    response: Response,
) -> BureauReportOut:
    """The built-in provider: record the score, payment index, derogatory items and date of a
    report the credit manager pulled, with its document (base64)."""
    account = await get_account(session, data.customer_id)
    report = record_manual_report(session, account, data, actor)
    response.headers["Location"] = f"{router.prefix}/{report.id}"
    return report_out(report, settings, clock.today())


@router.post("/pull", status_code=status.HTTP_201_CREATED, summary="Ask the bureau vendor")
async def pull_from_vendor(
    data: BureauPull,
    session: SessionDep,
    actor: CreditDecider,
    settings: Settings,
    clock: ClockDep,
    response: Response,
) -> BureauReportOut:
    """Ask the configured vendor for the customer's report. Its reply is read through the
    configured field mapping; an unreachable vendor or a reply that cannot be read is recorded
    as a `failed` check with the error, and answered 201 like any recorded check."""
    account = await get_account(session, data.customer_id)
    report = await pull_report(session, account, HttpBureauProvider(settings), actor)
    response.headers["Location"] = f"{router.prefix}/{report.id}"
    return report_out(report, settings, clock.today())


@router.get("", summary="A customer's bureau checks")
async def list_reports(
    customer_id: uuid.UUID,
    session: SessionDep,
    _: StaffAndAuditors,
    settings: Settings,
    clock: ClockDep,
) -> list[BureauReportOut]:
    """Every check for the customer, newest first, each saying whether it has expired."""
    reports = await customer_reports(session, customer_id)
    return [report_out(report, settings, clock.today()) for report in reports]


@router.get("/{report_id}", summary="Read a bureau check")
async def read_report(
    report_id: uuid.UUID,
    session: SessionDep,
    _: StaffAndAuditors,
    settings: Settings,
    clock: ClockDep,
) -> BureauReportOut:
    """One check: the findings received or why it failed, and whether it has expired."""
    return report_out(await get_report(session, report_id), settings, clock.today())
