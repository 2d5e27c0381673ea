"""Working the accounts on real PostgreSQL and Kafka: the worklist's 30- and 60-day rules with
disputes and live promises shown but not chased, a broken promise detected from the payments
that followed, and dunning runs mailing a reminder first and then the next stage over SMTP."""

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from deploy.local_infra import KafkaBroker
from shared.auth import Role
from shared.bus.kafka import KafkaBus
from shared.clock import Clock
from tests.conftest import AuthHeaders
from tests.integration.conftest import client
from tests.services.collections.books import overdue_customer, publish
from tests.services.collections.distributed import (  # noqa: F401 (fixture)
    consumed_all,
    producers,
    start_collections,
)

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

# The product's business date (the company's zone), wherever the test session's clock is.
TODAY = Clock().today()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: the controller checks it can connect
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


async def test_worklist_promises_and_dunning_on_postgres_and_kafka(
    start_distributed: Any,
    producers: KafkaBus,  # noqa: F811 (the fixture imported above)
    auth: AuthHeaders,
    smtp: tuple[Inbox, int],
    kafka_broker: KafkaBroker,
) -> None:
    service, _ = await start_collections(start_distributed, kafka_broker)
    inbox, port = smtp
    smtp = service.settings.smtp  # type: ignore[attr-defined]
    # A plain test server: no STARTTLS.
    smtp.host, smtp.port, smtp.starttls = "127.0.0.1", port, False
    books = {
        name: overdue_customer(name, (days, "700"))
        for name, days in [
            ("REMIND", 10),
            ("SECOND", 45),
            ("THIRD", 75),
            ("FINAL", 100),
            ("DISPUTED", 70),
            ("PROMISED", 50),
            ("BREAKS", 40),
            ("CURRENT", -3),
        ]
    }
    events = [e for _, found in books.values() for e in found]
    await publish(producers, *events)
    await consumed_all(service, events)
    ids = {name: str(b.customer_id) for name, (b, _) in books.items()}
    coordinator = auth(Role.AR_COORDINATOR)

    async with client(service) as http:
        disputed_invoice = books["DISPUTED"][1][1]
        assert (
            await http.post(
                "/v1/disputes",
                headers=coordinator,
                json={
                    "customer_id": ids["DISPUTED"],
                    "invoice_id": str(disputed_invoice.invoice_id),  # type: ignore[attr-defined]
                    "reason": "Hours disputed",
                    "department": "service",
                },
            )
        ).status_code == 201
        for name, days in (("PROMISED", 10), ("BREAKS", 2)):
            assert (
                await http.post(
                    "/v1/promises",
                    headers=coordinator,
                    json={
                        "customer_id": ids[name],
                        "amount": "700",
                        "promised_on": str(TODAY + timedelta(days=days)),
                    },
                )
            ).status_code == 201

        breaks = books["BREAKS"][0]
        await publish(producers, partial := breaks.payment("300", TODAY))
        await consumed_all(service, [*events, partial])

        later = {"as_of": str(TODAY + timedelta(days=3))}
        rows = {
            r["account_number"]: r
            for r in (await http.get("/v1/worklist", params=later, headers=coordinator)).json()
        }
        assert set(rows) == {"REMIND", "SECOND", "THIRD", "FINAL", "DISPUTED", "PROMISED", "BREAKS"}
        assert rows["BREAKS"]["broken_promises"] == 1  # 300 of 700 by its date: broken
        assert (Decimal(rows["PROMISED"]["to_chase"]), Decimal(rows["PROMISED"]["promised"])) == (
            0,
            700,
        )
        assert (
            rows["DISPUTED"]["needs_action_history"],
            Decimal(rows["DISPUTED"]["to_chase"]),
        ) == (True, 0)
        assert [rows[n]["follow_up_due"] for n in ("REMIND", "SECOND", "THIRD", "FINAL")] == [
            False,
            True,
            True,
            True,
        ]

        # Three days on, BREAKS's promise has passed short: it is dunned again; PROMISED's is live.
        run = (await http.post("/v1/dunning-runs", json=later, headers=coordinator)).json()
    # No letter was sent before: each first letter is a reminder, however old the debt.
    dunned = ("REMIND", "SECOND", "THIRD", "FINAL", "BREAKS")
    assert {n["customer_id"]: n["stage"] for n in run["sent"]} == {ids[n]: 1 for n in dunned}
    assert run["skipped"] == {ids["DISPUTED"]: "disputed", ids["PROMISED"]: "live_promise"}
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == sorted(f"Payment reminder: account {n}" for n in dunned)

    # Ten days on, each steps up one stage as far as its age allows; REMIND is still a reminder.
    inbox.messages.clear()
    ten_days_on = {"as_of": str(TODAY + timedelta(days=13))}
    async with client(service) as http:
        again = (await http.post("/v1/dunning-runs", json=ten_days_on, headers=coordinator)).json()
    assert {n["customer_id"]: n["stage"] for n in again["sent"]} == {
        **{ids[n]: 2 for n in ("SECOND", "THIRD", "FINAL", "BREAKS")},
        ids["PROMISED"]: 1,  # its promise broke on the way: a first letter, a reminder
        ids["CURRENT"]: 1,  # now overdue too
    }
    assert again["skipped"][ids["REMIND"]] == "stage_already_sent"
