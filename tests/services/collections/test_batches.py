"""A fetch of events applied in one transaction leaves the ledger exactly as applying them one
by one does, even when applications and payments arrive before their invoices and customers."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import func, select

from services.collections.jobs.rebuild import differences
from services.collections.models import LedgerEntry, ParkedEntry
from services.collections.service import definition
from shared.auth import TokenAuthority
from shared.bus import BusMessage, InProcessBus
from shared.events.catalog import EventPayload
from shared.settings import PlatformSettings
from tests.services.collections.scenario import Scenario
from tests.support import event_message, running_service


def _payments_first(events: list[EventPayload]) -> list[EventPayload]:
    """Payments' topic, then invoicing's, then customers': an order fetches from several topics
    can bring."""
    order = {"payments": 0, "invoicing": 1}
    return sorted(events, key=lambda event: order.get(event.producer, 2))


def _customers_between(events: list[EventPayload]) -> list[EventPayload]:
    """Payments, then customers (whose events make the ledger write what it parked), then
    invoices."""
    order = {"payments": 0, "customers": 1}
    return sorted(events, key=lambda event: order.get(event.producer, 2))


async def _applied_one_by_one(message: BusMessage) -> None:
    raise AssertionError("the batch failed in one transaction")


@pytest.mark.parametrize(
    "arrival",
    [list, _payments_first, _customers_between],
    ids=["in order", "payments first", "customers between"],
)
async def test_one_batch_gives_the_same_ledger_as_one_event_at_a_time(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    arrival: Callable[[list[EventPayload]], list[EventPayload]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = [event_message(event) for event in arrival(Scenario().events())]
    async with (
        running_service(definition, tmp_path / "a", platform, tokens, InProcessBus()) as single,
        running_service(definition, tmp_path / "b", platform, tokens, InProcessBus()) as batch,
    ):
        for one in messages:
            await single.consumer.handle(one)
        # A batch that failed would be applied again one event at a time: fail loudly instead.
        monkeypatch.setattr(batch.consumer, "handle", _applied_one_by_one)
        await batch.consumer.handle_batch(messages)

        assert await differences(single.db, batch.db) == []
        async with batch.db.transaction() as session:
            entries = (await session.exec(select(func.count()).select_from(LedgerEntry))).one()
            parked = (await session.exec(select(func.count()).select_from(ParkedEntry))).one()
        assert entries > len(messages) / 2 and parked == 0
