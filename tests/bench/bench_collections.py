"""Collections' speed on PostgreSQL: aging (portfolio today, one customer, a past month end) and
DSO for a month, the worklist of one district) over ITEMS invoices of CUSTOMERS customers from
tests/bench/data.py (long-tailed sizes, mixed terms, real lateness, partial payments, disputes),
each beside the best plain SQL for the same answer on the same data, with that SQL's plan; month
end (a GL batch of POSTINGS journal postings beside a plain COPY of the same rows, the AR pack of
the month); the reconciliation of every customer; and the rate the ledger consumes events from
Kafka, beside a bare aiokafka consumer of the same messages. `python -m tests.bench collections`;
AR_BENCH_ITEMS (or BENCH_SCALE) scales the data set down or up. ITEMS counts the invoices of
eighteen months' history: about a fifth of them are still open.
"""

import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from sqlmodel import func, select

from services.collections.commands.gl import export_batch
from services.collections.commands.reconciliation import import_side, start_reconciliation
from services.collections.documents.ar_pack import ar_pack, pack_pdf, pack_xlsx
from services.collections.documents.gl_export import batch_erpnext
from services.collections.domain.gl import BatchKind
from services.collections.domain.reconciliation import Side, SourceRow
from services.collections.models import LoggedEvent
from services.collections.queries.aging import Aging, AgingQuery, aging
from services.collections.queries.gl import batch_lines
from services.collections.queries.kpis import Month, monthly_kpis
from services.collections.queries.worklist import worklist
from services.collections.service import definition as collections
from services.collections.settings import CollectionsSettings
from shared import migrations
from shared.auth import Principal, Role, TokenAuthority
from shared.bus.kafka import KafkaBus
from shared.clock import Clock, utc_now
from shared.db import Database
from shared.events.catalog import EventPayload
from shared.settings import PlatformSettings
from tests.bench import BenchInfra, data, reference_ms
from tests.bench.data import Book, Customer
from tests.bench.report import Figure, repeat, scaled
from tests.services.collections.books import Books
from tests.support import SECRET, event_message, running_service

