"""The AR rollforward on real PostgreSQL reads its movements and its tie in one snapshot: an
invoice committed by the consumer while the rollforward is being read is either in every figure
or in none, so it can never make the rollforward untie."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from deploy.local_infra import PostgresServer
from services.collections.documents.ar_pack import tied_rollforwards
from services.collections.models import JournalLine, LedgerEntry
from services.collections.queries.kpis import Month
from services.collections.service import definition as collections
from shared import migrations
from shared.clock import Clock
from shared.db import Database

pytestmark = [pytest.mark.postgres]

MONTH = Month(Clock().today().year, Clock().today().month).back()
AR = "1200"


def _invoice(amount: str, on: date) -> list[Any]:
    """An invoice as the consumer keeps it: its AR entry and its journal entry, balanced."""
    event, item, customer = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    common = {"currency": "USD", "source": "invoice", "document_id": item, "event_id": event}
    return [
        LedgerEntry(
            id=uuid.uuid4(),
            item_id=item,
            customer_id=customer,
            kind="invoiced",
            amount=Decimal(amount),
            entry_date=on,
            event_id=event,
            currency="USD",
            column="buckets",
            ar_control=True,
            due_date=on + timedelta(days=30),
            document_date=on,
            business_district="north",
            sales_rep="rep",
        ),
        JournalLine(
            entry_id=event,
            line_no=1,
            posted_on=on,
            account=AR,
            debit=Decimal(amount),
            credit=Decimal(0),
            **common,
        ),
        JournalLine(
            entry_id=event,
            line_no=2,
            posted_on=on,
            account="4000",
            debit=Decimal(0),
            credit=Decimal(amount),
            **common,
        ),
    ]


async def test_an_invoice_committed_while_the_rollforward_is_read_cannot_untie_it(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"rollforward_{uuid.uuid4().hex[:8]}"
    postgres_server.create_database(name)
    db = Database(postgres_server.url(name))
    try:
        await migrations.upgrade(db, collections.migrations, collections.version_table)
        async with db.transaction() as session:
            session.add_all(_invoice("1000.00", MONTH.first))
        # The consumer commits another invoice of the month right after the rollforward's
        # first statement: each later statement of a read-committed transaction would see it.
        original, arrived = AsyncSession.exec, []

        async def then_an_invoice_arrives(self: AsyncSession, *args: Any, **kwargs: Any) -> Any:
            result = await original(self, *args, **kwargs)
            if not arrived:
                arrived.append(True)
                async with db.transaction() as other:
                    other.add_all(_invoice("250.00", MONTH.first + timedelta(days=1)))
            return result

        monkeypatch.setattr(AsyncSession, "exec", then_an_invoice_arrives)
        async with db.transaction() as session:
            [tied] = await tied_rollforwards(session, MONTH, AR)
        monkeypatch.undo()
        assert arrived
        assert tied.ties, (tied.rollforward.closing, tied.tie)
        async with db.transaction() as session:
            [now] = await tied_rollforwards(session, MONTH, AR)
        assert now.ties
        assert now.rollforward.closing == Decimal("1250.00")
    finally:
        await db.dispose()
