"""A billing run on PostgreSQL: ready tickets of many customers turned into issued invoices
(drafting, tax, gapless numbers, journal entries, outbox events, audit), timed against plain
asyncpg inserts of the same rows; and one invoice PDF's render time. Then a vendor-bill import:
lines coded from their suggestions against many jobs, timed, with the suggestions' accuracy.

Sizes: AR_BENCH_INVOICING_TICKETS (default 100000) tickets of AR_BENCH_INVOICING_CUSTOMERS
(default 5000) customers, a quarter of them on each grouping (per ticket, per PO, per job site,
consolidated); AR_BENCH_VENDOR_BILL_LINES (default 10000) imported lines against
AR_BENCH_VENDOR_BILL_JOBS (default 50000) tickets. Rentals (tests/bench/rentals.py): a month-end
cycle run over AR_BENCH_RENTAL_LINES (default 20000) contract lines of AR_BENCH_RENTAL_CUSTOMERS
(default 2000) customers, the as-of on-rent report over AR_BENCH_RENTAL_ASSETS (default 20000)
assets, the rate engine's charges per second."""

import os
import statistics
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from sqlalchemy import insert, text

from services.invoicing.documents.pdf import render_invoice
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.invoices import Invoice
from services.invoicing.models.tickets import Ticket
from services.invoicing.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.events.customers import InvoiceGrouping
from shared.service import Service
from shared.settings import PlatformSettings
from tests.bench import BenchInfra, rentals
from tests.bench.report import Figure, record, scaled
from tests.bench.vendor_bills import vendor_bill_import
from tests.support import SECRET

GROUPINGS = list(InvoiceGrouping)
ADDRESS = {
    "kind": "job_site",
    "label": "Yard 4",
    "line1": "FM 1788",
    "city": "Midland",
    "county": "Midland",
    "region": "TX",
    "postal_code": "79706",
    "country": "US",
    "id": "00000000-0000-0000-0000-000000000001",
}
LINES = [
    {
        "kind": "labor",
        "description": "Pump technician",
        "quantity": "2.5",
        "unit": "hr",
        "unit_price": "85.00",
        "rate_code": None,
        "taxability": "labor",
        "service_line": "pumping",
        "change_order": False,
        "amount": "212.50",
    },
    {
        "kind": "parts",
        "description": "Seal kit",
        "quantity": "1",
        "unit": "ea",
        "unit_price": "120.10",
        "rate_code": None,
        "taxability": "goods",
        "service_line": "parts",
        "change_order": False,
        "amount": "120.10",
    },
]
TAX = [
    ("TX", "Texas", "state", {}, ["goods", "rental"], "0.0625"),
    (
        "TX-MIDLAND-CO",
        "Midland County",
        "county",
        {"county": "Midland"},
        ["goods", "rental"],
        "0.005",
    ),
    (
        "TX-MIDLAND-CITY",
        "City of Midland",
        "city",
        {"city": "Midland"},
        ["goods", "labor"],
        "0.015",
    ),
]
# The rows a run writes, copied for the plain-insert baseline.
WRITTEN = ("invoices", "journal_entries", "outbox", "audit_log")


def _accounts(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid.uuid4(),
            "revision": 1,
            "account_number": f"B{i:06d}",
            "legal_name": f"Bench {i} LLC",
            "status": "active",
            "credit_hold": False,
            "currency": "USD",
            "business_district": "permian",
            "sales_rep": "rep",
            "payment_terms": {
                "kind": "net",
                "days": 30,
                "discount_percent": "2",
                "discount_days": 10,
            },
            "billing_profile": {
                "grouping": GROUPINGS[i % 4].value,
                "po_required": False,
                "required_documents": [],
                "delivery_method": "email",
            },
            "addresses": [ADDRESS],
            "contacts": [],
            "exemption_certificates": [],
        }
        for i in range(count)
    ]