ITEMS = int(os.environ.get("AR_BENCH_ITEMS", scaled(1_000_000)))
# AR_BENCH_CUSTOMERS spreads the items over more customers (the reconciliation's 50,000 on a
# reduced data set).
CUSTOMERS = int(os.environ.get("AR_BENCH_CUSTOMERS", "0")) or max(ITEMS // 20, 1)
EVENTS = int(os.environ.get("AR_BENCH_EVENTS", scaled(30_000)))
POSTINGS = int(os.environ.get("AR_BENCH_POSTINGS", scaled(1_000_000)))
# The product's business date (the company's zone), wherever the test session's clock is.
TODAY = Clock().today()
FIRST_DISTRICT = data.district(0)  # the largest
REPEATS = 5

# The best plain SQL for each answer, as a competent engineer would write it on these tables.
_BUCKET = """CASE
    WHEN "column" = 'credits' THEN 'credits'
    WHEN $1::date - due_date <= 0 THEN 'current'
    WHEN $1::date - due_date <= 30 THEN '1-30'
    WHEN $1::date - due_date <= 60 THEN '31-60'
    WHEN $1::date - due_date <= 90 THEN '61-90'
    WHEN $1::date - due_date <= 120 THEN '91-120'
    ELSE 'over_120' END"""
# Today: the items carry their balance.
PLAIN_AGING_TODAY = f"""
SELECT currency, {_BUCKET} AS bucket, SUM(balance)
FROM ledger_items WHERE balance <> 0 GROUP BY 1, 2
"""
# One customer: the same on its items, through the customer index.
PLAIN_AGING_CUSTOMER = f"""
SELECT currency, {_BUCKET} AS bucket, SUM(balance)
FROM ledger_items WHERE customer_id = $2 AND balance <> 0 GROUP BY 1, 2
"""
# A past month end: today's balance minus the entries dated after it.
PLAIN_AGING_AS_OF = f"""
SELECT currency, {_BUCKET} AS bucket, SUM(owed) FROM (
  SELECT i.currency, i."column", i.due_date, i.balance - COALESCE(later.amount, 0) AS owed
  FROM ledger_items i
  LEFT JOIN (SELECT item_id, SUM(amount) AS amount FROM ledger_entries
             WHERE entry_date > $1 GROUP BY item_id) later ON later.item_id = i.id
  WHERE i.document_date <= $1
) AS as_of_then GROUP BY 1, 2
"""
PLAIN_PAST_DUE = """
SELECT count(DISTINCT customer_id) AS customers, SUM(balance) AS past_due
FROM ledger_items
WHERE "column" = 'buckets' AND due_date < $1 AND balance > 0 AND business_district = $2
"""
PLAIN_DSO = """
SELECT
  (SELECT SUM(balance) FROM ledger_items WHERE ar_control)
  - (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE ar_control AND entry_date > $2)
    AS ending_ar,
  (SELECT SUM(amount) FROM ledger_entries
    WHERE ar_control AND kind IN ('invoiced', 'voided', 'credit_memo')
      AND entry_date BETWEEN $1 AND $2) AS sales
"""


async def _plan(conn: asyncpg.Connection, sql: str, *args: Any) -> str:
    rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
    return "\n".join(r[0] for r in rows)


def _labelled(report: Aging) -> dict[tuple[str, str], Decimal]:
    labels = report.query.buckets.labels
    result: dict[tuple[str, str], Decimal] = {}
    for line in report.totals:
        result |= {
            (line.currency, label): v for label, v in zip(labels, line.buckets, strict=True) if v
        }
        if line.credits:
            result[(line.currency, "credits")] = line.credits
    return result


ACCOUNT_COLUMNS = [
    "id",
    "revision",
    "account_number",
    "legal_name",
    "status",
    "currency",
    "business_district",
    "sales_rep",
    "payment_terms",
    "contacts",
    "synced_at",
]
ITEM_COLUMNS = [
    "id",
    "customer_id",
    "kind",
    "number",
    "currency",
    "document_date",
    "due_date",
    "business_district",
    "sales_rep",
    "column",
    "ar_control",
    "original_amount",
    "balance",
]
ENTRY_COLUMNS = [
    "id",
    "item_id",
    "customer_id",
    "kind",
    "amount",
    "entry_date",
    "event_id",
    "currency",
    "column",
    "ar_control",
    "due_date",
    "document_date",
    "business_district",
    "sales_rep",
]
DISPUTE_COLUMNS = [
    "id",
    "customer_id",
    "invoice_id",
    "currency",
    "amount",
    "reason",
    "department",
    "status",
    "opened_on",
    "opened_by",
]
LOAD_BATCH = 2_000  # customers written per COPY round: memory stays bounded at any size


async def _load(conn: asyncpg.Connection, book: Book) -> None:
    """The book's customers, invoices (paid in full, in part or not yet), payments applied to
    them, disputes, and an unapplied payment for some customers, written with COPY a batch of
    customers at a time; positions summed as the consumer keeps them."""
    rng = random.Random(7)
    batch: list[Customer] = []
    for customer in book.customers():
        batch.append(customer)
        if len(batch) == LOAD_BATCH:
            await _load_batch(conn, book, batch, rng)
            batch = []
    if batch:
        await _load_batch(conn, book, batch, rng)
    await conn.execute("""
        INSERT INTO aging_positions
        SELECT currency, "column", ar_control, business_district, sales_rep, due_date,
               document_date, SUM(amount)
        FROM ledger_entries GROUP BY 1, 2, 3, 4, 5, 6, 7
    """)
    await conn.execute("""
        INSERT INTO monthly_credit_sales
        SELECT currency, business_district, sales_rep, to_char(entry_date, 'YYYY-MM'), SUM(amount)
        FROM ledger_entries WHERE ar_control AND kind IN ('invoiced', 'voided', 'credit_memo')
        GROUP BY 1, 2, 3, 4
    """)
    await conn.execute("VACUUM ANALYZE")
    await conn.execute("CHECKPOINT")  # the load's pages written now, not during a measurement


async def _load_batch(
    conn: asyncpg.Connection, book: Book, customers: list[Customer], rng: random.Random
) -> None:
    accounts: list[tuple[Any, ...]] = []
    items: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    disputes: list[tuple[Any, ...]] = []
    for c in customers:
        accounts.append(
            (
                c.id,
                1,
                c.number,
                c.name,
                "active",
                "USD",
                c.district,
                c.rep,
                c.terms_json,
                "[]",
                utc_now(),
            )
        )
        for invoice in book.invoices(c):
            dims = ("USD", "buckets", True, invoice.due, invoice.invoiced, c.district, c.rep)
            entries.append(
                (
                    uuid.uuid4(),
                    invoice.id,
                    c.id,
                    "invoiced",
                    invoice.amount,
                    invoice.invoiced,
                    uuid.uuid4(),
                    *dims,
                )
            )
            entries += [
                (uuid.uuid4(), invoice.id, c.id, "paid", -paid, on, uuid.uuid4(), *dims)
                for on, paid in invoice.payments
            ]
            items.append(
                (
                    invoice.id,
                    c.id,
                    "invoice",
                    invoice.number,
                    "USD",
                    invoice.invoiced,
                    invoice.due,
                    c.district,
                    c.rep,
                    "buckets",
                    True,
                    invoice.amount,
                    invoice.balance,
                )
            )
            if invoice.disputed:
                disputes.append(
                    (
                        uuid.uuid4(),
                        c.id,
                        invoice.id,
                        "USD",
                        invoice.balance,
                        "pricing",
                        "sales",
                        "open",
                        invoice.due,
                        "bench",
                    )
                )
        if rng.random() < 0.15:  # cash on account, not yet applied
            item_id, received = uuid.uuid4(), TODAY - timedelta(days=rng.randrange(90))
            amount = -Decimal(rng.randrange(1_000, 100_000)) / 100
            dims = ("USD", "credits", False, received, received, c.district, c.rep)
            items.append(
                (item_id, c.id, "payment", None, "USD", received, received, c.district, c.rep)
                + ("credits", False, amount, amount)
            )
            entries.append(
                (uuid.uuid4(), item_id, c.id, "received", amount, received, uuid.uuid4(), *dims)
            )
    await conn.copy_records_to_table(
        "collection_accounts", columns=ACCOUNT_COLUMNS, records=accounts
    )
    await conn.copy_records_to_table("ledger_items", columns=ITEM_COLUMNS, records=items)
    await conn.copy_records_to_table("ledger_entries", columns=ENTRY_COLUMNS, records=entries)
    await conn.copy_records_to_table("disputes", columns=DISPUTE_COLUMNS, records=disputes)


async def _queries(
    db: Database,
    pg_connect: Callable[[], Awaitable[asyncpg.Connection]],
    size: str,
    samples: dict[str, uuid.UUID],
) -> list[Any]:
    lines: list[Any] = []
    month = Month(TODAY.year, TODAY.month).back()
    conn = await pg_connect()
    # The one-customer baseline on a connection of its own: its prepared statement's plan is
    # chosen for `customer_id = $2` alone, not a generic plan left by the portfolio runs.
    fresh = await pg_connect()
    today = "plain SQL on the items' balance"
    cases = [
        ("portfolio aging as of today", TODAY, None, 100.0, conn, PLAIN_AGING_TODAY, today),
        *(
            (label, TODAY, customer, 5.0, fresh, PLAIN_AGING_CUSTOMER, today)
            for label, customer in samples.items()
        ),
        (
            f"portfolio aging as of {month.last}",
            month.last,
            None,
            500.0,
            conn,
            PLAIN_AGING_AS_OF,
            "plain SQL: today's balance minus later entries",
        ),
    ]
    for label, as_of, customer, target, on, sql, baseline_label in cases:
        query = AgingQuery(as_of=as_of, customer_id=customer)
        args = (as_of, customer) if customer else (as_of,)

        async def ours(query: AgingQuery = query) -> dict[tuple[str, str], Decimal]:
            async with db.transaction() as session:
                return _labelled(await aging(session, query))

        async def plain(
            on: asyncpg.Connection = on, sql: str = sql, args: tuple[Any, ...] = args
        ) -> dict[tuple[str, str], Decimal]:
            rows = await on.fetch(sql, *args)
            return {(r[0], r[1]): r[2] for r in rows if r[2]}

        product, baseline = await repeat(ours, REPEATS), await repeat(plain, REPEATS)
        lines.append(
            Figure.timed(
                label,
                product,
                size,
                target=target,
                baseline_samples=baseline,
                baseline_label=baseline_label,
                baseline_plan=await _plan(on, sql, *args),
                note=f"same answer: {product.answer == baseline.answer}",
            )
        )
        lines.append(
            f"  {label}: same answer as the plain SQL: {product.answer == baseline.answer}"
        )

    async def dso() -> tuple[Decimal, Decimal]:
        async with db.transaction() as session:
            [kpis] = await monthly_kpis(session, month)
        return kpis.ending_ar, kpis.credit_sales

    async def plain_dso() -> tuple[Decimal, Decimal]:
        row = await conn.fetchrow(PLAIN_DSO, month.first, month.last)
        return row["ending_ar"], row["sales"]

    product, baseline = await repeat(dso, REPEATS), await repeat(plain_dso, REPEATS)
    lines.append(
        Figure.timed(
            f"DSO family for {month}",
            product,
            size,
            target=500.0,
            baseline_samples=baseline,
            baseline_label="plain SQL, ending AR and sales only",
            baseline_plan=await _plan(conn, PLAIN_DSO, month.first, month.last),
            note="the product also computes countback DSO over 12 months, best, ADD and CEI",
        )
    )
    lines.append(f"  DSO: same AR and sales as the plain SQL: {product.answer == baseline.answer}")

    async def district_worklist() -> tuple[int, Decimal]:
        async with db.transaction() as session:
            rows = await worklist(session, TODAY, business_district=FIRST_DISTRICT)
        return len(rows), sum((r.position.past_due for r in rows), Decimal(0))

    async def plain_past_due() -> tuple[int, Decimal]:
        row = await conn.fetchrow(PLAIN_PAST_DUE, TODAY, FIRST_DISTRICT)
        return row["customers"], row["past_due"]

    product, baseline = (
        await repeat(district_worklist, REPEATS),
        await repeat(plain_past_due, REPEATS),
    )
    lines.append(
        Figure.timed(
            f"worklist of one district ({product.answer[0]:,} customers)",
            product,
            size,
            target=300.0,
            baseline_samples=baseline,
            baseline_label="plain SQL, past due per customer only",
            baseline_plan=await _plan(conn, PLAIN_PAST_DUE, TODAY, FIRST_DISTRICT),
            note="the product ranks, with disputes, promises and payment history",
        )
    )
    lines.append(
        "  worklist: same customers and past due as the plain SQL: "
        f"{product.answer == baseline.answer}"
    )
    await fresh.close()
    await conn.close()
    return lines


JOURNAL_COLUMNS = [
    "entry_id",
    "line_no",
    "posted_on",
    "currency",
    "source",
    "document_id",
    "document_number",
    "customer_id",
    "account",
    "debit",
    "credit",
    "business_district",
    "memo",
    "jurisdiction",
    "event_id",
]


def _postings(month: Month) -> list[tuple[Any, ...]]:
    """POSTINGS journal lines of the month: invoices as AR debits against revenue credits."""
    rng, rows = random.Random(7), []
    for n in range(POSTINGS // 2):
        entry, document = uuid.uuid4(), uuid.uuid4()
        on = month.first + timedelta(days=n % month.days)
        amount = Decimal(rng.randint(100, 500_000)) / 100
        district = data.district(n % data.DISTRICTS)
        common = (on, "USD", "invoice", document, f"INV-{n:07d}", None)
        rows.append((entry, 1, *common, "1200", amount, Decimal(0), district, None, None, None))
        rows.append((entry, 2, *common, "4000", Decimal(0), amount, district, None, None, None))
    return rows


async def _month_end(db: Database, conn: asyncpg.Connection) -> list[str]:
    month = Month(TODAY.year, TODAY.month).back()
    rows = _postings(month)
    await conn.copy_records_to_table("journal_lines", records=rows, columns=JOURNAL_COLUMNS)
    await conn.execute("CREATE TABLE plain_copy (LIKE journal_lines)")
    started = time.perf_counter()
    await conn.copy_records_to_table("plain_copy", records=rows, columns=JOURNAL_COLUMNS)
    copy_s = time.perf_counter() - started
    await conn.execute("VACUUM ANALYZE journal_lines")
    actor = Principal(subject="bench", roles=frozenset({Role.AR_SUPERVISOR}))
    started = time.perf_counter()
    async with db.transaction() as session:
        batch = await export_batch(
            session, BatchKind.PERIOD, str(month), month.last, actor, today=TODAY
        )
        lines = await batch_lines(session, batch.number)
    erpnext = batch_erpnext(batch, lines, "bench")
    export_s = time.perf_counter() - started
    settings = CollectionsSettings(database_url="unused")
    started = time.perf_counter()
    async with db.transaction() as session:
        pack = await ar_pack(session, settings, month, Clock().zone)
    xlsx, pdf = pack_xlsx(pack), pack_pdf(pack, settings.company)
    pack_s = time.perf_counter() - started
    return [
        f"GL batch of {month} ({batch.postings:,} postings taken, {len(lines)} lines by account "
        f"and district, ERPNext file {len(erpnext):,} bytes): {export_s:.1f} s (target < 30 s); "
        f"a plain COPY of the same rows {copy_s:.1f} s",
        f"AR pack of {month} over {ITEMS:,} items ({len(pack.cash_receipts):,} receipts, "
        f"{len(pack.over_60):,} accounts over 60 days; XLSX {len(xlsx):,} bytes, PDF "
        f"{len(pdf):,} bytes): {pack_s:.1f} s (target < 60 s)",
    ]


# Each customer's open documents as of a day, as a system in agreement with the ledger lists them.
OPEN_DOCUMENTS = """
SELECT a.account_number, i.number, SUM(e.amount) AS balance
FROM ledger_items i JOIN ledger_entries e ON e.item_id = i.id
JOIN collection_accounts a ON a.id = i.customer_id
WHERE e.entry_date <= $1
GROUP BY a.account_number, i.id, i.number
HAVING SUM(e.amount) <> 0
"""
PLANTED = 50  # of each kind: an amount changed, a row dropped, a row listed twice


async def _reconciliation(db: Database, conn: asyncpg.Connection) -> list[str]:
    """A sales-system file of every open document of every customer as of last month's end,
    with PLANTED differences of three kinds, compared with the ledger through the command the
    API calls (the ledger read, the comparison, the differences written), once."""
    as_of = Month(TODAY.year, TODAY.month).back().last
    fetch_started = time.perf_counter()
    records = await conn.fetch(OPEN_DOCUMENTS, as_of)
    fetch_seconds = time.perf_counter() - fetch_started
    rows = [
        SourceRow(n, r["account_number"], r["balance"], r["number"])
        for n, r in enumerate(records, start=2)
    ]
    step = max(len(rows) // (3 * PLANTED), 1)
    changed = [rows[i] for i in range(0, PLANTED * step, step)]
    for row in changed:
        rows[row.row - 2] = SourceRow(row.row, row.account_number, row.amount + 1, row.document)
    dropped = range(PLANTED * step, 2 * PLANTED * step, step)
    doubled = [rows[i] for i in range(2 * PLANTED * step, 3 * PLANTED * step, step)]
    kept = [r for i, r in enumerate(rows) if i not in set(dropped)]
    kept += [
        SourceRow(len(rows) + 2 + n, r.account_number, r.amount, r.document)
        for n, r in enumerate(doubled)
    ]
    customers = len({r.account_number for r in kept})
    actor = Principal(subject="bench", roles=frozenset({Role.AR_COORDINATOR}))
    started = time.perf_counter()
    async with db.transaction() as session:
        reconciliation = await start_reconciliation(session, as_of, actor, clock=Clock())
        found = await import_side(session, reconciliation, Side.SALES, kept, actor, clock=Clock())
    seconds = time.perf_counter() - started
    classes = sorted({str(d.klass) for d in found})
    return [
        f"reconciliation of {customers:,} customers ({len(kept):,} rows) with the ledger as of "
        f"{as_of}: {seconds:,.1f} s (target < 10 s); {len(found)} differences found of "
        f"{3 * PLANTED} planted, classed {', '.join(classes)}; the straightforward SQL that "
        f"only lists the open documents took {fetch_seconds:,.1f} s"
    ]


def _event_stream(count: int) -> list[EventPayload]:
    """Invoices, payments and their applications for many customers, in each one's order."""
    events: list[EventPayload] = []
    while len(events) < count:
        books = Books(district=data.district(random.randrange(data.DISTRICTS)))
        invoice = books.invoice("1250.00", TODAY - timedelta(days=40))
        payment = books.payment("1000.00", TODAY - timedelta(days=5))
        events += [
            invoice,
            payment,
            books.apply(payment, invoice, "1000.00", TODAY - timedelta(days=5)),
        ]
    return events[:count]


async def _round_trip_ms(db: Database) -> float:
    """One `SELECT 1` to the database and back: what each statement of a handler costs at least."""
    async with db.engine.connect() as conn:
        started = time.perf_counter()
        for _ in range(200):
            await conn.execute(select(1))
    return (time.perf_counter() - started) / 200 * 1000


async def _bare_consume_rate(servers: str, topics: list[str], count: int) -> float:
    """Messages a second a bare aiokafka consumer reads of the same topics on the same broker,
    first message to last: the rate the broker and client allow before any product work."""
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=servers, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        seen, first = 0, None
        deadline = time.perf_counter() + 120
        while seen < count and time.perf_counter() < deadline:
            asked = time.perf_counter()
            batches = await consumer.getmany(timeout_ms=500, max_records=1_000)
            got = sum(len(records) for records in batches.values())
            if got and first is None:
                first = asked  # from the fetch that brought the first messages
            seen += got
        return seen / (time.perf_counter() - first) if first else float("nan")
    finally:
        await consumer.stop()


async def _consumption(infra: BenchInfra) -> list[Any]:
    servers = infra.kafka.bootstrap_servers
    producer = KafkaBus(servers, client_id="bench-collections-producer", partitions=3)
    await producer.ensure_topics({"ar.invoicing.v1", "ar.payments.v1", "ar.customers.v1"})
    await producer.start()
    events = _event_stream(EVENTS)
    for start in range(0, len(events), 1000):
        await producer.publish([event_message(e) for e in events[start : start + 1000]])
    await producer.stop()

    infra.postgres.create_database("bench_collections_consumer")
    platform = PlatformSettings(bus="kafka", kafka_bootstrap_servers=servers, auth_secret=SECRET)
    started = time.perf_counter()
    loads = []
    async with running_service(
        collections,
        infra.workdir,
        platform,
        TokenAuthority(SECRET),
        KafkaBus(servers, client_id="bench-collections"),
        database_url=infra.postgres.url("bench_collections_consumer"),
    ) as service:
        while True:
            async with service.db.transaction() as session:
                logged = (await session.exec(select(func.count()).select_from(LoggedEvent))).one()
                first, last = (
                    await session.exec(
                        select(func.min(LoggedEvent.logged_at), func.max(LoggedEvent.logged_at))
                    )
                ).one()
            loads.append(os.getloadavg()[0])
            if logged >= EVENTS or time.perf_counter() - started > 300:
                break
            await asyncio.sleep(0.2)
        round_trip = await _round_trip_ms(service.db)
    wall = time.perf_counter() - started
    span = (last - first).total_seconds() if first and last else float("nan")
    topics = ["ar.invoicing.v1", "ar.payments.v1", "ar.customers.v1"]
    bare = [await _bare_consume_rate(servers, topics, EVENTS) for _ in range(REPEATS)]
    return [
        Figure(
            "ledger catch-up from Kafka (one consumer)",
            logged / span,
            "events/s",
            f"{logged:,} events",
            target=5_000.0,
            better="higher",
            baseline=statistics.median(bare),
            baseline_label="a bare aiokafka consumer of the same messages",
            baseline_samples=tuple(bare),
            load=statistics.fmean(loads),
            note="one run (a fresh database and consumer group each), not repeated; the ratio "
            "is the product's share of the bare rate",
        ),
        f"  {logged:,} events in {span:.1f} s; {wall:.1f} s including start-up and group join; "
        "one transaction per partition fetch, up to six partitions at once (each locks its "
        "customers first), the batch's items and customers read in one query each, rows "
        f"written with COPY at commit; a SELECT 1 round trip to this PostgreSQL took "
        f"{round_trip:.2f} ms during the run",
    ]


async def run(infra: BenchInfra) -> list[Any]:
    infra.postgres.create_database("bench_collections")
    db = Database(infra.postgres.url("bench_collections"))
    await migrations.upgrade(db, collections.migrations, collections.version_table)
    pg = infra.postgres

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(
            host=pg.host, port=pg.port, user=pg.user, database="bench_collections"
        )

    conn = await connect()
    started = time.perf_counter()
    book = Book(CUSTOMERS, ITEMS, TODAY)
    await _load(conn, book)
    # One-customer figures for a customer of median size and for the largest (the hardest).
    by_size = await conn.fetch(
        "SELECT customer_id, count(*) FROM ledger_items GROUP BY 1 ORDER BY 2, 1"
    )
    typical, largest = by_size[len(by_size) // 2], by_size[-1]
    samples = {
        f"aging of one customer of median size ({typical[1]:,} items)": typical[0],
        f"aging of the largest customer ({largest[1]:,} items)": largest[0],
    }
    counts = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM ledger_items WHERE balance <> 0), "
        "(SELECT count(*) FROM ledger_items), (SELECT count(*) FROM ledger_entries), "
        "(SELECT count(*) FROM aging_positions), (SELECT count(*) FROM disputes)"
    )
    await conn.close()
    size = f"{counts[0]:,} open items of {counts[1]:,}, {CUSTOMERS:,} customers"
    lines: list[Any] = [
        f"data: {counts[0]:,} open items of {counts[1]:,} ({book.invoice_count:,} invoices), "
        f"{counts[2]:,} entries, {counts[3]:,} aging positions, {counts[4]:,} open disputes, "
        f"{CUSTOMERS:,} customers; loaded with COPY in {time.perf_counter() - started:.0f} s"
    ]
    lines += await _queries(db, connect, size, samples)
    conn = await connect()
    lines += await _month_end(db, conn)
    lines += await _reconciliation(db, conn)
    await conn.close()
    await db.dispose()
    reference_before = reference_ms()
    lines += await _consumption(infra)
    lines.append(
        f"machine: {os.cpu_count()} CPUs shared by the consumer, PostgreSQL and Kafka, load "
        f"average {os.getloadavg()[0]:.1f} at the end; a reference loop took "
        f"{reference_before:.0f} ms of CPU before the consumption run, {reference_ms():.0f} ms "
        "after (its speed varies with what else the host runs)"
    )
    return lines
