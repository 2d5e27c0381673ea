"""What every service must hold once it has caught up, built from what the APIs acknowledged: the
model the chaos runs (tests/chaos) and the settlement interleavings
(tests/integration/test_settlement_interleavings.py) compare each ledger with.

Payments settles an invoice in the order things reach it
(docs/architecture.md#one-authority-over-an-open-balance), yet what each invoice keeps open does
not depend on that order: an open invoice has no memo credit left on account (the credit
settles it first whenever it reopens), so the invoice's memos keep on account exactly what its
cash, write-offs and memos exceed what it owes by, and the invoice never goes below zero. Only
how that on-account part splits between two memos of one invoice depends on their order: the
tests read it from payments, the authority, as `split` (memo id → what it keeps on account) and
check it adds up."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)

# (item, kind, amount, reference): one of collections' ledger entries (services/collections/
# domain/ledger.py), an item's amounts summed per kind and reference where the count of entries
# depends on the order of events (a memo settling its invoice again after a reversal).
LedgerEntry = tuple[uuid.UUID, str, Decimal, uuid.UUID | None]
# Entries whose number depends on how often the invoice reopened; only their sum is the model's.
SUMMED_KINDS = frozenset({"credited", "credit_applied"})


def money(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class Application:
    payment_id: uuid.UUID
    invoice_id: uuid.UUID
    amount: Decimal
    discount: Decimal


@dataclass(frozen=True)
class Credit:
    """A credit memo or a write-off: the invoice it credits and by how much."""

    invoice_id: uuid.UUID
    amount: Decimal


@dataclass
class Settlements:
    invoices: dict[uuid.UUID, Decimal] = field(default_factory=dict)  # id → total
    payments: dict[uuid.UUID, Decimal] = field(default_factory=dict)  # id → amount
    applications: dict[uuid.UUID, Application] = field(default_factory=dict)
    memos: dict[uuid.UUID, Credit] = field(default_factory=dict)
    write_offs: dict[uuid.UUID, Credit] = field(default_factory=dict)
    voided: set[uuid.UUID] = field(default_factory=set)
    reversed: set[uuid.UUID] = field(default_factory=set)

    # What the APIs answered with a 2xx.
    def invoice_issued(self, answer: dict[str, Any]) -> uuid.UUID:
        self.invoices[uuid.UUID(answer["id"])] = money(answer["total"])
        return uuid.UUID(answer["id"])

    def payment_received(self, answer: dict[str, Any]) -> uuid.UUID:
        """The payment, and what cash application applied it to at once."""
        self.payments[uuid.UUID(answer["id"])] = money(answer["amount"])
        self.applied(answer["applications"])
        return uuid.UUID(answer["id"])

    def applied(self, answers: list[dict[str, Any]]) -> None:
        for a in answers:
            assert a["status"] == "active", a
            self.applications[uuid.UUID(a["id"])] = Application(
                uuid.UUID(a["payment_id"]),
                uuid.UUID(a["invoice_id"]),
                money(a["amount"]),
                money(a["discount"]),
            )

    def memo_issued(self, answer: dict[str, Any]) -> None:
        self.memos[uuid.UUID(answer["id"])] = Credit(
            uuid.UUID(answer["invoice_id"]), money(answer["total"])
        )

    def written_off(self, answer: dict[str, Any]) -> None:
        self.write_offs[uuid.UUID(answer["id"])] = Credit(
            uuid.UUID(answer["invoice_id"]), money(answer["amount"])
        )

    # What follows from them.
    def active(self, application: Application) -> bool:
        """A reversal gives back its payment's applications, a void its invoice's."""
        return application.payment_id not in self.reversed and application.invoice_id not in (
            self.voided
        )

    def owed(self, invoice_id: uuid.UUID) -> Decimal:
        return ZERO if invoice_id in self.voided else self.invoices[invoice_id]

    def cash_on(self, invoice_id: uuid.UUID) -> Decimal:
        return sum(
            (
                a.amount + a.discount
                for a in self.applications.values()
                if a.invoice_id == invoice_id and self.active(a)
            ),
            ZERO,
        )

    def standing_write_offs(self, invoice_id: uuid.UUID) -> Decimal:
        """A void undoes the write-offs that crossed it."""
        if invoice_id in self.voided:
            return ZERO
        return sum((w.amount for w in self.write_offs.values() if w.invoice_id == invoice_id), ZERO)

    def credited(self, invoice_id: uuid.UUID) -> Decimal:
        return sum((m.amount for m in self.memos.values() if m.invoice_id == invoice_id), ZERO)

    def _settled(self, invoice_id: uuid.UUID) -> Decimal:
        return (
            self.cash_on(invoice_id)
            + self.standing_write_offs(invoice_id)
            + self.credited(invoice_id)
        )

    def open_on(self, invoice_id: uuid.UUID) -> Decimal:
        return max(ZERO, self.owed(invoice_id) - self._settled(invoice_id))

    def on_account(self, invoice_id: uuid.UUID) -> Decimal:
        """What the invoice's memos keep as the customer's credit: the invoice had no room."""
        return max(ZERO, self._settled(invoice_id) - self.owed(invoice_id))

    def unapplied(self, payment_id: uuid.UUID) -> Decimal:
        if payment_id in self.reversed:
            return ZERO
        applied = sum(
            (
                a.amount
                for a in self.applications.values()
                if a.payment_id == payment_id and self.active(a)
            ),
            ZERO,
        )
        return self.payments[payment_id] - applied

    def position(self) -> Decimal:
        """The customer's net position, whatever order things were settled in: owed, less every
        memo, standing write-off, discount and payment kept."""
        discounts = sum((a.discount for a in self.applications.values() if self.active(a)), ZERO)
        return (
            sum(
                (
                    self.owed(i) - self.credited(i) - self.standing_write_offs(i)
                    for i in self.invoices
                ),
                ZERO,
            )
            - discounts
            - sum((self.payments[p] for p in self.payments if p not in self.reversed), ZERO)
        )

    def split_problems(self, split: Mapping[uuid.UUID, Decimal]) -> list[str]:
        """Where payments' split of the on-account credit between memos does not fit."""
        problems = []
        if set(split) != set(self.memos):
            problems.append(f"memos payments knows: {sorted(split)} != {sorted(self.memos)}")
            return problems
        for invoice_id in {m.invoice_id for m in self.memos.values()}:
            kept = {m: split[m] for m, memo in self.memos.items() if memo.invoice_id == invoice_id}
            if sum(kept.values(), ZERO) != self.on_account(invoice_id) or any(
                not ZERO <= split[m] <= self.memos[m].amount for m in kept
            ):
                problems.append(
                    f"invoice {invoice_id}: memos keep {kept} on account, "
                    f"{self.on_account(invoice_id)} in all"
                )
        return problems

    def balances(self, split: Mapping[uuid.UUID, Decimal]) -> list[tuple[uuid.UUID, Decimal]]:
        """Every open item's balance, as collections' ledger items and credit's open items keep
        them: owed (+) on invoices, to the customer's credit (−) on memos and payments."""
        return sorted(
            [(i, self.open_on(i)) for i in self.invoices]
            + [(m, -split[m]) for m in self.memos]
            + [(p, -self.unapplied(p)) for p in self.payments]
        )

    def entries(self) -> list[LedgerEntry]:
        """Collections' entries that each document and settlement posts once: the documents,
        each application on its invoice (its discount apart) and on its payment, undone on both
        when it was given back, each write-off (undone by a void), each reversal."""
        entries: list[LedgerEntry] = [(i, "invoiced", t, None) for i, t in self.invoices.items()]
        entries += [(i, "voided", -self.invoices[i], None) for i in self.voided]
        entries += [(m, "credit_memo", -c.amount, None) for m, c in self.memos.items()]
        entries += [(p, "received", -amount, None) for p, amount in self.payments.items()]
        entries += [(p, "reversed", self.payments[p], None) for p in self.reversed]
        for a_id, a in self.applications.items():
            entries += [
                (a.invoice_id, "paid", -a.amount, a_id),
                (a.payment_id, "applied", a.amount, a_id),
            ]
            if a.discount:
                entries.append((a.invoice_id, "discount", -a.discount, a_id))
            if not self.active(a):
                entries += [
                    (a.invoice_id, "payment_undone", a.amount + a.discount, a_id),
                    (a.payment_id, "unapplied", -a.amount, a_id),
                ]
        for w_id, w in self.write_offs.items():
            entries.append((w.invoice_id, "written_off", -w.amount, w_id))
            if w.invoice_id in self.voided:
                entries.append((w.invoice_id, "write_off_undone", w.amount, w_id))
        return entries

    def ledger(self, split: Mapping[uuid.UUID, Decimal]) -> list[LedgerEntry]:
        """Collections' entries as `summed` states them: `entries`, and what of each memo settled
        its invoice, on both."""
        entries = self.entries()
        for m_id, m in self.memos.items():
            if settled := m.amount - split[m_id]:
                entries += [
                    (m_id, "credit_applied", settled, m.invoice_id),
                    (m.invoice_id, "credited", -settled, m_id),
                ]
        return sorted(entries, key=str)


def summed(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The ledger as the model states it: entries of `SUMMED_KINDS` added up per item, kind and
    reference, every other entry as it is (a second one is a duplicate)."""
    kept = [e for e in entries if e[1] not in SUMMED_KINDS]
    sums: dict[tuple[uuid.UUID, str, uuid.UUID | None], Decimal] = {}
    for item, kind, amount, reference in entries:
        if kind in SUMMED_KINDS:
            sums[(item, kind, reference)] = sums.get((item, kind, reference), ZERO) + amount
    kept += [(item, kind, amount, ref) for (item, kind, ref), amount in sums.items() if amount]
    return sorted(kept, key=str)
