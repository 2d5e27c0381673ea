"""A receivables history shaped like a real one, for the benches that need a book of customers.

Customer sizes are long-tailed (a few customers carry a large share of the invoices, most have a
handful), terms are mixed (net 10/30/45/60 and due on receipt), each rep covers several districts
of uneven size, and each customer pays in its own way: most on time or a little late, some
chronically late, a few hardly at all; invoices are paid in full, in parts or not yet, and some
are disputed. Everything follows from the seed, and invoices are generated one customer at a time
(each from its own random stream), so a bench writes them in batches without holding the book.
"""

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

# (terms kind, days, share of customers)
TERMS = [
    ("net", 30, 0.50),
    ("net", 45, 0.12),
    ("net", 60, 0.10),
    ("net", 10, 0.13),
    ("due_on_receipt", 0, 0.15),
]
# How customers pay: (share, days late (low, high), share of invoices left unpaid, of them
# partly paid). Days late may be negative: paid before the due date.
HABITS = {
    "prompt": (0.45, (-5, 5), 0.01, 0.3),
    "slow": (0.35, (5, 35), 0.03, 0.4),
    "chronic": (0.15, (25, 90), 0.08, 0.5),
    "delinquent": (0.05, (60, 240), 0.35, 0.6),
}
DISTRICTS = 36
REPS = 12  # each rep covers DISTRICTS / REPS districts
HISTORY_DAYS = 540  # invoices over the last eighteen months
DISPUTE_RATE = 0.02  # of invoices (more of a chronic payer's)
ONE_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Customer:
    index: int
    id: uuid.UUID
    number: str
    name: str
    district: str
    rep: str
    terms_kind: str
    terms_days: int
    habit: str
    invoices: int
    credit_limit: Decimal

    @property
    def terms_json(self) -> str:
        return f'{{"kind": "{self.terms_kind}", "days": {self.terms_days}}}'


@dataclass(frozen=True)
class Invoice:
    id: uuid.UUID
    customer: Customer
    number: str
    invoiced: date
    due: date
    amount: Decimal
    payments: tuple[tuple[date, Decimal], ...]  # (received on, amount), all on or before today
    disputed: bool

    @property
    def balance(self) -> Decimal:
        return self.amount - sum((a for _, a in self.payments), Decimal(0))


def district(n: int) -> str:
    return f"district-{n:02d}"


class Book:
    """CUSTOMERS customers with about INVOICES invoices in all, as of `today`."""

    def __init__(self, customers: int, invoices: int, today: date, seed: int = 19) -> None:
        self.today, self.seed = today, seed
        rng = random.Random(seed)
        # Log-normal sizes: the largest fifth of the customers carries about three quarters of
        # the invoices, the median customer a third of the mean; no customer more than 0.5 % of
        # the book (a Pareto tail would give one customer a tenth of it); at least one invoice.
        weights = [rng.lognormvariate(0, 1.5) for _ in range(customers)]
        cap = 0.005 * sum(weights)
        weights = [min(w, cap) for w in weights]
        total = sum(weights)
        self.sizes = [max(1, round(w / total * invoices)) for w in weights]
        # Districts of uneven size (a few large basins, many small ones).
        self.district_weights = [1 / (d + 1) ** 0.8 for d in range(DISTRICTS)]

    def __len__(self) -> int:
        return len(self.sizes)

    @property
    def invoice_count(self) -> int:
        return sum(self.sizes)

    def customers(self) -> Iterator[Customer]:
        rng = random.Random(self.seed * 7919)
        kinds = [(k, d) for k, d, _ in TERMS]
        habits = list(HABITS)
        for i, size in enumerate(self.sizes):
            kind, days = rng.choices(kinds, [s for *_, s in TERMS])[0]
            habit = rng.choices(habits, [h[0] for h in HABITS.values()])[0]
            d = rng.choices(range(DISTRICTS), self.district_weights)[0]
            # Two to six months of billing, rounded as a credit manager sets a limit.
            monthly = size / (HISTORY_DAYS / 30) * 1_500
            limit = Decimal(max(10_000, round(monthly * rng.uniform(2.0, 6.0), -3)))
            yield Customer(
                index=i,
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                number=f"B{i:07d}",
                name=f"Bench {i} LLC",
                district=district(d),
                rep=f"rep-{d % REPS:02d}",
                terms_kind=kind,
                terms_days=days,
                habit=habit,
                invoices=size,
                credit_limit=limit,
            )

    def invoices(self, customer: Customer) -> Iterator[Invoice]:
        """The customer's invoices, oldest first; payments dated after today are not yet made."""
        rng = random.Random(self.seed * 1_000_003 + customer.index)
        _, late, unpaid, partly = HABITS[customer.habit]
        dispute_rate = DISPUTE_RATE * (3 if customer.habit in ("chronic", "delinquent") else 1)
        ticket_size = rng.lognormvariate(7.0, 0.9)  # this customer's typical invoice, ~$1,100
        dates = sorted(self._day(rng) for _ in range(customer.invoices))
        for n, invoiced in enumerate(dates):
            amount = Decimal(round(ticket_size * rng.lognormvariate(0, 0.6) * 100) + 5_000) / 100
            due = invoiced + timedelta(days=customer.terms_days)
            # Disputes are settled within a few months: the open ones are on recent invoices.
            disputed = invoiced > self.today - timedelta(days=120) and rng.random() < dispute_rate
            payments: list[tuple[date, Decimal]] = []
            paid_on = due + timedelta(days=rng.randint(*late))
            # Collectors get there in the end: only a delinquent payer or a dispute leaves an
            # invoice open long past its due date.
            collected = customer.habit != "delinquent" and due < self.today - timedelta(days=90)
            left_open = rng.random() < unpaid
            if collected and left_open and not disputed:
                payments.append((due + timedelta(days=rng.randint(45, 90)), amount))
            elif disputed or left_open:
                if rng.random() < partly:  # a part paid, the rest short-paid or forgotten
                    share = Decimal(rng.choice([25, 40, 50, 75, 90])) / 100
                    payments.append((paid_on, (amount * share).quantize(ONE_CENT)))
            elif rng.random() < 0.08:  # paid in two instalments
                first = (amount * Decimal("0.5")).quantize(ONE_CENT)
                payments += [(paid_on, first), (paid_on + timedelta(days=30), amount - first)]
            else:
                payments.append((paid_on, amount))
            yield Invoice(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                customer=customer,
                number=f"INV-{customer.index:07d}-{n:04d}",
                invoiced=invoiced,
                due=due,
                amount=amount,
                payments=tuple((max(on, invoiced), a) for on, a in payments if on <= self.today),
                disputed=disputed,
            )

    def _day(self, rng: random.Random) -> date:
        """A business day in the history, busier toward the month's end and more recently."""
        while True:
            back = int(HISTORY_DAYS * rng.random() ** 1.3)
            day = self.today - timedelta(days=back)
            if day.weekday() >= 5 and rng.random() < 0.9:
                continue
            if day.day < 20 and rng.random() < 0.2:
                continue
            return day
