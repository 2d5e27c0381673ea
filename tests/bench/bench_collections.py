"""Collections' speed on PostgreSQL: aging (portfolio today, one customer, a past month end) and
DSO for a month over ITEMS open items across CUSTOMERS customers, each beside the same answer from
a straightforward SQL query over the same data; month end (a GL batch of POSTINGS journal
postings beside a plain COPY of the same rows, the AR pack of the month); and the rate the
ledger consumes events from Kafka. `python -m tests.bench collections`; AR_BENCH_ITEMS and
AR_BENCH_POSTINGS scale the data set down or up.
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
from tests.bench import BenchInfra, reference_ms
from tests.services.collections.books import Books
from tests.support import SECRET, event_message, running_service

ITEMS = int(os.environ.get("AR_BENCH_ITEMS", "1000000"))
# AR_BENCH_CUSTOMERS spreads the items over more customers (the reconciliation's 50,000 on a
# reduced data set).
CUSTOMERS = int(os.environ.get("AR_BENCH_CUSTOMERS", "0")) or max(ITEMS // 20, 1)
EVENTS = int(os.environ.get("AR_BENCH_EVENTS", "30000"))
POSTINGS = int(os.environ.get("AR_BENCH_POSTINGS", "1000000"))
# The product's business date (the company's zone), wherever the test session's clock is.
TODAY = Clock().today()
DISTRICTS = [f"district-{d}" for d in range(10)]
REPEATS = 5

# The same aging, straightforwardly: every item joined to its entries, bucketed row by row.
NAIVE_AGING = """
SELECT i.currency, CASE
    WHEN i."column" = 'credits' THEN 'credits'
    WHEN $1::date - i.due_date <= 0 THEN 'current'
    WHEN $1::date - i.due_date <= 30 THEN '1-30'
    WHEN $1::date - i.due_date <= 60 THEN '31-60'
    WHEN $1::date - i.due_date <= 90 THEN '61-90'
    WHEN $1::date - i.due_date <= 120 THEN '91-120'
    ELSE 'over_120' END AS bucket,
  SUM(e.amount)
FROM ledger_items i JOIN ledger_entries e ON e.item_id = i.id
WHERE e.entry_date <= $1 AND ($2::uuid IS NULL OR i.customer_id = $2)
GROUP BY 1, 2
"""
NAIVE_PAST_DUE = """
SELECT count(DISTINCT customer_id) AS customers, SUM(owed) AS past_due FROM (
  SELECT i.customer_id, SUM(e.amount) AS owed
  FROM ledger_items i JOIN ledger_entries e ON e.item_id = i.id
  WHERE i."column" = 'buckets' AND i.due_date < $1 AND e.entry_date <= $1
    AND i.business_district = $2
  GROUP BY i.customer_id, i.id HAVING SUM(e.amount) > 0
) AS owing_items
"""
NAIVE_DSO = """
SELECT
  (SELECT SUM(e.amount) FROM ledger_items i JOIN ledger_entries e ON e.item_id = i.id
    WHERE i.ar_control AND e.entry_date <= $2) AS ending_ar,
  (SELECT SUM(e.amount) FROM ledger_items i JOIN ledger_entries e ON e.item_id = i.id
    WHERE i.ar_control AND e.entry_date <= $2 AND e.kind IN ('invoiced', 'voided', 'credit_memo')
      AND e.entry_date >= $1) AS sales
"""


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


async def _load(conn: asyncpg.Connection) -> None:
    """ITEMS invoices over the last year (a third part paid) and an unapplied payment per
    customer, with their entries, written with COPY; positions summed as the consumer keeps them."""
    rng = random.Random(7)
    customers = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(CUSTOMERS)]
    await conn.copy_records_to_table(
        "collection_accounts",
        columns=[
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
        ],
        records=[
            (
                c,
                1,
                f"B{i:07d}",
                f"Bench {i}",
                "active",
                "USD",
                DISTRICTS[i % 10],
                f"rep-{i % 100}",
                '{"kind": "net", "days": 30}',
                "[]",
                utc_now(),
            )
            for i, c in enumerate(customers)
        ],
    )
    items: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    for n in range(ITEMS):
        i = n % CUSTOMERS
        customer, district, rep = customers[i], DISTRICTS[i % 10], f"rep-{i % 100}"
        item_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        invoiced = TODAY - timedelta(days=rng.randrange(365))
        due = invoiced + timedelta(days=30)
        amount = Decimal(rng.randrange(10_000, 1_000_000)) / 100
        balance = amount
        dims = ("USD", "buckets", True, due, invoiced, district, rep)
        entries.append(
            (uuid.uuid4(), item_id, customer, "invoiced", amount, invoiced, uuid.uuid4(), *dims)
        )
        if rng.random() < 0.33:
            paid = -(amount * Decimal("0.4")).quantize(Decimal("0.01"))
            paid_on = min(invoiced + timedelta(days=rng.randrange(60)), TODAY)
            entries.append(
                (uuid.uuid4(), item_id, customer, "paid", paid, paid_on, uuid.uuid4(), *dims)
            )
            balance += paid
        items.append(
            (
                item_id,
                customer,
                "invoice",
                f"INV-{n}",
                "USD",
                invoiced,
                due,
                district,
                rep,
                "buckets",
                True,
                amount,
                balance,
            )
        )
    for i, customer in enumerate(customers):
        item_id, received = uuid.uuid4(), TODAY - timedelta(days=rng.randrange(90))
        amount = -Decimal(rng.randrange(1_000, 100_000)) / 100
        district, rep = DISTRICTS[i % 10], f"rep-{i % 100}"
        items.append(
            (
                item_id,
                customer,
                "payment",
                None,
                "USD",
                received,
                received,
                district,
                rep,
                "credits",
                False,
                amount,
                amount,
            )
        )
        entries.append(
            (
                uuid.uuid4(),
                item_id,
                customer,
                "received",
                amount,
                received,
                uuid.uuid4(),
                "USD",
                "credits",
                False,
                received,
                received,
                district,
                rep,
            )
        )
    await conn.copy_records_to_table(
        "ledger_items",
        records=items,
        columns=[
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
        ],
    )
    await conn.copy_records_to_table(
        "ledger_entries",
        records=entries,
        columns=[
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
        ],
    )
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


async def _timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Median milliseconds of REPEATS runs after one warm-up, and the answer."""
    answer = await call()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        answer = await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


