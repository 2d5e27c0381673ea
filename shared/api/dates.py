"""Dates a request may name: years 1900 to 2999, checked at the edge (a 422), so no date
arithmetic downstream (a due date, a month back, a trend of 24 months) leaves Python's range."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_RANGE = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def _bounded_date(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"must be {_RANGE}")
    return day


def _bounded_datetime(moment: datetime) -> datetime:
    _bounded_date(moment.date())
    return moment


def _bounded_month(text: str) -> str:
    if not EARLIEST.year <= int(text[:4]) <= LATEST.year:
        raise ValueError(f"the year must be {EARLIEST.year} to {LATEST.year}")
    return text


BoundedDate = Annotated[date, AfterValidator(_bounded_date), Field(description=f"ISO, {_RANGE}")]
BoundedDateTime = Annotated[datetime, AfterValidator(_bounded_datetime)]
# A month as YYYY-MM, its year within the same bounds.
BoundedMonth = Annotated[
    str, Field(pattern=MONTH_PATTERN, examples=["2026-10"]), AfterValidator(_bounded_month)
]
