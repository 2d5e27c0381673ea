"""Batches from different partitions applied at the same time on PostgreSQL (as parallel
partitions or several instances do): an invoice and the payment applied to it arrive on two
topics, and however their transactions interleave, the payment is posted to the invoice, never
left parked for an invoice that exists."""

import asyncio
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, func, select

from deploy.local_infra import PostgresServer
from services.collections.models import LedgerItem, ParkedEntry
from services.collections.service import definition as collections
from shared import migrations
from shared.bus import InProcessBus
from shared.db import Database
from shared.inbox import EventConsumer
from tests.services.collections.books import Books
from tests.support import event_message

pytestmark = pytest.mark.postgres

CUSTOMERS = 40
TODAY = date(2026, 11, 23)


async def test_an_invoice_and_its_payment_applied_at_once_on_two_partitions_meet(
    postgres_server: PostgresServer,
) -> None:
    database = f"partitions_{uuid.uuid4().hex[:10]}"
    postgres_server.create_database(database)
    db = Database(postgres_server.url(database))
    await migrations.upgrade(db, collections.migrations, collections.version_table)
    consumer = EventConsumer(
        "collections",
        db,
        InProcessBus(),
        collections.handlers,
        prepare=collections.prepare_batch,
    )
    invoices: list[uuid.UUID] = []
    rounds = []
    for _ in range(CUSTOMERS):
        books = Books()
        invoice = books.invoice("1000.00", TODAY - timedelta(days=20))
        payment = books.payment("400.00", TODAY)
        applied = books.apply(payment, invoice, "400.00", TODAY)
        invoices.append(invoice.invoice_id)
        # Two batches of two partitions (invoicing's, payments'), in flight together.
        rounds.append(([event_message(invoice)], [event_message(payment), event_message(applied)]))
    try:
        for invoicing_batch, payments_batch in rounds:
            await asyncio.gather(
                consumer.handle_batch(invoicing_batch), consumer.handle_batch(payments_batch)
            )
        async with db.transaction() as session:
            parked = (await session.exec(select(func.count()).select_from(ParkedEntry))).one()
            balances = (
                await session.exec(
                    select(LedgerItem.balance).where(col(LedgerItem.id).in_(invoices))
                )
            ).all()
    finally:
        await db.dispose()
    assert parked == 0
    assert balances == [Decimal("600.00")] * CUSTOMERS
