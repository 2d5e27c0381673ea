"""Dates a request may name: ISO text (`2026-10-31`, a moment `2026-10-31T14:05:00Z`), never a
number (JSON's `0` would otherwise be read as 1970-01-01), with years 1900 to 2999, checked at
the edge (a 422), so no date arithmetic downstream (a due date, a month back, a trend of 24
months) leaves Python's range."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_RANGE = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A date, a time to the minute at least, then seconds, fractions and an offset as ISO 8601 allows.
_ISO_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?"
)


def _iso_date_text(value: object) -> object:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is ISO text, YYYY-MM-DD")
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("a date is ISO text, YYYY-MM-DD, not a number")
    return value


def _iso_moment_text(value: object) -> object:
    if isinstance(value, str) and not _ISO_MOMENT.fullmatch(value):
        raise ValueError("a moment is ISO text, YYYY-MM-DDTHH:MM:SS with an optional offset")
    if not isinstance(value, str | datetime):
        raise ValueError("a moment is ISO text, YYYY-MM-DDTHH:MM:SS, not a number")
    return value


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


# ISO text only, for a date whose own rule bounds it and says so (an invoice date ahead).
IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
BoundedDate = Annotated[IsoDate, AfterValidator(_bounded_date), Field(description=f"ISO, {_RANGE}")]
BoundedDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_moment_text),
    AfterValidator(_bounded_datetime),
    Field(description=f"ISO 8601, {_RANGE}"),
]
# A month as YYYY-MM, its year within the same bounds.
BoundedMonth = Annotated[
    str, Field(pattern=MONTH_PATTERN, examples=["2026-10"]), AfterValidator(_bounded_month)
]
