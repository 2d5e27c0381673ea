"""A close that binds every poster: the closed months a service keeps from collections' events,
and the check its commands make before posting a document."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from shared.bus import InProcessBus
from shared.db import Database
from shared.events.catalog import EventPayload
from shared.events.collections import PeriodClosed, PeriodReopened
from shared.events.envelope import EventEnvelope
from shared.inbox import EventConsumer
from shared.outbox import relayed_message
from shared.periods import (
    PERIOD_HANDLERS,
    ClosedMonthPolicy,
    PeriodIsClosed,
    ensure_open,
    posting_date,
)
from shared.tables import MechanismTable

TOPIC = "ar.collections.v1"
CLOSED_AT = datetime(2026, 11, 3, 15, tzinfo=UTC)
OCTOBER = PeriodClosed(period="2026-10", closed_through=date(2026, 10, 31), closed_by="sam")
REOPENED = PeriodReopened(period="2026-10", reopened_by="sam", reason="a rebill was missed")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/periods.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(MechanismTable.metadata.create_all)
    yield database
    await database.dispose()


@pytest.fixture
def bus(db: Database) -> InProcessBus:
    bus = InProcessBus()
    EventConsumer("poster", db, bus, PERIOD_HANDLERS).subscribe()
    return bus


async def _deliver(bus: InProcessBus, *events: tuple[EventPayload, datetime]) -> None:
    envelopes = [
        EventEnvelope.wrap(event, customer_id="period", aggregate_id="2026-10").model_copy(
            update={"occurred_at": at}
        )
        for event, at in events
    ]
    await bus.publish([relayed_message(TOPIC, "period", e.type, e.to_bytes()) for e in envelopes])
    assert not bus.retained[TOPIC + ".dlq"]


async def _refusal(db: Database, on: date) -> PeriodIsClosed | None:
    async with db.transaction() as session:
        try:
            await ensure_open(session, on)
        except PeriodIsClosed as refused:
            return refused
    return None


async def test_a_month_nobody_closed_is_open(db: Database, bus: InProcessBus) -> None:
    assert await _refusal(db, date(2026, 10, 15)) is None


async def test_a_closed_month_refuses_every_day_in_it_naming_the_month_and_who_closed_it(
    db: Database, bus: InProcessBus
) -> None:
    await _deliver(bus, (OCTOBER, CLOSED_AT))
    for day in (date(2026, 10, 1), date(2026, 10, 31)):
        refused = await _refusal(db, day)
        assert refused is not None
        assert refused.status == 409
        assert (refused.extensions["period"], refused.extensions["closed_by"]) == ("2026-10", "sam")
        assert "2026-10" in refused.detail and "sam" in refused.detail
    # The days either side are in open months.
    assert await _refusal(db, date(2026, 9, 30)) is None
    assert await _refusal(db, date(2026, 11, 1)) is None


async def test_a_reopened_month_is_open_again_and_can_close_again(
    db: Database, bus: InProcessBus
) -> None:
    await _deliver(bus, (OCTOBER, CLOSED_AT))
    await _deliver(bus, (REOPENED, CLOSED_AT + timedelta(hours=1)))
    assert await _refusal(db, date(2026, 10, 15)) is None
    await _deliver(bus, (OCTOBER, CLOSED_AT + timedelta(hours=2)))
    assert await _refusal(db, date(2026, 10, 15)) is not None


async def test_a_close_and_its_reopening_in_one_batch_leave_the_month_open(
    db: Database, bus: InProcessBus
) -> None:
    await _deliver(bus, (OCTOBER, CLOSED_AT), (REOPENED, CLOSED_AT + timedelta(hours=1)))
    assert await _refusal(db, date(2026, 10, 15)) is None


async def test_a_reopening_older_than_the_close_on_record_leaves_it_closed(
    db: Database, bus: InProcessBus
) -> None:
    """A reopening replayed from the dead-letter topic after the month closed again."""
    await _deliver(bus, (OCTOBER, CLOSED_AT + timedelta(days=1)))
    await _deliver(bus, (REOPENED, CLOSED_AT))
    assert await _refusal(db, date(2026, 10, 15)) is not None


async def test_a_service_set_to_move_documents_dates_them_into_the_first_open_month(
    db: Database, bus: InProcessBus
) -> None:
    november = PeriodClosed(period="2026-11", closed_through=date(2026, 11, 30), closed_by="sam")
    await _deliver(bus, (OCTOBER, CLOSED_AT), (november, CLOSED_AT + timedelta(days=30)))
    async with db.transaction() as session:
        move, refuse = ClosedMonthPolicy.FIRST_OPEN_MONTH, ClosedMonthPolicy.REFUSE
        assert await posting_date(session, date(2026, 10, 20), move) == date(2026, 12, 1)
        assert await posting_date(session, date(2026, 9, 30), move) == date(2026, 9, 30)
        assert await posting_date(session, date(2026, 12, 2), refuse) == date(2026, 12, 2)
        with pytest.raises(PeriodIsClosed):
            await posting_date(session, date(2026, 11, 2), refuse)
