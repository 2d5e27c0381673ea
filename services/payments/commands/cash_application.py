"""Cash application, one path for one payment or a bank file's chunk of them (a payment on its
own is a chunk of one). Set-based: the chunk's remittance lines, waiting advices, candidate open
invoices and the pending suggestions its applications may supersede are each read in one query;
the engine decides payment by payment in the chunk's order in memory, each payment seeing the
balances the ones before it left. The invoices applied to are then locked and each sure
application made only if its invoices still have what it takes (another transaction may have
taken some meanwhile: that payment waits for review instead); the applications, audit entries,
events and suggestions are written in one flush."""

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.advice_matching import advice_for, describe, use_advice
from services.payments.commands.applications import Basis, settle
from services.payments.commands.suggestions import misfit, suggested_invoices
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
from services.payments.domain.statuses import AdviceStatus, InvoiceStatus, SuggestionStatus
from services.payments.models import (
    OpenItem,
    Payer,
    PayerAlias,
    Payment,
    RemittanceAdvice,
    RemittanceLine,
    SuggestedInvoice,
    Suggestion,
    written_forms,
)
from services.payments.settings import PaymentsSettings
from shared.audit import record_change
from shared.auth import Principal
from shared.db import RowBatch


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
        total=item.total,
    )


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


# Payments decided between two chances for the event loop to run something else.
_YIELD_EVERY = 10


def _amounts(receipt: Receipt) -> set[Decimal]:
    return {receipt.amount} | {line.amount for line in receipt.lines if line.amount is not None}


def _keys(receipt: Receipt) -> tuple[set[str], set[str]]:
    """The number and serial keys of the invoices the receipt names."""
    keys = [k for k in (number_keys(r.invoice_ref or "") for r in receipt.references()) if k]
    return {k.nozero for k in keys}, {k.serial for k in keys}


