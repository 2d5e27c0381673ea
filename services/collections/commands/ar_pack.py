"""Sending the month's AR pack to the distribution list (AR_COLLECTIONS_AR_PACK_RECIPIENTS)."""

import logging
import uuid
from datetime import tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.documents.ar_pack import ar_pack, pack_pdf, pack_xlsx
from services.collections.queries.export import XLSX_MEDIA_TYPE
from services.collections.queries.kpis import Month
from services.collections.settings import CollectionsSettings
from shared import mail
from shared.audit import record_change
from shared.auth import Principal

log = logging.getLogger(__name__)


async def send_ar_pack(
    session: AsyncSession,
    settings: CollectionsSettings,
    month: Month,
    zone: tzinfo,
    actor: Principal,
) -> list[str]:
    """Mail the pack (XLSX and PDF) to the list; answers whom it went to, none when the list
    is empty. A mail server that fails is recorded in the audit trail and logged, and the pack
    can be sent again (`POST /v1/reports/ar-pack/{period}/send`): it never undoes a close."""
    recipients = settings.ar_pack_recipients
    if not recipients:
        return []
    pack = await ar_pack(session, settings, month, zone)
    message = mail.compose(
        settings.smtp,
        to=recipients,
        subject=f"{settings.company.legal_name}: {pack.title}",
        body=(
            f"The AR pack for {month} is attached: aging by district, KPIs against targets, the "
            "AR rollforward tied to the ledger, the credit memo, cash receipts and write-off "
            "registers, sales tax by jurisdiction and the accounts over 60 days.\n"
        ),
        attachments=[
            mail.Attachment(f"ar-pack-{month}.xlsx", pack_xlsx(pack), XLSX_MEDIA_TYPE),
            mail.Attachment(f"ar-pack-{month}.pdf", pack_pdf(pack, settings.company)),
        ],
    )
    try:
        delivery = await mail.send(
            message, settings.smtp, name=f"ar-pack-{month}-{uuid.uuid4().hex[:8]}"
        )
    except mail.MailError as error:
        log.warning("AR pack for %s not sent: %s", month, error)
        record_change(
            session,
            actor=actor,
            action="ar_pack.not_sent",
            entity_type="period",
            entity_id=str(month),
            changes={"to": recipients, "error": str(error)},
        )
        return []
    record_change(
        session,
        actor=actor,
        action="ar_pack.sent",
        entity_type="period",
        entity_id=str(month),
        changes={"to": recipients, "delivery": str(delivery)},
    )
    return list(recipients)
