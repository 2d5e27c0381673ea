"""GL export on real PostgreSQL and Kafka: with the relay sending every event twice, each
posting lands in exactly one GL batch, legacy invoices paid in full leave the tie-out at 0.00,
and the rollforward ties to the ledger and the AR control account."""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import func, select

from deploy.local_infra import KafkaBroker
from services.collections.models import GLBatchPosting, JournalLine
from shared.auth import Role
from shared.bus.kafka import KafkaBus
from shared.clock import Clock
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.services.collections.books import Books
from tests.services.collections.distributed import (  # noqa: F401 (fixture)
    consumed_all,
    producers,
    start_collections,
)
from tests.support import event_message

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

MONTH_END = Clock().today().replace(day=1) - timedelta(days=1)
FIRST = MONTH_END.replace(day=1)


async def test_each_posting_is_in_one_batch_when_the_relay_resends_and_the_books_tie(
    start_distributed: Any,
    producers: KafkaBus,  # noqa: F811 (the fixture imported above)
    auth: AuthHeaders,
    kafka_broker: KafkaBroker,
) -> None:
    service, _ = await start_collections(start_distributed, kafka_broker)
    books = Books()
    legacy = [books.imported("800.00", "300.00", FIRST), books.imported("120.50", "120.50", FIRST)]
    events: list[Any] = list(legacy)
    for invoice in legacy:
        payment = books.payment(invoice.owed, FIRST + timedelta(days=3))
        events += [payment, books.apply(payment, invoice, invoice.owed, FIRST + timedelta(days=3))]
    invoice = books.invoice("1000.00", FIRST + timedelta(days=4))
    events += [invoice, books.credit_memo("200.00", FIRST + timedelta(days=5), invoice)]
    messages = [event_message(event) for event in events]
    # The relay crashed between sending and marking sent: everything goes out twice.
    await producers.publish(messages)
    await producers.publish(messages)
    await consumed_all(service, events)

    supervisor, auditor = auth(Role.AR_SUPERVISOR), auth(Role.AUDITOR)
    async with client(service) as http:
        day = await http.post(
            "/v1/gl/batches", json={"day": str(FIRST + timedelta(days=3))}, headers=supervisor
        )
        month = await http.post(
            "/v1/gl/batches", json={"period": str(FIRST)[:7]}, headers=supervisor
        )
        assert (day.status_code, month.status_code) == (201, 201), month.text
        assert [b["number"] for b in (day.json(), month.json())] == [1, 2]
        async with service.db.transaction() as session:
            journal = (await session.exec(select(func.count()).select_from(JournalLine))).one()
            batched = (await session.exec(select(func.count()).select_from(GLBatchPosting))).one()
        # 2 openings + 2 payments + 2 applications + invoice + memo, 2 postings each, once.
        assert journal == batched == day.json()["postings"] + month.json()["postings"] == 16
        for batch in (day.json(), month.json()):
            assert all(t["balanced"] for t in batch["totals"])

        [tie] = (
            await http.get(
                "/v1/ledger/tie-out",
                params={"as_of": str(FIRST + timedelta(days=3))},
                headers=auditor,
            )
        ).json()
        assert (tie["ledger"], tie["journal"], tie["difference"]) == ("0.00", "0.00", "0.00")
        [roll] = (
            await http.get("/v1/gl/rollforward", params={"period": str(FIRST)[:7]}, headers=auditor)
        ).json()
        assert (
            roll["opening"],
            roll["closing"],
            roll["ledger"],
            roll["journal"],
            roll["ties"],
        ) == (
            "0.00",
            "800.00",
            "800.00",
            "800.00",
            True,
        )