@dataclass
class _Pool:
    """The open invoices any payment of the chunk may be applied to, with the balances and
    statuses the chunk's decisions leave them, indexed by each way a receipt names an invoice:
    its payer, the numbers its references may be and the amounts it mentions."""

    items: dict[uuid.UUID, OpenItem]
    balance: dict[uuid.UUID, Decimal] = field(init=False)
    status: dict[uuid.UUID, str] = field(init=False)
    touched: set[uuid.UUID] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.balance = {i: item.balance for i, item in self.items.items()}
        self.status = {i: item.status for i, item in self.items.items()}
        self._by_customer: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        self._by_number_key: dict[str, list[uuid.UUID]] = defaultdict(list)
        self._by_serial_key: dict[str, list[uuid.UUID]] = defaultdict(list)
        self._by_balance: dict[Decimal, list[uuid.UUID]] = defaultdict(list)
        for invoice_id, item in self.items.items():
            self._by_customer[item.customer_id].append(invoice_id)
            self._by_number_key[item.number_key].append(invoice_id)
            self._by_serial_key[item.serial_key].append(invoice_id)
            self._by_balance[item.balance].append(invoice_id)

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        receipts: list[Receipt],
        customers: Iterable[uuid.UUID | None],
    ) -> "_Pool":
        amounts = {a for r in receipts for a in _amounts(r)}
        number_keys_, serial_keys = set(), set()
        for receipt in receipts:
            nozero, serial = _keys(receipt)
            number_keys_ |= nozero
            serial_keys |= serial
        ties: list[ColumnElement[bool]] = [
            col(OpenItem.balance).in_([f for a in amounts for f in written_forms(a)])
        ]
        known = {c for c in customers if c is not None}
        if known:
            ties.append(col(OpenItem.customer_id).in_(known))
        if number_keys_:
            ties.append(col(OpenItem.number_key).in_(number_keys_))
            ties.append(col(OpenItem.serial_key).in_(serial_keys))
        items = (
            await session.exec(
                select(OpenItem)
                .where(
                    OpenItem.status == InvoiceStatus.OPEN,
                    col(OpenItem.currency).in_({r.currency for r in receipts}),
                    or_(*ties),
                )
                .order_by(col(OpenItem.id))
                # What the database holds now, not what the session read earlier.
                .execution_options(populate_existing=True)
            )
        ).all()
        return cls({item.id: item for item in items})

    def candidates(self, receipt: Receipt, customer_id: uuid.UUID | None) -> list[OpenInvoice]:
        """The open invoices the receipt could be for, as the chunk's decisions so far leave
        them: the payer's, those its references may name, and those whose balance is an amount
        it mentions. In id order: the engine breaks ties by the order it is given."""
        amounts = _amounts(receipt)
        nozero, serial = _keys(receipt)
        found = {
            i for a in amounts for i in self._by_balance.get(a, ()) if self.balance[i] in amounts
        }
        if customer_id is not None:
            found.update(self._by_customer.get(customer_id, ()))
        for key in nozero:
            found.update(self._by_number_key.get(key, ()))
        for key in serial:
            found.update(self._by_serial_key.get(key, ()))
        return [
            as_open_invoice(self.items[i], self.balance[i])
            for i in sorted(found)
            if self.status[i] == InvoiceStatus.OPEN and self.items[i].currency == receipt.currency
        ]

    def still_open(self, proposal: Proposal) -> bool:
        """Each invoice still has what the proposal takes off it."""
        return all(
            a.invoice.id in self.items
            and self.status[a.invoice.id] == InvoiceStatus.OPEN
            and self.balance[a.invoice.id] >= a.amount + a.discount
            for a in proposal.applications
        )

    def take(self, proposal: Proposal) -> None:
        for application in proposal.applications:
            invoice_id = application.invoice.id
            balance = self.balance[invoice_id] - application.amount - application.discount
            self.balance[invoice_id] = balance
            self.status[invoice_id] = InvoiceStatus.PAID if balance <= 0 else InvoiceStatus.OPEN
            self._by_balance[balance].append(invoice_id)
            self.touched.add(invoice_id)

    async def lock(self, session: AsyncSession) -> "_Pool":
        """Lock the invoices the chunk's decisions apply to and read them again: the pool the
        applications are made against, starting from what the database holds now."""
        if not self.touched:
            return _Pool({})
        now = (
            await session.exec(
                select(OpenItem)
                .where(col(OpenItem.id).in_(self.touched))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).all()
        return _Pool({item.id: item for item in now})


async def _advices(
    session: AsyncSession,
    payments: list[Payment],
    directory: PayerDirectory,
    rules: PaymentsSettings,
    given: dict[uuid.UUID, RemittanceAdvice],
) -> dict[uuid.UUID, RemittanceAdvice]:
    """The advices the chunk's payments use: the one `given` for a payment, or a waiting one,
    found and used in the chunk's order. One query tells whether any advice could meet any of
    them; only the payments one could meet look theirs up."""
    used = dict(given)
    payments = [p for p in payments if p.id not in given]
    if not payments:
        return used
    window = timedelta(days=rules.advice_match_days)
    days = [p.received_on for p in payments]
    references = {r for p in payments for r in (p.reference, p.bank_reference) if r}
    ties: list[ColumnElement[bool]] = [
        and_(
            col(RemittanceAdvice.total).in_([f for p in payments for f in written_forms(p.amount)]),
            col(RemittanceAdvice.paid_on) >= min(days) - window,
            col(RemittanceAdvice.paid_on) <= max(days) + window,
        )
    ]
    if references:
        ties.append(col(RemittanceAdvice.reference).in_(references))
    waiting = (
        await session.exec(
            select(RemittanceAdvice).where(
                RemittanceAdvice.status == AdviceStatus.WAITING,
                col(RemittanceAdvice.currency).in_({p.currency for p in payments}),
                or_(*ties),
            )
        )
    ).all()

    def may_meet(advice: RemittanceAdvice, payment: Payment) -> bool:
        """At least what `advice_for` asks the database for."""
        if advice.currency != payment.currency:
            return False
        if advice.reference and advice.reference in (payment.reference, payment.bank_reference):
            return True
        return (
            advice.total == payment.amount
            and abs((advice.paid_on - payment.received_on).days) <= window.days
        )

    for payment in payments:
        if not any(may_meet(a, payment) for a in waiting):
            continue
        advice = await advice_for(session, payment, directory, rules)
        if advice is not None:
            await use_advice(session, advice, payment, None)
            used[payment.id] = advice
    return used


async def _remittance(
    session: AsyncSession, payment_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[RemittanceLine]]:
    lines: dict[uuid.UUID, list[RemittanceLine]] = {p: [] for p in payment_ids}
    for line in (
        await session.exec(
            select(RemittanceLine)
            .where(col(RemittanceLine.payment_id).in_(payment_ids))
            .order_by(col(RemittanceLine.payment_id), col(RemittanceLine.position))
        )
    ).all():
        lines[line.payment_id].append(line)
    return lines


class _Pending:
    """The pending suggestions the chunk's applications may make stale, by invoice and by
    payment: those recorded before (read at once, with their payments and invoices) and those
    the chunk queues."""

    def __init__(self) -> None:
        self.by_invoice: dict[uuid.UUID, dict[uuid.UUID, Suggestion]] = defaultdict(dict)
        self.by_payment: dict[uuid.UUID, list[Suggestion]] = defaultdict(list)
        # Held here: the session only keeps weak references to what it loaded.
        self.loaded: list[object] = []

    @classmethod
    async def load(
        cls, session: AsyncSession, invoice_ids: set[uuid.UUID], payment_ids: set[uuid.UUID]
    ) -> "_Pending":
        pending = cls()
        suggestions: dict[uuid.UUID, Suggestion] = {}
        if invoice_ids:
            for suggestion, invoice_id in (
                await session.exec(
                    select(Suggestion, SuggestedInvoice.invoice_id)
                    .join(
                        SuggestedInvoice, col(SuggestedInvoice.suggestion_id) == col(Suggestion.id)
                    )
                    .where(
                        Suggestion.status == SuggestionStatus.PENDING,
                        col(SuggestedInvoice.invoice_id).in_(invoice_ids),
                    )
                )
            ).all():
                pending.by_invoice[invoice_id][suggestion.id] = suggestion
                suggestions[suggestion.id] = suggestion
        # A payment recorded earlier (one an advice came for) may have some of its own.
        for suggestion in (
            await session.exec(
                select(Suggestion).where(
                    Suggestion.status == SuggestionStatus.PENDING,
                    col(Suggestion.payment_id).in_(payment_ids),
                )
            )
        ).all():
            pending.by_payment[suggestion.payment_id].append(suggestion)
            suggestions[suggestion.id] = suggestion
        pending.loaded += suggestions.values()
        # Loaded into the session, so `misfit` finds them without a query each.
        of_payments = {s.payment_id for s in suggestions.values()}
        if of_payments:
            pending.loaded += (
                await session.exec(select(Payment).where(col(Payment.id).in_(of_payments)))
            ).all()
        proposed = {
            uuid.UUID(line["invoice_id"]) for s in suggestions.values() for line in s.proposal
        }
        if proposed:
            pending.loaded += (
                await session.exec(select(OpenItem).where(col(OpenItem.id).in_(proposed)))
            ).all()
        return pending

    def add(self, suggestion: Suggestion) -> None:
        for line in suggestion.proposal:
            self.by_invoice[uuid.UUID(line["invoice_id"])][suggestion.id] = suggestion

    async def supersede_stale(
        self,
        session: AsyncSession,
        *,
        invoice_id: uuid.UUID | None = None,
        payment_id: uuid.UUID | None = None,
    ) -> None:
        """`suggestions.supersede_stale` on what the session holds."""
        found = (
            list(self.by_invoice.get(invoice_id, {}).values())
            if invoice_id is not None
            else self.by_payment.get(payment_id, [])
            if payment_id is not None
            else []
        )
        for suggestion in found:
            if suggestion.status != SuggestionStatus.PENDING:
                continue
            reason = await misfit(session, suggestion)
            if reason is not None:
                suggestion.status, suggestion.superseded_reason = (
                    SuggestionStatus.SUPERSEDED,
                    reason,
                )


@dataclass
class _Decision:
    payment: Payment
    proposal: Proposal
    explanation: str
    confidence: Decimal


async def apply_cash(
    session: AsyncSession,
    payments: list[Payment],
    rules: PaymentsSettings,
    directory: PayerDirectory | None = None,
    advices: dict[uuid.UUID, RemittanceAdvice] | None = None,
    batch: RowBatch | None = None,
) -> list[Proposal]:
    """Apply what the engine is sure of to the payments (flushed already), in their order; put
    the rest in the review queue. A file's chunks share one `directory` of payers. A remittance
    advice that came apart from the money (given in `advices` by payment id, or one waiting for
    the payment) gives the payment its lines, and the explanation names it. The applications,
    their audit entries and events are written at once at the end, with whatever the caller put
    in `batch` before them."""
    batch = batch or RowBatch()
    if not payments:
        await batch.write(session)
        return []
    directory = directory or await payer_directory(session)
    advices = await _advices(session, payments, directory, rules, advices or {})
    lines = await _remittance(session, [p.id for p in payments])
    receipts = [receipt_of(p, lines[p.id]) for p in payments]
    customers = [identified_customer(r, directory) for r in receipts]
    pool = await _Pool.load(session, receipts, customers)
    decisions = []
    for n, (payment, receipt, customer_id) in enumerate(
        zip(payments, receipts, customers, strict=True), start=1
    ):
        engine = CashApplicationEngine(
            pool.candidates(receipt, customer_id), directory, rules.matching
        )
        proposal = engine.propose(receipt)
        explanation, confidence = explained(proposal, advices.get(payment.id))
        if proposal.automatic:
            pool.take(proposal)
        decisions.append(_Decision(payment, proposal, explanation, confidence))
        if n % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # the matching is CPU work: let other requests in
    # What the database holds now, locked: another transaction may have taken some balances.
    locked = await pool.lock(session)
    pending = await _Pending.load(session, set(locked.items), {p.id for p in payments})
    queued = []
    for decision in decisions:
        payment, proposal = decision.payment, decision.proposal
        if proposal.automatic and not locked.still_open(proposal):
            proposal.automatic = False
            decision.explanation += CHANGED_MEANWHILE
        if proposal.automatic:
            locked.take(proposal)
            for application in proposal.applications:
                settle(
                    session,
                    rules.chart,
                    payment,
                    locked.items[application.invoice.id],
                    application.amount,
                    discount=application.discount,
                    applied_on=payment.received_on,
                    actor=None,
                    basis=Basis(
                        True, decision.confidence, decision.explanation, application.reason_code
                    ),
                    batch=batch,
                )
                await pending.supersede_stale(session, invoice_id=application.invoice.id)
            await pending.supersede_stale(session, payment_id=payment.id)
            mark_matched(lines[payment.id], proposal)
        suggestion = suggestion_of(payment, proposal, decision.confidence, decision.explanation)
        if suggestion is not None:
            session.add(suggestion)
            pending.add(suggestion)
            queued.append(suggestion)
    await session.flush()  # the suggestions before the rows that refer to them
    session.add_all([row for s in queued for row in suggested_invoices(s)])
    await batch.write(session)  # after the payments and invoices the applications refer to
    return [d.proposal for d in decisions]
