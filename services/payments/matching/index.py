"""Open invoices indexed every way cash application looks them up: by the keys of their number
(and the neighbours of those keys one typo away), by customer and by open balance."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz.distance import OSA

from services.payments.matching.model import OpenInvoice
from services.payments.matching.references import NumberKeys, number_keys, one_deletion_variants

# How much a reference read each way is worth on its own.
REFERENCE_SCORES = {"exact": 1.0, "reformatted": 0.97, "serial": 0.93, "typo": 0.92}
LOOSE_READINGS = {"serial", "typo"}
REFERENCE_WORDS = {
    "exact": "as written",
    "reformatted": "without its prefix, leading zeros or separators",
    "serial": "by its serial number alone",
    "typo": "correcting a one-character typo",
}
# Shorter keys than this have too many neighbours one typo away to mean anything.
MIN_TYPO_KEY = 5


@dataclass(frozen=True, slots=True)
class ReferenceHit:
    invoice: OpenInvoice
    kind: str


def _reading(query: NumberKeys, keys: NumberKeys) -> str | None:
    if query.exact == keys.exact:
        return "exact"
    if query.digits == keys.digits or query.compact == keys.compact:
        return "reformatted"
    if min(OSA.distance(query.compact, keys.compact), OSA.distance(query.nozero, keys.nozero)) <= 1:
        return "typo"
    return None


class InvoiceIndex:
    """Open invoices and their current balances; balances go down as cash is applied."""

    def __init__(self, invoices: Iterable[OpenInvoice]) -> None:
        self._invoices: dict[uuid.UUID, OpenInvoice] = {}
        self._keys: dict[uuid.UUID, NumberKeys] = {}
        self._balance: dict[uuid.UUID, Decimal] = {}
        self._by_nozero: dict[str, list[uuid.UUID]] = defaultdict(list)
        self._by_serial: dict[str, list[uuid.UUID]] = defaultdict(list)
        self._near: dict[str, list[uuid.UUID]] = defaultdict(list)
        self._by_customer: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        self._by_balance: dict[Decimal, list[uuid.UUID]] = defaultdict(list)
        for invoice in invoices:
            self.add(invoice)

    def add(self, invoice: OpenInvoice) -> None:
        self._invoices[invoice.id] = invoice
        self._balance[invoice.id] = invoice.balance
        self._by_customer[invoice.customer_id].append(invoice.id)
        self._by_balance[invoice.balance].append(invoice.id)
        keys = number_keys(invoice.number)
        if keys is None:
            return
        self._keys[invoice.id] = keys
        self._by_nozero[keys.nozero].append(invoice.id)
        self._by_serial[keys.serial].append(invoice.id)
        if len(keys.nozero) >= MIN_TYPO_KEY:
            for variant in one_deletion_variants(keys.nozero) | {keys.nozero}:
                self._near[variant].append(invoice.id)

    def balance(self, invoice_id: uuid.UUID) -> Decimal:
        return self._balance[invoice_id]

    def settle(self, invoice_id: uuid.UUID, amount: Decimal) -> None:
        """Take `amount` (cash and discount) off the invoice's open balance."""
        self._balance[invoice_id] -= amount
        self._by_balance[self._balance[invoice_id]].append(invoice_id)

    def _open(self, ids: Iterable[uuid.UUID]) -> list[OpenInvoice]:
        return [self._invoices[i] for i in dict.fromkeys(ids) if self._balance[i] > 0]

    def of_customer(self, customer_id: uuid.UUID) -> list[OpenInvoice]:
        return self._open(self._by_customer.get(customer_id, ()))

    def with_balance(self, amount: Decimal) -> list[OpenInvoice]:
        return [
            i for i in self._open(self._by_balance.get(amount, ())) if self._balance[i.id] == amount
        ]

    def find(
        self, reference: str, eligible: Callable[[OpenInvoice], bool], amount: Decimal | None = None
    ) -> list[ReferenceHit]:
        """Eligible open invoices a reference may mean, each with how it was read. Neighbours one
        typo away are looked for when nothing else is found, or when nothing found has `amount`
        open: a typo can turn one invoice's number into another's."""
        query = number_keys(reference)
        if query is None:
            return []
        hits: dict[uuid.UUID, str] = {}
        for invoice_id in self._by_nozero.get(query.nozero, ()):
            kind = _reading(query, self._keys[invoice_id])
            if kind:
                hits[invoice_id] = kind
        if query.compact == query.serial:  # the reference is a bare serial number
            for invoice_id in self._by_serial.get(query.serial, ()):
                hits.setdefault(invoice_id, "serial")
        found = [i for i in self._open(hits) if eligible(i)]
        settled_by_amount = any(self._balance[i.id] == amount for i in found)
        if len(query.nozero) >= MIN_TYPO_KEY and not settled_by_amount:
            for variant in one_deletion_variants(query.nozero) | {query.nozero}:
                for invoice_id in self._near.get(variant, ()):
                    if invoice_id not in hits and _reading(query, self._keys[invoice_id]) == "typo":
                        hits[invoice_id] = "typo"
            found = [i for i in self._open(hits) if eligible(i)]
        return [ReferenceHit(invoice, hits[invoice.id]) for invoice in found]
