"""The month's AR pack, as XLSX or PDF, and sending it to the distribution list."""

from enum import StrEnum
from typing import Annotated

from fastapi import Path, Response

from services.collections.api.dependencies import SettingsDep
from services.collections.commands.ar_pack import send_ar_pack
from services.collections.documents.ar_pack import ar_pack, pack_pdf, pack_xlsx
from services.collections.queries.export import XLSX_MEDIA_TYPE
from services.collections.queries.kpis import Month
from shared.api.access import ARStaffAndAuditors, ARSupervisor
from shared.api.dates import BoundedMonth
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/reports/ar-pack", "reports")

Period = Annotated[BoundedMonth, Path()]
PDF = "application/pdf"


class PackFormat(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"


@router.get(
    "/{period}",
    summary="The AR pack of a month",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}, PDF: {}}}},
)
async def read_ar_pack(
    clock: ClockDep,
    period: Period,
    session: SessionDep,
    _: ARStaffAndAuditors,
    settings: SettingsDep,
    format: PackFormat = PackFormat.XLSX,
) -> Response:
    """Aging by district and bucket at the month's end, KPIs against the DSO targets, the AR
    rollforward tied to the ledger and the AR control account, the credit memo, cash receipts
    and write-off registers, sales tax by jurisdiction and the accounts over 60 days."""
    pack = await ar_pack(session, settings, Month.parse(period), clock.zone)
    if format is PackFormat.PDF:
        return Response(pack_pdf(pack, settings.company), media_type=PDF)
    return Response(pack_xlsx(pack), media_type=XLSX_MEDIA_TYPE)


@router.post("/{period}/send", summary="Mail the AR pack to the distribution list")
async def send_pack(
    clock: ClockDep, period: Period, session: SessionDep, actor: ARSupervisor, settings: SettingsDep
) -> dict[str, list[str]]:
    """Send the pack (XLSX and PDF) to AR_COLLECTIONS_AR_PACK_RECIPIENTS, as closing the month
    does; answers whom it went to (none when the list is empty or the mail server failed,
    which the audit trail records). Supervisors only."""
    sent_to = await send_ar_pack(session, settings, Month.parse(period), clock.zone, actor)
    return {"sent_to": sent_to}
