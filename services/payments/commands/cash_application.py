"""Cash application of one payment against the database: gather the candidate open invoices and
the payer directory, let the engine propose, then apply automatically or queue for review."""

import uuid
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.advice_matching import advice_for, describe, use_advice
from services.payments.commands.applications import Basis, apply_to_invoice
from services.payments.commands.suggestions import queue
from services.payments.domain.matching.engine import CashApplicationEngine
from services.payments.domain.matching.model import OpenInvoice, Proposal, Receipt, RemittanceRef
from services.payments.domain.matching.payers import (
    AliasKind,
    KnownPayer,
    PayerDirectory,
    normalise_account,
    normalise_name,
)
from services.payments.domain.matching.references import number_keys
from services.payments.domain.statuses import InvoiceStatus
from services.payments.models import (
    OpenItem,
    Payer,
    PayerAlias,
    Payment,
    RemittanceAdvice,
    RemittanceLine,
    Suggestion,
    written_forms,
)
from services.payments.settings import PaymentsSettings
from shared.audit import record_change
from shared.auth import Principal


async def payer_directory(session: AsyncSession) -> PayerDirectory:
    payers = (await session.exec(select(Payer))).all()
    aliases = (await session.exec(select(PayerAlias))).all()
    return PayerDirectory(
        (
            KnownPayer(p.id, p.account_number, tuple(n for n in (p.legal_name, p.dba) if n))
            for p in payers
        ),
        name_aliases={a.value: a.customer_id for a in aliases if a.kind == AliasKind.NAME},
        account_aliases={a.value: a.customer_id for a in aliases if a.kind == AliasKind.ACCOUNT},
    )


def as_open_invoice(item: OpenItem, balance: Decimal | None = None) -> OpenInvoice:
    """The item as the engine reads it; `balance`, when given, is the one it has by now."""
    balance = item.balance if balance is None else balance
    untouched = balance == item.total
    return OpenInvoice(
        id=item.id,
        number=item.number,
        customer_id=item.customer_id,
        currency=item.currency,
        balance=balance,
        invoice_date=item.invoice_date,
        discount_amount=item.discount_amount if untouched else None,
        discount_due_date=item.discount_due_date if untouched else None,
    )


async def candidate_invoices(
    session: AsyncSession, receipt: Receipt, customer_id: uuid.UUID | None
) -> list[OpenInvoice]:
    """The open invoices the receipt could be for: the payer's, those its references may name,
    and those whose balance is an amount it mentions."""
    keys = [k for k in (number_keys(r.invoice_ref or "") for r in receipt.references()) if k]
    amounts = {receipt.amount} | {line.amount for line in receipt.lines if line.amount is not None}
    ties: list[ColumnElement[bool]] = [
        col(OpenItem.balance).in_([f for a in amounts for f in written_forms(a)])
    ]
    if customer_id:
        ties.append(col(OpenItem.customer_id) == customer_id)
    if keys:
        ties.append(col(OpenItem.number_key).in_({k.nozero for k in keys}))
        ties.append(col(OpenItem.serial_key).in_({k.serial for k in keys}))
    items = (
        await session.exec(
            select(OpenItem)
            .where(
                OpenItem.status == InvoiceStatus.OPEN,
                OpenItem.currency == receipt.currency,
                or_(*ties),
            )
            # The engine breaks ties by the order it is given: the same order every time (and
            # the one a bank file's chunk gives it, see chunk_application.py).
            .order_by(col(OpenItem.id))
        )
    ).all()
    return [as_open_invoice(item) for item in items]


def receipt_of(payment: Payment, lines: list[RemittanceLine]) -> Receipt:
    return Receipt(
        id=payment.id,
        currency=payment.currency,
        amount=payment.unapplied,
        received_on=payment.received_on,
        customer_id=payment.customer_id,
        payer_name=payment.payer_name,
        payer_account=payment.payer_account,
        memo=payment.memo,
        # A lockbox file's reference is the check number, a typed payment's whatever was typed:
        # only a bank's own reference fields are read for invoice numbers.
        reference=payment.reference
        if payment.bank_file_id is not None and payment.method != "lockbox"
        else None,
        lines=tuple(
            RemittanceRef(r.invoice_number, r.amount_paid, r.discount, r.reason_code) for r in lines
        ),
    )


async def remittance_of(session: AsyncSession, payment_id: uuid.UUID) -> list[RemittanceLine]:
    return list(
        (
            await session.exec(
                select(RemittanceLine)
                .where(RemittanceLine.payment_id == payment_id)
                .order_by(col(RemittanceLine.position))
            )
        ).all()
    )


def identified_customer(receipt: Receipt, directory: PayerDirectory) -> uuid.UUID | None:
    """The customer whose open invoices are candidates: given, or recognised by the directory."""
    if receipt.customer_id is not None:
        return receipt.customer_id
    recognised = directory.identify(receipt.payer_name, receipt.payer_account)
    return recognised.customer_id if recognised else None


async def propose(
    session: AsyncSession,
    payment: Payment,
    rules: PaymentsSettings,
    directory: PayerDirectory | None = None,
) -> Proposal:
    lines = await remittance_of(session, payment.id)
    receipt = receipt_of(payment, lines)
    directory = directory or await payer_directory(session)
    invoices = await candidate_invoices(session, receipt, identified_customer(receipt, directory))
    return CashApplicationEngine(invoices, directory, rules.matching).propose(receipt)


