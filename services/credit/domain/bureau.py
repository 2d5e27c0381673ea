"""What a bureau report says, and how a vendor's JSON reply maps onto it.

A vendor's reply is read through configured JSON pointers (RFC 6901), one per field, so a new
vendor needs configuration, not code. A reply that does not fit is a failed check, not an error.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

REQUIRED_FIELDS = ("score", "reported_on")
SCORE_RANGE = range(0, 101)


class ReportStatus(StrEnum):
    """A check either brought findings back or is on file with why it failed."""

    RECEIVED = "received"
    FAILED = "failed"


class MalformedReply(ValueError):
    """The vendor answered something the configured mapping cannot read."""


@dataclass(frozen=True, slots=True)
class BureauFindings:
    score: int
    reported_on: date
    payment_index: int | None = None
    derogatory_items: int | None = None
    reference: str | None = None


def is_expired(reported_on: date | None, *, today: date, max_age_days: int) -> bool:
    """A report older than the configured age no longer speaks for the customer."""
    return reported_on is None or today - reported_on > timedelta(days=max_age_days)


def _pointer(document: Any, pointer: str) -> Any:
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise MalformedReply(f"{pointer!r} is not a JSON pointer")
    current = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return None
    return current


def _integer(name: str, value: Any, allowed: range | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise MalformedReply(f"{name} is not a whole number: {value!r}")
    try:
        number = int(value)
    except ValueError as exc:
        raise MalformedReply(f"{name} is not a whole number: {value!r}") from exc
    if allowed is not None and number not in allowed:
        raise MalformedReply(f"{name} {number} is outside {allowed.start}..{allowed.stop - 1}")
    if number < 0:
        raise MalformedReply(f"{name} may not be negative: {number}")
    return number


def map_reply(reply: Any, fields: Mapping[str, str]) -> BureauFindings:
    """Read the findings out of a vendor's reply with the configured pointers."""
    if not isinstance(reply, Mapping):
        raise MalformedReply("the reply is not a JSON object")
    values = {name: _pointer(reply, pointer) for name, pointer in fields.items()}
    missing = [name for name in REQUIRED_FIELDS if values.get(name) is None]
    if missing:
        raise MalformedReply(f"the reply has no {', '.join(missing)}")
    try:
        reported_on = date.fromisoformat(str(values["reported_on"]))
    except ValueError as exc:
        raise MalformedReply(f"reported_on is not a date: {values['reported_on']!r}") from exc
    score = _integer("score", values["score"], SCORE_RANGE)
    assert score is not None  # required above
    reference = values.get("reference")
    return BureauFindings(
        score=score,
        reported_on=reported_on,
        payment_index=_integer("payment_index", values.get("payment_index"), SCORE_RANGE),
        derogatory_items=_integer("derogatory_items", values.get("derogatory_items")),
        reference=None if reference is None else str(reference)[:200],
    )