def _tickets(accounts: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    closed = datetime(2026, 11, 20, tzinfo=UTC)
    return [
        {
            "id": uuid.uuid4(),
            "source_system": "bench",
            "ticket_number": f"T{i:07d}",
            "customer_id": accounts[i % len(accounts)]["id"],
            "currency": "USD",
            "business_district": "permian",
            "sales_rep": "rep",
            "job_site": f"Yard {i % 3}",
            "job_site_address": None,
            "po_number": f"PO-{i % 5}",
            "closed_at": closed,
            "lines": LINES,
            "amount": Decimal("332.60"),
            "status": "ready",
            "hold_reasons": [],
        }
        for i in range(count)
    ]


async def _seed(
    service: Service, api: httpx.AsyncClient, headers: dict[str, str], customers: int, tickets: int
) -> None:
    accounts = _accounts(customers)
    async with service.db.transaction() as session:
        await session.execute(insert(BillingAccount), accounts)
        rows = _tickets(accounts, tickets)
        for start in range(0, len(rows), 10_000):
            await session.execute(insert(Ticket), rows[start : start + 10_000])
    await _seed_tax(api, headers)


async def _seed_tax(api: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for code, name, level, where, classes, rate in TAX:
        body = {"name": name, "level": level, "region": "TX", "taxable_classes": classes, **where}
        assert (
            await api.put(f"/v1/tax/jurisdictions/{code}", json=body, headers=headers)
        ).status_code == 200
        response = await api.post(
            f"/v1/tax/jurisdictions/{code}/rates",
            json={"effective_from": "2026-01-01", "rate": rate},
            headers=headers,
        )
        assert response.status_code == 201


async def _plain_inserts(dsn: str) -> tuple[int, float]:
    """Insert the rows the run wrote again, into empty copies of their tables with the same
    indexes and constraints, with asyncpg's COPY: the floor a billing run's writes could reach
    (row-by-row `executemany` would be a slower, flattering baseline)."""
    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg", "postgresql"))
    try:
        copies = {}
        for table in WRITTEN:
            await conn.execute(f"CREATE TABLE plain_{table} (LIKE {table} INCLUDING ALL)")
            copies[table] = await conn.fetch(f"SELECT * FROM {table}")
        rows = sum(len(r) for r in copies.values())
        started = time.perf_counter()
        async with conn.transaction():
            for table, records in copies.items():
                if not records:
                    continue
                await conn.copy_records_to_table(
                    f"plain_{table}",
                    records=[tuple(r.values()) for r in records],
                    columns=list(records[0].keys()),
                )
        return rows, time.perf_counter() - started
    finally:
        await conn.close()


async def _pdf_render_ms(service: Service) -> tuple[float, float, int]:
    async with service.db.transaction() as session:
        invoice = (
            await session.exec(
                text(
                    "SELECT id FROM invoices WHERE status = 'issued'"
                    " ORDER BY jsonb_array_length(lines) DESC LIMIT 1"
                )
            )
        ).scalar_one()
        invoice = await session.get(Invoice, invoice)
    company = service.settings.company  # type: ignore[attr-defined]
    times = []
    for _ in range(30):
        started = time.perf_counter()
        render_invoice(invoice, company)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), len(invoice.lines)


async def _one_size(infra: BenchInfra, customers: int, tickets: int) -> list[str]:
    name = f"bench_invoicing_{tickets}"
    infra.postgres.create_database(name)
    platform = PlatformSettings(auth_secret=SECRET)
    settings = definition.settings_class(database_url=infra.postgres.url(name))  # type: ignore[call-arg]
    tokens = TokenAuthority(SECRET)
    service = Service(
        definition,
        settings=settings,
        platform=platform,
        bus=InProcessBus(),
        tokens=tokens,
        owns_bus=True,
    )
    await service.prepare()  # migrate only: no relay competes with the run for the database
    headers = {"Authorization": f"Bearer {tokens.mint('bench', [Role.AR_COORDINATOR])}"}
    transport = httpx.ASGITransport(app=service.app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=3600
        ) as api:
            await _seed(service, api, headers, customers, tickets)
            started = time.perf_counter()
            response = await api.post(
                "/v1/billing-runs",
                headers=headers,
                json={
                    "districts": ["permian"],
                    "cut_off": "2026-11-30",
                    "invoice_date": "2026-11-30",
                },
            )
            assert response.status_code == 201, response.text
            drafted = time.perf_counter()
            run = response.json()
            response = await api.post(f"/v1/billing-runs/{run['id']}/issue", headers=headers)
            assert response.status_code == 200, response.text
            issued = response.json()["issued_count"]
            finished = time.perf_counter()
        total = finished - started
        rows, plain = await _plain_inserts(settings.database_url)
        median_ms, worst_ms, pdf_lines = await _pdf_render_ms(service)
    finally:
        await service.db.dispose()
    assert issued == run["draft_count"] and run["ticket_count"] == tickets
    record(
        Figure(
            "billing run: tickets to issued invoices",
            total,
            "s",
            f"{tickets:,} tickets of {customers:,} customers, {rows:,} rows written",
            target=30.0,
            baseline=plain,
            baseline_label="plain asyncpg COPY of the same rows",
            note="one run (target ratio <= 5x the baseline)",
        )
    )
    return [
        f"{tickets} ready tickets of {customers} customers -> {issued} issued invoices "
        f"(a quarter of the customers on each grouping)",
        f"  run: {total:.1f} s = drafting {drafted - started:.1f} s"
        f" + issuing {finished - drafted:.1f} s; "
        f"{issued / total:.0f} invoices/s, {tickets / total:.0f} tickets/s (target: under 120 s)",
        f"  plain asyncpg COPY of the same {rows} rows (invoices, journal, outbox, audit, into "
        "tables with the same indexes): "
        f"{plain:.1f} s; the run takes {total / plain:.1f}x that",
        f"  invoice PDF ({pdf_lines} lines): median {median_ms:.1f} ms,"
        f" worst {worst_ms:.1f} ms of 30 (target: under 100 ms)",
    ]


async def run(infra: BenchInfra) -> list[str]:
    tickets = int(os.environ.get("AR_BENCH_INVOICING_TICKETS", scaled(100_000)))
    customers = int(os.environ.get("AR_BENCH_INVOICING_CUSTOMERS", scaled(5_000)))
    lines = int(os.environ.get("AR_BENCH_VENDOR_BILL_LINES", scaled(10_000)))
    jobs = int(os.environ.get("AR_BENCH_VENDOR_BILL_JOBS", scaled(50_000)))
    # AR_BENCH_INVOICING_TICKETS=0 measures the vendor-bill import alone.
    billing = await _one_size(infra, customers, tickets) if tickets else []
    billing += await vendor_bill_import(infra, lines=lines, jobs=jobs)
    return billing + await _rentals(infra)


async def _rentals(infra: BenchInfra) -> list[str]:
    lines = int(os.environ.get("AR_BENCH_RENTAL_LINES", scaled(20_000)))
    customers = int(os.environ.get("AR_BENCH_RENTAL_CUSTOMERS", scaled(2_000)))
    assets = int(os.environ.get("AR_BENCH_RENTAL_ASSETS", scaled(20_000)))

    report = await rentals.cycle_run(
        infra,
        customers=customers,
        lines=lines,
        accounts=_accounts(customers),
        address=ADDRESS,
        set_up_tax=_seed_tax,
    )
    return report + await rentals.on_rent_report(infra, assets) + rentals.rate_engine()
