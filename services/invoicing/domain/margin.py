"""Job margin in plain Python: per job and period, the revenue billed (invoice lines less credit
memo lines of the job), the third-party cost coded to it, what of that cost is billable but not
yet billed, and the margin, grouped as asked (docs/domain.md#job-margin)."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class MarginGrouping(StrEnum):
    TICKET = "ticket"
    JOB_SITE = "job_site"
    DISTRICT = "district"
    PERIOD = "period"


@dataclass(frozen=True)
class Job:
    ticket_number: str
    job_site: str | None
    business_district: str
    currency: str


@dataclass(frozen=True)
class Amount:
    """One amount of a job on a day: revenue (negative for a credit) or cost."""

    ticket_id: uuid.UUID
    on: date
    amount: Decimal


@dataclass
class MarginRow:
    key: tuple[str, ...]
    currency: str
    revenue: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    unbilled_pass_through: Decimal = Decimal(0)
    tickets: set[uuid.UUID] = field(default_factory=set)

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _key(grouping: MarginGrouping, job: Job, on: date) -> tuple[str, ...]:
    if grouping == MarginGrouping.TICKET:
        return (period_of(on), job.business_district, job.ticket_number)
    if grouping == MarginGrouping.JOB_SITE:
        return (period_of(on), job.business_district, job.job_site or "")
    if grouping == MarginGrouping.DISTRICT:
        return (period_of(on), job.business_district)
    return (period_of(on),)


def job_margin(
    grouping: MarginGrouping,
    jobs: Mapping[uuid.UUID, Job],
    revenue: Iterable[Amount],
    cost: Iterable[Amount],
    unbilled: Iterable[Amount],
) -> list[MarginRow]:
    """Rows per group and currency, in key order; a job's amounts fall in the month of their
    document (invoice or credit date, bill posting date)."""
    rows: dict[tuple[tuple[str, ...], str], MarginRow] = {}

    def row(item: Amount) -> MarginRow:
        job = jobs[item.ticket_id]
        key = (_key(grouping, job, item.on), job.currency)
        found = rows.setdefault(key, MarginRow(key[0], job.currency))
        found.tickets.add(item.ticket_id)
        return found

    for item in revenue:
        row(item).revenue += item.amount
    for item in cost:
        row(item).cost += item.amount
    for item in unbilled:
        row(item).unbilled_pass_through += item.amount
    return [rows[key] for key in sorted(rows)]
