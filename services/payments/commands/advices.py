"""Taking in remittance advices (an uploaded `.eml` or 820, or an email from the mailbox folder):
the file is read in a bounded child process like a bank file, kept as evidence with what was read
and what was not, and each advice is used for its payment at once when it was received already,
waits for it otherwise, or goes to the worklist when it matches nothing."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.advice_matching import describe, payment_for, use_advice
from services.payments.commands.applications import CashRuleBroken
from services.payments.commands.bank_imports import read_bounded
from services.payments.commands.cash_application import apply_cash, payer_directory
from services.payments.domain.matching.payers import PayerDirectory
from services.payments.domain.matching.references import number_keys
from services.payments.domain.remittance.model import AdviceLine, ReadAdvice, ReadAdvices
from services.payments.domain.remittance.reading import (
    CONTENT_TYPES,
    advice_format,
    read_advice_file,
)
from services.payments.domain.statuses import (
    AdviceStatus,
    InvoiceStatus,
    PaymentStatus,
    SuggestionStatus,
)
from services.payments.models import (
    AdviceDocument,
    OpenItem,
    Payer,
    Payment,
    RemittanceAdvice,
    Suggestion,
)
from services.payments.settings import PaymentsSettings
from shared.api.problems import Conflict
from shared.audit import record_change
from shared.auth import Principal


class DuplicateAdvice(Conflict):
    slug, title = "duplicate-remittance-advice", "This advice was taken in before"


class AdviceAlreadyUsed(Conflict):
    slug, title = "remittance-advice-used", "The advice or the payment is matched already"


def _line_json(line: AdviceLine) -> dict[str, Any]:
    def money(value: Decimal | None) -> str | None:
        return str(value) if value is not None else None

    return {
        "invoice_number": line.invoice_number,
        "amount_paid": money(line.amount_paid),
        "deduction": money(line.deduction),
        "deduction_reason": line.deduction_reason,
        "discount": money(line.discount),
        "source": line.source,
    }


async def _customer_of(session: AsyncSession, read: ReadAdvice, directory: PayerDirectory) -> Any:
    """Who sent the advice: the one customer whose open invoices it names, else the payer its
    name is recognised as."""
    keys = {k.nozero for k in (number_keys(line.invoice_number or "") for line in read.lines) if k}
    if keys:
        customers = set(
            (
                await session.exec(
                    select(OpenItem.customer_id).where(col(OpenItem.number_key).in_(keys))
                )
            ).all()
        )
        if len(customers) == 1:
            return customers.pop()
    identified = directory.identify(read.payer_name, None)
    return identified.customer_id if identified else None


async def _names_open_invoices(session: AsyncSession, read: ReadAdvice) -> bool:
    keys = {k.nozero for k in (number_keys(line.invoice_number or "") for line in read.lines) if k}
    if not keys:
        return False
    found = await session.exec(
        select(OpenItem.id).where(
            col(OpenItem.number_key).in_(keys), OpenItem.status == InvoiceStatus.OPEN
        )
    )
    return found.first() is not None


def _unread_parts(parsed: ReadAdvices) -> str:
    unread = [f"{p.part}: {p.message}" for p in parsed.parts if not p.readable]
    return "; ".join(unread) or "it has no invoice lines"


async def _settle(
    session: AsyncSession,
    advice: RemittanceAdvice,
    read: ReadAdvice,
    parsed: ReadAdvices,
    directory: PayerDirectory,
    rules: PaymentsSettings,
    actor: Principal | None,
) -> None:
    """Use the advice for its payment if it came already; else let it wait, or put it on the
    worklist when nothing in it can meet a payment."""
    if not read.lines and advice.total is None and advice.reference is None:
        advice.status = AdviceStatus.UNMATCHED
        advice.status_reason = f"nothing could be read from it: {_unread_parts(parsed)}"
        return
    payment = await payment_for(session, advice, directory, rules)
    if payment is not None:
        await use_for(session, advice, payment, rules, actor)
        return
    if (
        advice.customer_id is None
        and advice.reference is None
        and not await _names_open_invoices(session, read)
    ):
        advice.status = AdviceStatus.UNMATCHED
        advice.status_reason = "its payer is not recognised and it names no open invoice"
        return
    advice.status_reason = (
        f"waits for a payment of {advice.total if advice.total is not None else 'its amount'}"
        f" within {rules.advice_match_days} days of {advice.paid_on:%Y-%m-%d}"
        + (f" or with reference {advice.reference}" if advice.reference else "")
    )


async def use_for(
    session: AsyncSession,
    advice: RemittanceAdvice,
    payment: Payment,
    rules: PaymentsSettings,
    actor: Principal | None,
) -> None:
    """The advice came for a payment recorded before it: the payment's cash application runs
    again with the advice's lines, and what was waiting in the queue for it is superseded."""
    await use_advice(session, advice, payment, actor)
    for suggestion in (
        await session.exec(
            select(Suggestion).where(
                Suggestion.payment_id == payment.id, Suggestion.status == SuggestionStatus.PENDING
            )
        )
    ).all():
        suggestion.status = SuggestionStatus.SUPERSEDED
        suggestion.superseded_reason = f"{describe(advice)} came for the payment"
    await apply_cash(session, [payment], rules, advices={payment.id: advice})


