"""Cash application of a bank file's chunk of payments, set-based: the chunk's remittance lines,
waiting advices, candidate open invoices and the pending suggestions its applications may
supersede are each read in one query; the engine decides payment by payment in file order in
memory, each payment seeing the balances the ones before it left; the applications, audit
entries, events and suggestions are then written in one flush. The outcome is the one applying
each payment on its own (`apply_cash`) gives: the invoices applied to are locked and checked
unchanged since they were read, and if one changed meanwhile the chunk is applied one payment at
a time instead."""

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

from services.payments.commands.advice_matching import advice_for, use_advice
from services.payments.commands.applications import Basis, settle
from services.payments.commands.cash_application import (
    CHANGED_MEANWHILE,
    apply_cash,
    as_open_invoice,
    explained,
    identified_customer,
    mark_matched,
    receipt_of,
    suggestion_of,
)
from services.payments.commands.suggestions import misfit, suggested_invoices
from services.payments.domain.matching.engine import CashApplicationEngine
from services.payments.domain.matching.model import OpenInvoice, Proposal, Receipt
from services.payments.domain.matching.payers import PayerDirectory
from services.payments.domain.matching.references import number_keys
from services.payments.domain.statuses import AdviceStatus, InvoiceStatus, SuggestionStatus
from services.payments.models import (
    OpenItem,
    Payment,
    RemittanceAdvice,
    RemittanceLine,
    SuggestedInvoice,
    Suggestion,
    written_forms,
)
from services.payments.settings import PaymentsSettings

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
    statuses the chunk's decisions leave them, indexed by each way `candidate_invoices` ties an
    invoice to a receipt."""

    items: dict[uuid.UUID, OpenItem]
    balance: dict[uuid.UUID, Decimal] = field(init=False)
    status: dict[uuid.UUID, str] = field(init=False)
    read: dict[uuid.UUID, tuple[Decimal, str]] = field(init=False)
    touched: set[uuid.UUID] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.balance = {i: item.balance for i, item in self.items.items()}
        self.status = {i: item.status for i, item in self.items.items()}
        self.read = {i: (self.balance[i], self.status[i]) for i in self.items}
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
                # What the database holds now, as `apply_cash` reads each candidate list afresh.
                .execution_options(populate_existing=True)
            )
        ).all()
        return cls({item.id: item for item in items})

    def candidates(self, receipt: Receipt, customer_id: uuid.UUID | None) -> list[OpenInvoice]:
        """What `candidate_invoices` reads for the receipt now, in the same order."""
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
        """What `_still_open` finds: each invoice still has what the proposal takes off it."""
        return all(
            self.status[a.invoice.id] == InvoiceStatus.OPEN
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

    async def unchanged(self, session: AsyncSession) -> bool:
        """Lock the invoices the chunk applies to; True if none changed since they were read."""
        if not self.touched:
            return True
        now = (
            await session.exec(
                select(OpenItem.id, OpenItem.balance, OpenItem.status)
                .where(col(OpenItem.id).in_(self.touched))
                .with_for_update()
            )
        ).all()
        return len(now) == len(self.touched) and all(
            self.read[invoice_id] == (balance, status) for invoice_id, balance, status in now
        )


async def _advices(
    session: AsyncSession,
    payments: list[Payment],
    directory: PayerDirectory,
    rules: PaymentsSettings,
) -> dict[uuid.UUID, RemittanceAdvice]:
    """The waiting advices the chunk's payments use, found and used in file order as
    `apply_cash` would. One query tells whether any advice could meet any of them; only the
    payments one could meet look theirs up."""
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
    used: dict[uuid.UUID, RemittanceAdvice] = {}

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
    """The pending suggestions the chunk's applications may make stale, by invoice: those
    recorded before (read in one query, with their payments and invoices) and those the chunk
    queues."""

    def __init__(self) -> None:
        self.by_invoice: dict[uuid.UUID, dict[uuid.UUID, Suggestion]] = defaultdict(dict)
        # Held here: the session only keeps weak references to what it loaded.
        self.loaded: list[object] = []

    @classmethod
    async def load(cls, session: AsyncSession, invoice_ids: set[uuid.UUID]) -> "_Pending":
        pending = cls()
        if not invoice_ids:
            return pending
        rows = (
            await session.exec(
                select(Suggestion, SuggestedInvoice.invoice_id)
                .join(SuggestedInvoice, col(SuggestedInvoice.suggestion_id) == col(Suggestion.id))
                .where(
                    Suggestion.status == SuggestionStatus.PENDING,
                    col(SuggestedInvoice.invoice_id).in_(invoice_ids),
                )
            )
        ).all()
        for suggestion, invoice_id in rows:
            pending.by_invoice[invoice_id][suggestion.id] = suggestion
        suggestions = list({s.id: s for s, _ in rows}.values())
        pending.loaded += suggestions
        # Loaded into the session, so `misfit` finds them without a query each.
        payment_ids = {s.payment_id for s in suggestions}
        if payment_ids:
            pending.loaded += (
                await session.exec(select(Payment).where(col(Payment.id).in_(payment_ids)))
            ).all()
        proposed = {uuid.UUID(line["invoice_id"]) for s in suggestions for line in s.proposal}
        if proposed:
            pending.loaded += (
                await session.exec(select(OpenItem).where(col(OpenItem.id).in_(proposed)))
            ).all()
        return pending

    def add(self, suggestion: Suggestion) -> None:
        for line in suggestion.proposal:
            self.by_invoice[uuid.UUID(line["invoice_id"])][suggestion.id] = suggestion

    async def supersede_stale(self, session: AsyncSession, invoice_id: uuid.UUID) -> None:
        """`supersede_stale(invoice_id=...)` on what the session holds."""
        for suggestion in list(self.by_invoice.get(invoice_id, {}).values()):
            if suggestion.status != SuggestionStatus.PENDING:
                continue
            reason = await misfit(session, suggestion)
            if reason is not None:
                suggestion.status, suggestion.superseded_reason = (
                    SuggestionStatus.SUPERSEDED,
                    reason,
                )


@dataclass(frozen=True)
class _Decision:
    payment: Payment
    proposal: Proposal
    explanation: str
    confidence: Decimal


async def apply_cash_to_chunk(
    session: AsyncSession,
    payments: list[Payment],
    rules: PaymentsSettings,
    directory: PayerDirectory,
) -> None:
    """Apply cash to the chunk's payments (flushed already), in file order."""
    if not payments:
        return
    advices = await _advices(session, payments, directory, rules)
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
        if proposal.automatic and not pool.still_open(proposal):
            proposal.automatic = False
            explanation += CHANGED_MEANWHILE
        if proposal.automatic:
            pool.take(proposal)
        decisions.append(_Decision(payment, proposal, explanation, confidence))
        if n % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # the matching is CPU work: let other requests in
    if not await pool.unchanged(session):
        # Another transaction changed an invoice since the chunk read it: decide afresh.
        for payment in payments:
            await apply_cash(session, payment, rules, directory, advices.get(payment.id))
        return
    pending = await _Pending.load(session, pool.touched)
    queued = []
    for decision in decisions:
        payment, proposal = decision.payment, decision.proposal
        if proposal.automatic:
            for application in proposal.applications:
                settle(
                    session,
                    rules.chart,
                    payment,
                    pool.items[application.invoice.id],
                    application.amount,
                    discount=application.discount,
                    applied_on=payment.received_on,
                    actor=None,
                    basis=Basis(
                        True, decision.confidence, decision.explanation, application.reason_code
                    ),
                )
                await pending.supersede_stale(session, application.invoice.id)
            # The payment's own suggestions need no look: it is new, and has none yet.
            mark_matched(lines[payment.id], proposal)
        suggestion = suggestion_of(payment, proposal, decision.confidence, decision.explanation)
        if suggestion is not None:
            session.add(suggestion)
            pending.add(suggestion)
            queued.append(suggestion)
    await session.flush()  # the suggestions before the rows that refer to them
    session.add_all([row for s in queued for row in suggested_invoices(s)])
