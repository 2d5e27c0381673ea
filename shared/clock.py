"""The business clock: the one place the product reads the wall clock.

`Clock.now()` is the UTC instant; `Clock.today()` is the business date: the calendar date in the
company's time zone, unless the request being served names another one (`X-Business-Date`, so a
team can keep posting on the 31st until the day's work is done). Tests move time with
time-machine, which this module's single read of `datetime.now` follows.
"""

from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Header, Request

from shared.api.problems import BusinessRuleViolation, FieldError, Problem

DEFAULT_TIME_ZONE = "America/Chicago"
BUSINESS_DATE_HEADER = "X-Business-Date"

_business_date: ContextVar[date | None] = ContextVar("business_date", default=None)


def utc_now() -> datetime:
    """The current instant, aware, in UTC. Also the default of the tables' timestamp columns,
    which have no service to ask."""
    return datetime.now(UTC)


def time_zone(name: str) -> ZoneInfo:
    """The zone of that IANA name; ValueError for an unknown one (a setting validator's error)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


class Clock:
    """What every service, handler and command asks for "now" and "today"."""

    def __init__(self, zone: str = DEFAULT_TIME_ZONE) -> None:
        self.zone = time_zone(zone)

    def now(self) -> datetime:
        return utc_now()

    def calendar_date(self) -> date:
        """Today's date in the company's time zone, whatever the request says."""
        return utc_now().astimezone(self.zone).date()

    def today(self) -> date:
        """The business date: the request's, if it names one, else the calendar date."""
        return _business_date.get() or self.calendar_date()

    def epoch_seconds(self) -> float:
        return utc_now().timestamp()


class TooFarAhead(BusinessRuleViolation):
    slug = "date-too-far-ahead"


def check_not_ahead(day: date, *, today: date, tolerance_days: int, what: str) -> None:
    """A date at most `tolerance_days` after today: a mistyped year is refused, not posted
    (a ticket's close, an invoice's date, a payment's receipt)."""
    latest = today + timedelta(days=tolerance_days)
    if day > latest:
        raise TooFarAhead(
            f"{what} {day.isoformat()} is after {latest.isoformat()}, the latest accepted"
        )


class BusinessDateRejected(Problem):
    status, slug, title = 422, "validation-error", "The request is not valid"


def accept_business_date(clock: Clock, day: date, max_backdate_days: int) -> date:
    """The day, if a request may post on it: no later than the calendar date, no earlier than
    `max_backdate_days` before it."""
    calendar = clock.calendar_date()
    earliest = calendar - timedelta(days=max_backdate_days)
    if earliest <= day <= calendar:
        return day
    message = f"must be between {earliest.isoformat()} and {calendar.isoformat()}"
    raise BusinessDateRejected(
        f"{BUSINESS_DATE_HEADER} {day.isoformat()} {message}",
        errors=[
            FieldError(
                field=f"header.{BUSINESS_DATE_HEADER}", message=message, code="date_out_of_range"
            )
        ],
    )


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.service.clock
    return clock


ClockDep = Annotated[Clock, Depends(_clock)]


async def business_date_of_request(
    request: Request,
    business_date: Annotated[
        date | None,
        Header(
            alias=BUSINESS_DATE_HEADER,
            description=(
                "Post on this business date (YYYY-MM-DD) instead of today's: at most the "
                "platform's backdating window before the calendar date, never after it."
            ),
        ),
    ] = None,
) -> AsyncIterator[None]:
    """While the request runs, `Clock.today()` is the business date it names."""
    if business_date is None:
        yield
        return
    service = request.app.state.service
    day = accept_business_date(
        service.clock, business_date, service.platform.business_date_max_backdate_days
    )
    token = _business_date.set(day)
    try:
        yield
    finally:
        _business_date.reset(token)
