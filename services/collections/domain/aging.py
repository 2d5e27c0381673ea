"""Aging buckets (docs/domain.md#aging): days past due = as_of − due date (or − invoice date
when aging by invoice date); Current is ≤ 0, then one bucket per configured edge, then "over"
the last edge."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

DEFAULT_EDGES = (0, 30, 60, 90, 120)


class Basis(StrEnum):
    DUE = "due"
    INVOICE = "invoice"


class InvalidEdges(ValueError):
    pass


@dataclass(frozen=True)
class Buckets:
    """Edges in days past due; (0, 30, 60) gives Current, 1–30, 31–60, over 60."""

    edges: tuple[int, ...] = DEFAULT_EDGES

    def __post_init__(self) -> None:
        if not self.edges:
            raise InvalidEdges("give at least one bucket edge")
        if any(b <= a for a, b in zip(self.edges, self.edges[1:], strict=False)):
            raise InvalidEdges("bucket edges must strictly increase")
        if self.edges[0] < 0:
            raise InvalidEdges("the first edge (Current) cannot be negative")

    @property
    def labels(self) -> list[str]:
        first = "current" if self.edges[0] == 0 else f"up_to_{self.edges[0]}"
        middle = [f"{a + 1}-{b}" for a, b in zip(self.edges, self.edges[1:], strict=False)]
        return [first, *middle, f"over_{self.edges[-1]}"]

    def index(self, days_past_due: int) -> int:
        """The bucket a number of days past due falls in."""
        for i, edge in enumerate(self.edges):
            if days_past_due <= edge:
                return i
        return len(self.edges)

    def cutoffs(self, as_of: date) -> list[date]:
        """The oldest age date still in each bucket but the last: bucket i holds dates ≥ cutoffs[i]
        (and below cutoffs[i-1]); SQL buckets with these without computing days row by row."""
        return [as_of - timedelta(days=edge) for edge in self.edges]

    def totals(self, aged: Iterable[tuple[int, Decimal]]) -> list[Decimal]:
        """Sum (days past due, amount) pairs into one total per bucket."""
        sums = [Decimal(0)] * (len(self.edges) + 1)
        for days, amount in aged:
            sums[self.index(days)] += amount
        return sums


def parse_edges(text: str) -> Buckets:
    """'0,30,60,90,120' → Buckets; a clear error for anything else."""
    try:
        edges = tuple(int(part) for part in text.split(","))
    except ValueError as exc:
        raise InvalidEdges(
            "bucket edges are whole days separated by commas, e.g. 0,30,60,90"
        ) from exc
    return Buckets(edges)


def days_past_due(as_of: date, age_date: date) -> int:
    return (as_of - age_date).days
