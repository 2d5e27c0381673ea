"""Open invoices indexed every way cash application looks them up: by the keys of their number,
by customer and by open balance. Invoices are held by position, so lookups hash small integers."""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from services.payments.domain.matching.model import OpenInvoice
from services.payments.domain.matching.references import alnum, number_keys, one_edit_variants

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


class InvoiceIndex:
    """Open invoices and their current balances; balances go down as cash is applied."""

    def __init__(self, invoices: Iterable[OpenInvoice]) -> None:
        self._invoices: list[OpenInvoice] = list(invoices)
        self._balance: list[Decimal] = [invoice.balance for invoice in self._invoices]
        self._position: dict[uuid.UUID, int] = {i.id: at for at, i in enumerate(self._invoices)}
        # Both the digits and the compact form of each number, so any written form meets it.
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._by_serial: dict[str, list[int]] = defaultdict(list)
        self._by_customer: dict[uuid.UUID, list[int]] = defaultdict(list)
        # Built on first use: only payments from unknown payers look amounts up across customers.
        self._by_balance: dict[Decimal, list[int]] | None = None
        by_key, by_serial, by_customer = self._by_key, self._by_serial, self._by_customer
        for at, invoice in enumerate(self._invoices):
            by_customer[invoice.customer_id].append(at)
            keys = number_keys(invoice.number)
            if keys is not None:
                by_key[keys.digits].append(at)
                if keys.compact != keys.digits:
                    by_key[keys.compact].append(at)
                by_serial[keys.serial].append(at)

    def _balances(self) -> dict[Decimal, list[int]]:
        if self._by_balance is None:
            self._by_balance = defaultdict(list)
            for at, balance in enumerate(self._balance):
                self._by_balance[balance].append(at)
        return self._by_balance

    def balance(self, invoice_id: uuid.UUID) -> Decimal:
        return self._balance[self._position[invoice_id]]

    def settle(self, invoice_id: uuid.UUID, amount: Decimal) -> None:
        """Take `amount` (cash and discount) off the invoice's open balance."""
        at = self._position[invoice_id]
        self._balance[at] -= amount
        if self._by_balance is not None:
            self._by_balance[self._balance[at]].append(at)

    def _open(self, positions: Iterable[int]) -> list[OpenInvoice]:
        return [self._invoices[at] for at in dict.fromkeys(positions) if self._balance[at] > 0]

    def of_customer(self, customer_id: uuid.UUID) -> list[OpenInvoice]:
        return self._open(self._by_customer.get(customer_id, ()))

    def with_balance(self, amount: Decimal) -> list[OpenInvoice]:
        positions = [at for at in self._balances().get(amount, ()) if self._balance[at] == amount]
        return self._open(positions)

    def find(
        self, reference: str, eligible: Callable[[OpenInvoice], bool], amount: Decimal | None = None
    ) -> list[ReferenceHit]:
        """Eligible open invoices a reference may mean, each with how it was read. Neighbours one
        typo away are looked for when nothing else is found, or when nothing found has `amount`
        open: a typo can turn one invoice's number into another's."""
        query = number_keys(reference)
        if query is None:
            return []
        hits: dict[int, str] = {}
        written = alnum(reference)

        def consider(positions: Iterable[int], kind: str | None = None) -> None:
            for at in positions:
                invoice = self._invoices[at]
                if at in hits or self._balance[at] <= 0 or not eligible(invoice):
                    continue
                hits[at] = kind or ("exact" if alnum(invoice.number) == written else "reformatted")

        consider(self._by_key.get(query.digits, ()))
        consider(self._by_key.get(query.compact, ()))
        if query.compact == query.serial:  # the reference is a bare serial number
            consider(self._by_serial.get(query.serial, ()), "serial")
        if len(query.compact) >= MIN_TYPO_KEY and not any(
            self._balance[at] == amount for at in hits
        ):
            for variant in one_edit_variants(query.compact):
                consider(self._by_key.get(variant, ()), "typo")
            if not hits and query.digits != query.compact:  # a zero put in or left out
                for variant in one_edit_variants(query.digits):
                    consider(self._by_key.get(variant, ()), "typo")
        return [ReferenceHit(self._invoices[at], kind) for at, kind in hits.items()]