async def _still_open(session: AsyncSession, proposal: Proposal) -> list[OpenItem] | None:
    """The proposed invoices, locked, if each still has what the proposal takes off it."""
    invoices = []
    for application in proposal.applications:
        invoice = await session.get(OpenItem, application.invoice.id, with_for_update=True)
        wanted = application.amount + application.discount
        if invoice is None or invoice.status != InvoiceStatus.OPEN or invoice.balance < wanted:
            return None
        invoices.append(invoice)
    return invoices


# Appended to the explanation when a proposal the engine was sure of waits for a person.
CHANGED_MEANWHILE = " An invoice's balance changed meanwhile, so this waits for review."


def explained(proposal: Proposal, advice: RemittanceAdvice | None) -> tuple[str, Decimal]:
    """The explanation kept with the outcome (naming the advice the lines came from) and the
    confidence as stored."""
    explanation = " ".join(proposal.explanation)
    if advice is not None:
        explanation = f"Lines from {describe(advice)}. {explanation}"
    return explanation, Decimal(str(round(proposal.confidence, 3)))


def suggestion_of(
    payment: Payment, proposal: Proposal, confidence: Decimal, explanation: str
) -> Suggestion | None:
    """What goes to the review queue once the sure applications are made: the whole proposal
    when it is not automatic, the references nothing matched when some are left."""
    if proposal.automatic and not proposal.unmatched_references:
        return None
    return Suggestion(
        payment_id=payment.id,
        customer_id=proposal.customer_id,
        amount=payment.unapplied,
        currency=payment.currency,
        received_on=payment.received_on,
        payer_name=payment.payer_name,
        confidence=confidence,
        explanation=explanation,
        proposal=[]
        if proposal.automatic
        else [
            {
                "invoice_id": str(a.invoice.id),
                "invoice_number": a.invoice.number,
                "amount": str(a.amount),
                "discount": str(a.discount),
                "reason_code": a.reason_code,
            }
            for a in proposal.applications
        ],
        unmatched_references=proposal.unmatched_references,
    )


async def apply_cash(
    session: AsyncSession,
    payment: Payment,
    rules: PaymentsSettings,
    directory: PayerDirectory | None = None,
    advice: RemittanceAdvice | None = None,
) -> Proposal:
    """Apply what the engine is sure of; put the rest in the review queue. A file's payments share
    one `directory` of payers. A remittance advice that came apart from the money (`advice`, or
    one waiting for this payment) gives the payment its lines, and the explanation names it."""
    directory = directory or await payer_directory(session)
    advice = advice or await advice_for(session, payment, directory, rules)
    if advice is not None and advice.payment_id is None:
        await use_advice(session, advice, payment, None)
    proposal = await propose(session, payment, rules, directory)
    explanation, confidence = explained(proposal, advice)
    invoices = await _still_open(session, proposal) if proposal.automatic else None
    if proposal.automatic and invoices is None:
        # Another payment took some of these balances since they were read: a person decides.
        proposal.automatic = False
        explanation += CHANGED_MEANWHILE
    if proposal.automatic and invoices is not None:
        for application, invoice in zip(proposal.applications, invoices, strict=True):
            await apply_to_invoice(
                session,
                rules.chart,
                payment,
                invoice,
                application.amount,
                discount=application.discount,
                applied_on=payment.received_on,
                actor=None,
                basis=Basis(True, confidence, explanation, application.reason_code),
            )
        mark_matched(await remittance_of(session, payment.id), proposal)
    suggestion = suggestion_of(payment, proposal, confidence, explanation)
    if suggestion is not None:
        await queue(session, suggestion)
    return proposal


def mark_matched(lines: list[RemittanceLine], proposal: Proposal) -> None:
    """Note on each remittance line the invoice its reference was applied to."""
    for line in lines:
        line.matched_invoice_id = next(
            (
                a.invoice.id
                for a in proposal.applications
                if a.reference and a.reference == line.invoice_number
            ),
            line.matched_invoice_id,
        )


async def learn_payer(
    session: AsyncSession, payment: Payment, customer_id: uuid.UUID, actor: Principal
) -> None:
    """A person matched this payment by hand: remember the name and bank account it came under."""
    for kind, raw, normalise in (
        (AliasKind.NAME, payment.payer_name, normalise_name),
        (AliasKind.ACCOUNT, payment.payer_account, normalise_account),
    ):
        value = normalise(raw) if raw else ""
        if not value:
            continue
        alias = (
            await session.exec(
                select(PayerAlias).where(PayerAlias.kind == kind, PayerAlias.value == value)
            )
        ).first()
        if alias is not None and alias.customer_id == customer_id:
            continue
        if alias is None:
            alias = PayerAlias(
                kind=kind, value=value, customer_id=customer_id, learned_from=payment.id
            )
            session.add(alias)
        alias.customer_id, alias.learned_from = customer_id, payment.id
        record_change(
            session,
            actor=actor,
            action="payer_alias_learned",
            entity_type="payer",
            entity_id=str(customer_id),
            changes={"kind": kind, "value": value, "payment_id": str(payment.id)},
        )
