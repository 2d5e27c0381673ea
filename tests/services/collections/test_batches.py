"""A fetch of events applied in one transaction leaves the ledger exactly as applying them one
by one does, even when applications and payments arrive before their invoices and customers."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import func, select

from services.collections.models import LedgerEntry, ParkedEntry
from services.collections.rebuild import differences
from services.collections.service import definition
from shared.auth import TokenAuthority
from shared.bus import InProcessBus
from shared.events.catalog import EventPayload
from shared.settings import PlatformSettings
from tests.services.collections.books import message
from tests.services.collections.scenario import Scenario
from tests.support import running_service


def _payments_first(events: list[EventPayload]) -> list[EventPayload]:
    """Payments' topic, then invoicing's, then customers': an order fetches from several topics
    can bring."""
    order = {"payments": 0, "invoicing": 1}
    return sorted(events, key=lambda event: order.get(event.producer, 2))


@pytest.mark.parametrize("arrival", [list, _payments_first], ids=["in order", "payments first"])
async def test_one_batch_gives_the_same_ledger_as_one_event_at_a_time(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    arrival: Callable[[list[EventPayload]], list[EventPayload]],
) -> None:
    messages = [message(event) for event in arrival(Scenario().events())]
    async with (
        running_service(definition, tmp_path / "a", platform, tokens, InProcessBus()) as single,
        running_service(definition, tmp_path / "b", platform, tokens, InProcessBus()) as batch,
    ):
        for one in messages:
            await single.consumer.handle(one)
        await batch.consumer.handle_batch(messages)

        assert await differences(single.db, batch.db) == []
        async with batch.db.transaction() as session:
            entries = (await session.exec(select(func.count()).select_from(LedgerEntry))).one()
            parked = (await session.exec(select(func.count()).select_from(ParkedEntry))).one()
        assert entries > len(messages) / 2 and parked == 0
