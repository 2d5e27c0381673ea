"""Bureau checks behind one provider interface.

The built-in provider records a report the credit manager pulled themself, so the workflow is
real without a vendor contract. The HTTP provider asks a vendor and reads its JSON reply through
the configured field mapping; a reply that cannot be read, or no reply, is recorded as a failed
check rather than refused, so the attempt stays on file.
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.bureau import BureauFindings, MalformedReply, ReportStatus, map_reply
from services.credit.models import BureauReport, CreditAccount
from services.credit.schemas import BureauReportIn
from services.credit.settings import CreditSettings
from shared.api.problems import BusinessRuleViolation
from shared.audit import record_change
from shared.auth import Principal

MANUAL = "manual"


class BureauCheckFailed(Exception):
    """The vendor could not be asked, or its answer could not be read."""

    def __init__(self, message: str, raw: Any = None) -> None:
        super().__init__(message)
        self.raw = raw


@dataclass(frozen=True)
class Pulled:
    findings: BureauFindings
    raw: Any


class BureauProvider(Protocol):
    name: str

    async def pull(self, account: CreditAccount) -> Pulled:
        """The customer's report, or BureauCheckFailed."""


class NoBureauConfigured(BusinessRuleViolation):
    slug, title = "no-bureau-configured", "No bureau vendor is configured"


class HttpBureauProvider:
    """A vendor answering `POST <url>` with a JSON report, read through `fields` (JSON pointers)."""

    name = "http"

    def __init__(self, settings: CreditSettings) -> None:
        if not settings.bureau_url:
            raise NoBureauConfigured(
                "set AR_CREDIT_BUREAU_URL, or record the report pulled by hand"
            )
        self.url, self.fields = settings.bureau_url, settings.bureau_fields
        self.timeout = settings.bureau_timeout_seconds
        key = settings.bureau_api_key
        self.headers = {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}

    async def pull(self, account: CreditAccount) -> Pulled:
        query = {
            "customer_id": str(account.id),
            "account_number": account.account_number,
            "business_name": account.legal_name,
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, json=query, headers=self.headers)
        except httpx.HTTPError as exc:
            raise BureauCheckFailed(f"the vendor could not be reached: {exc!r}") from exc
        if response.status_code != 200:
            raise BureauCheckFailed(
                f"the vendor answered {response.status_code}", {"body": response.text[:2000]}
            )
        try:
            reply = response.json()
        except ValueError as exc:
            raise BureauCheckFailed(
                "the vendor's reply is not JSON", {"body": response.text[:2000]}
            ) from exc
        try:
            return Pulled(map_reply(reply, self.fields), reply)
        except MalformedReply as exc:
            raise BureauCheckFailed(f"malformed vendor reply: {exc}", reply) from exc


def _audit(session: AsyncSession, report: BureauReport, actor: Principal) -> None:
    record_change(
        session,
        actor=actor,
        action="bureau_report_recorded",
        entity_type="bureau_report",
        entity_id=str(report.id),
        changes={
            "customer_id": str(report.customer_id),
            "provider": report.provider,
            "status": report.status,
            "score": report.score,
            "error": report.error,
        },
    )


def _decoded(document_base64: str | None) -> bytes | None:
    if document_base64 is None:
        return None
    try:
        return base64.b64decode(document_base64, validate=True)
    except binascii.Error as exc:
        raise BusinessRuleViolation(f"document_base64 is not base64: {exc}") from exc


def record_manual_report(
    session: AsyncSession, account: CreditAccount, data: BureauReportIn, actor: Principal
) -> BureauReport:
    """The built-in provider: the report the credit manager pulled, with its document."""
    report = BureauReport(
        customer_id=account.id,
        provider=MANUAL,
        status=ReportStatus.RECEIVED,
        score=data.score,
        payment_index=data.payment_index,
        derogatory_items=data.derogatory_items,
        reported_on=data.reported_on,
        reference=data.reference,
        document_name=data.document_name,
        document=_decoded(data.document_base64),
        pulled_by=actor.subject,
    )
    session.add(report)
    _audit(session, report, actor)
    return report


async def pull_report(
    session: AsyncSession, account: CreditAccount, provider: BureauProvider, actor: Principal
) -> BureauReport:
    """Ask the provider; the answer or the failure is recorded either way."""
    report = BureauReport(
        customer_id=account.id,
        provider=provider.name,
        pulled_by=actor.subject,
        status=ReportStatus.FAILED,
    )
    try:
        pulled = await provider.pull(account)
    except BureauCheckFailed as exc:
        report.error = str(exc)
        report.raw = exc.raw if exc.raw is None or isinstance(exc.raw, dict) else {"reply": exc.raw}
    else:
        findings = pulled.findings
        report.status = ReportStatus.RECEIVED
        report.score, report.payment_index = findings.score, findings.payment_index
        report.derogatory_items, report.reported_on = (
            findings.derogatory_items,
            findings.reported_on,
        )
        report.reference, report.raw = findings.reference, pulled.raw
    session.add(report)
    _audit(session, report, actor)
    return report