async def _queries(db: Database, conn: asyncpg.Connection, sample_customer: uuid.UUID) -> list[str]:
    lines = []
    month = Month(TODAY.year, TODAY.month).back()
    cases = [
        ("portfolio aging as of today", TODAY, None, "< 100 ms"),
        ("aging of one customer", TODAY, sample_customer, "< 10 ms"),
        (f"portfolio aging as of {month.last}", month.last, None, "< 2000 ms"),
    ]
    for label, as_of, customer, target in cases:
        query = AgingQuery(as_of=as_of, customer_id=customer)

        async def ours(query: AgingQuery = query) -> dict[tuple[str, str], Decimal]:
            async with db.transaction() as session:
                return _labelled(await aging(session, query))

        async def naive(query: AgingQuery = query) -> dict[tuple[str, str], Decimal]:
            rows = await conn.fetch(NAIVE_AGING, query.as_of, query.customer_id)
            return {(r[0], r[1]): r[2] for r in rows if r[2]}

        ms, answer = await _timed(ours)
        naive_ms, naive_answer = await _timed(naive)
        lines.append(
            f"{label}: {ms:,.1f} ms (target {target}); straightforward SQL {naive_ms:,.1f} ms; "
            f"same answer: {answer == naive_answer}"
        )

    async def dso() -> tuple[Decimal, Decimal]:
        async with db.transaction() as session:
            [kpis] = await monthly_kpis(session, month)
        return kpis.ending_ar, kpis.credit_sales

    async def naive_dso() -> tuple[Decimal, Decimal]:
        row = await conn.fetchrow(NAIVE_DSO, month.first, month.last)
        return row["ending_ar"], row["sales"]

    ms, answer = await _timed(dso)
    naive_ms, naive_answer = await _timed(naive_dso)
    lines.append(
        f"DSO for {month} (standard, countback over 12 months, best, ADD, CEI): {ms:,.1f} ms; "
        f"straightforward SQL (ending AR and sales only) {naive_ms:,.1f} ms; "
        f"same AR and sales: {answer == naive_answer}"
    )

    async def district_worklist() -> tuple[int, Decimal]:
        async with db.transaction() as session:
            rows = await worklist(session, TODAY, business_district=DISTRICTS[0])
        return len(rows), sum((r.position.past_due for r in rows), Decimal(0))

    async def naive_past_due() -> tuple[int, Decimal]:
        row = await conn.fetchrow(NAIVE_PAST_DUE, TODAY, DISTRICTS[0])
        return row["customers"], row["past_due"]

    ms, answer = await _timed(district_worklist)
    naive_ms, naive_answer = await _timed(naive_past_due)
    lines.append(
        f"worklist of one district ({answer[0]:,} customers, ranked, with disputes, promises, "
        f"payment history): {ms:,.1f} ms; straightforward SQL (past due per customer only) "
        f"{naive_ms:,.1f} ms; same customers and past due: {answer == naive_answer}"
    )
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
        district = DISTRICTS[n % len(DISTRICTS)]
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
        books = Books(district=random.choice(DISTRICTS))
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


async def _consumption(infra: BenchInfra) -> list[str]:
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
            if logged >= EVENTS or time.perf_counter() - started > 300:
                break
            await asyncio.sleep(0.2)
        round_trip = await _round_trip_ms(service.db)
    wall = time.perf_counter() - started
    span = (last - first).total_seconds() if first and last else float("nan")
    return [
        f"ledger consuming from Kafka (one consumer, PostgreSQL): {logged:,} events in "
        f"{span:.1f} s "
        f"= {logged / span:,.0f} events/s (target >= 5,000); {wall:.1f} s including start-up "
        "and group join",
        "  one transaction per partition fetch, up to six partitions at once (each locks its "
        "customers first), the batch's items and customers read in one query each, rows "
        f"written with COPY at commit; a SELECT 1 round trip to this PostgreSQL took "
        f"{round_trip:.2f} ms during the run",
    ]


async def run(infra: BenchInfra) -> list[str]:
    infra.postgres.create_database("bench_collections")
    db = Database(infra.postgres.url("bench_collections"))
    await migrations.upgrade(db, collections.migrations, collections.version_table)
    pg = infra.postgres
    conn = await asyncpg.connect(
        host=pg.host, port=pg.port, user=pg.user, database="bench_collections"
    )
    started = time.perf_counter()
    await _load(conn)
    sample = await conn.fetchval("SELECT customer_id FROM ledger_items LIMIT 1")
    counts = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM ledger_items), (SELECT count(*) FROM ledger_entries), "
        "(SELECT count(*) FROM aging_positions)"
    )
    lines = [
        f"data: {counts[0]:,} open items ({ITEMS:,} invoices), {counts[1]:,} entries, "
        f"{counts[2]:,} aging positions, {CUSTOMERS:,} customers; loaded with COPY in "
        f"{time.perf_counter() - started:.0f} s"
    ]
    lines += await _queries(db, conn, sample)
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