async def take_in(
    session: AsyncSession,
    filename: str,
    content: bytes,
    *,
    source: str,
    today: date,
    rules: PaymentsSettings,
    actor: Principal | None,
) -> tuple[AdviceDocument, list[RemittanceAdvice]]:
    digest = hashlib.sha256(content).hexdigest()
    earlier = (
        await session.exec(select(AdviceDocument).where(AdviceDocument.sha256 == digest))
    ).first()
    if earlier is not None:
        raise DuplicateAdvice(
            f"the same advice was taken in on {earlier.received_at:%Y-%m-%d %H:%M} UTC as "
            f"{earlier.filename!r}; nothing was recorded again",
            earlier_document=str(earlier.id),
        )
    file_format = advice_format(content)
    parsed = await read_bounded(partial(read_advice_file, content), rules)
    assert isinstance(parsed, ReadAdvices)
    document = AdviceDocument(
        source=source,
        format=file_format,
        filename=filename[:255],
        content_type=CONTENT_TYPES[file_format],
        size=len(content),
        sha256=digest,
        content=content,
        parts=[
            {
                "part": p.part,
                "kind": p.kind,
                "readable": p.readable,
                "lines": p.lines,
                "message": p.message,
            }
            for p in parsed.parts
        ],
        problems=[{"line": p.line, "message": p.message} for p in parsed.problems],
        received_by=actor.subject if actor else source,
    )
    session.add(document)
    await session.flush()
    directory = await payer_directory(session)
    advices = []
    for read in parsed.advices:
        customer_id = await _customer_of(session, read, directory)
        payer = await session.get(Payer, customer_id) if customer_id else None
        advice = RemittanceAdvice(
            document_id=document.id,
            line=read.line,
            customer_id=customer_id,
            payer_name=read.payer_name,
            sender=(read.sender or "")[:320] or None,
            subject=read.subject,
            currency=read.currency or (payer.currency if payer else rules.bank_currency),
            total=read.total,
            paid_on=read.paid_on or today,
            reference=read.reference,
            lines=[_line_json(line) for line in read.lines],
        )
        session.add(advice)
        await session.flush()
        await _settle(session, advice, read, parsed, directory, rules, actor)
        advices.append(advice)
    record_change(
        session,
        actor=actor,
        action="remittance_advice_received",
        entity_type="advice_document",
        entity_id=str(document.id),
        changes={
            "filename": filename,
            "format": file_format,
            "source": source,
            "sha256": digest,
            "advices": [{"id": str(a.id), "status": a.status} for a in advices],
            "problems": len(parsed.problems),
        },
    )
    return document, advices


async def expire_waiting(session: AsyncSession, today: date, rules: PaymentsSettings) -> int:
    """Advices no payment met within the window go to the worklist; how many did."""
    cutoff = today - timedelta(days=rules.advice_match_days)
    expired = (
        await session.exec(
            select(RemittanceAdvice).where(
                RemittanceAdvice.status == AdviceStatus.WAITING,
                col(RemittanceAdvice.paid_on) < cutoff,
            )
        )
    ).all()
    for advice in expired:
        advice.status = AdviceStatus.UNMATCHED
        advice.status_reason = (
            f"no payment of {advice.total} came within {rules.advice_match_days} days of "
            f"{advice.paid_on:%Y-%m-%d}"
        )
    return len(expired)


async def assign(
    session: AsyncSession,
    advice: RemittanceAdvice,
    payment: Payment,
    rules: PaymentsSettings,
    actor: Principal,
) -> None:
    """A person says which payment a waiting or unmatched advice is for."""
    if advice.status == AdviceStatus.USED:
        raise AdviceAlreadyUsed(
            f"the advice was already used for payment {advice.payment_id}",
            payment_id=str(advice.payment_id),
        )
    if payment.status != PaymentStatus.RECEIVED or payment.unapplied <= 0:
        raise CashRuleBroken(f"payment {payment.id} has no unapplied cash for the advice")
    if payment.currency != advice.currency:
        raise CashRuleBroken(
            f"the advice is in {advice.currency}, payment {payment.id} in {payment.currency}"
        )
    used = (
        await session.exec(
            select(RemittanceAdvice).where(RemittanceAdvice.payment_id == payment.id)
        )
    ).first()
    if used is not None:
        raise AdviceAlreadyUsed(
            f"payment {payment.id} has remittance advice {used.id} already", advice_id=str(used.id)
        )
    await use_for(session, advice, payment, rules, actor)
