"""The collector's rules, in plain Python: which promises are live, kept or broken; which accounts
need a call this week, an action history or the management report; who is worth calling first;
which dunning stage a customer has reached."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

WEEKLY_FOLLOW_UP_AFTER_DAYS = 30  # past 30 days past due: a follow-up every week
ACTION_HISTORY_AFTER_DAYS = 60  # past 60: a detailed history and the management report
FOLLOW_UP_INTERVAL = timedelta(days=7)


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    LETTER = "letter"
    MEETING = "meeting"
    NOTE = "note"


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class PromiseStatus(StrEnum):
    LIVE = "live"
    KEPT = "kept"
    BROKEN = "broken"


def promise_status(promised_on: date, kept_on: date | None, as_of: date) -> PromiseStatus:
    """Kept once payments reached the amount by the date; broken once the date passed without."""
    if kept_on is not None and kept_on <= promised_on:
        return PromiseStatus.KEPT
    return PromiseStatus.LIVE if as_of <= promised_on else PromiseStatus.BROKEN


def counts_towards(promised_on: date, recorded_on: date, received_on: date) -> bool:
    """A payment counts towards a promise when it arrives between the promise and its date."""
    return recorded_on <= received_on <= promised_on


@dataclass(frozen=True)
class AccountPosition:
    """What the worklist knows of one customer's past-due position on a date."""

    past_due: Decimal
    oldest_days_past_due: int
    disputed: Decimal
    promised: Decimal
    broken_promises: int
    days_beyond_terms: Decimal | None  # amount-weighted, of paid invoices
    last_activity_on: date | None

    @property
    def to_chase(self) -> Decimal:
        """Past due, less what is disputed or under a live promise: shown, not chased."""
        return max(self.past_due - self.disputed - self.promised, Decimal(0))


def follow_up_due(position: AccountPosition, as_of: date) -> bool:
    """Over 30 days past due, something left to chase, and no action in the last week."""
    if position.oldest_days_past_due <= WEEKLY_FOLLOW_UP_AFTER_DAYS or position.to_chase <= 0:
        return False
    return (
        position.last_activity_on is None or as_of - position.last_activity_on >= FOLLOW_UP_INTERVAL
    )


def needs_action_history(position: AccountPosition) -> bool:
    """Over 60 days past due: keep a detailed action history and report it to management."""
    return position.oldest_days_past_due > ACTION_HISTORY_AFTER_DAYS


def call_priority(position: AccountPosition) -> Decimal:
    """Most worth a call first: the amount to chase, weighted up by age, by promises already
    broken and by a habit of paying late. Nothing to chase scores zero."""
    if position.to_chase <= 0:
        return Decimal(0)
    age = Decimal(1) + Decimal(position.oldest_days_past_due) / 30
    broken = Decimal(1) + Decimal("0.5") * position.broken_promises
    lateness = Decimal(1) + max(position.days_beyond_terms or Decimal(0), Decimal(0)) / 60
    return (position.to_chase * age * broken * lateness).quantize(Decimal("0.01"))


def weighted_days_beyond_terms(day_amounts: Decimal, paid: Decimal) -> Decimal | None:
    """Amount-weighted average of (paid date − due date) over payments made, from the sum of
    each payment's days times its amount and the sum of the amounts."""
    if paid <= 0:
        return None
    return day_amounts / paid


@dataclass(frozen=True)
class LetterSent:
    """A dunning letter already sent in this round of chasing (one of its invoices still owes)."""

    stage: int
    sent_on: date


def dunning_stage(oldest_days_past_due: int, stage_starts: Sequence[int]) -> int | None:
    """The stage the oldest item's age has reached: 1 for the first, up to len(stage_starts)
    for the final notice; None when nothing is overdue enough. `stage_starts` ascend."""
    reached = [i for i, start in enumerate(stage_starts, start=1) if oldest_days_past_due >= start]
    return reached[-1] if reached else None


def letter_stage(reached: int | None, last: LetterSent | None) -> int | None:
    """The letter to send: the stage the age has reached, but never more than one above the
    last letter sent, so a first letter is a reminder whatever the age."""
    if reached is None:
        return None
    return min(reached, (last.stage if last else 0) + 1)


def reason_not_to_dun(
    *,
    live_promise: bool,
    undisputed: Decimal | None,
    minimum: Decimal,
    stage: int | None,
    has_email: bool,
    last: LetterSent | None = None,
    as_of: date | None = None,
    interval: timedelta = timedelta(0),
) -> str | None:
    """Why a customer with overdue items gets no letter this run, or None to send one.
    `undisputed` is the overdue amount left once disputed amounts are set aside (None: nothing).
    A letter goes only when it steps up from `last`, and no sooner than `interval` after it: a
    second run on the same day sends nothing again."""
    if live_promise:
        return "live_promise"
    if undisputed is None:
        return "disputed"
    if undisputed < minimum:
        return "under_minimum"
    if stage is None:
        return "not_overdue_enough"
    if last is not None:
        if last.sent_on == as_of:
            return "already_sent_today"
        if stage <= last.stage:
            return "stage_already_sent"
        if as_of is not None and as_of - last.sent_on < interval:
            return "sent_recently"
    return None if has_email else "no_email"
