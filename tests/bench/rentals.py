"""The rentals part of the invoicing benchmark: a month-end cycle run over many active contract
lines (one consolidated invoice per customer) beside plain asyncpg COPY of the rows it wrote;
the as-of "on rent" report over many assets with a year of moves; the rate engine's charges
per second.

Generated data: one contract per customer, its lines spread over the year (on rent since
January to mid-November), a half on calendar months in arrears, a quarter on 28-day cycles in
advance, a quarter on monthly anniversaries in arrears; the cycles due before November billed
already (their charge rows written as earlier runs would have); one line in twenty back in
November with a pick-up charge. Every line has a damage waiver and an environmental fee."""

import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from sqlalchemy import insert, text

from services.invoicing.domain.rentals.contracts import Billed, due_charges
from services.invoicing.domain.rentals.rates import RateTable, charge
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.rentals import (
    RentalAsset,
    RentalCharge,
    RentalContract,
    RentalLine,
)
from services.invoicing.queries.rentals import terms_of
from services.invoicing.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.service import Service
from shared.settings import PlatformSettings
from tests.bench import BenchInfra
from tests.support import SECRET

# The rows a rental run writes, copied for the COPY baseline.
WRITTEN = ("invoices", "journal_entries", "outbox", "audit_log", "rental_charges")
CUT_OFF = date(2026, 11, 30)
BILLED_BEFORE = date(2026, 10, 31)
CYCLES = ("calendar_month", "calendar_month", "28_day", "monthly_anniversary")


def _service(infra: BenchInfra, name: str) -> tuple[Service, dict[str, str]]:
    infra.postgres.create_database(name)
    settings = definition.settings_class(database_url=infra.postgres.url(name))  # type: ignore[call-arg]
    tokens = TokenAuthority(SECRET)
    service = Service(
        definition,
        settings=settings,
        platform=PlatformSettings(auth_secret=SECRET),
        bus=InProcessBus(),
        tokens=tokens,
        owns_bus=True,
    )
    return service, {"Authorization": f"Bearer {tokens.mint('bench', [Role.AR_COORDINATOR])}"}


def _contracts(accounts: list[dict[str, Any]], address: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid.uuid4(),
            "contract_number": f"RC{i:06d}",
            "customer_id": account["id"],
            "currency": "USD",
            "business_district": "permian",
            "job_site": "Yard 4",
            "job_site_address": address,
            "po_number": None,
            "sales_rep": "rep",
            "cycle": CYCLES[i % 4],
            "timing": "advance" if CYCLES[i % 4] == "28_day" else "arrears",
            "proration_start": "rate_engine",
            "proration_end": "rate_engine",
            "damage_waiver_percent": Decimal(10),
            "created_by": "bench",
        }
        for i, account in enumerate(accounts)
    ]


def _line(i: int, contract: dict[str, Any], number: int) -> dict[str, Any]:
    # Calendar-month lines may start in November; the others were out by October, so that
    # each has a cycle due at the November month end.
    latest = 314 if contract["cycle"] == "calendar_month" else 290
    on_rent = date(2026, 1, 5) + timedelta(days=(i * 37) % latest)
    back = on_rent < date(2026, 11, 1) and i % 20 == 7
    return {
        "id": uuid.uuid4(),
        "contract_id": contract["id"],
        "line_number": number,
        "asset_id": None,
        "asset_class": "frac tank 500 bbl",
        "quantity": 1 + i % 3,
        "description": "frac tank 500 bbl",
        "daily": Decimal("45.00") + i % 7,
        "weekly": Decimal("180.00"),
        "four_weeks": Decimal("560.00"),
        "monthly": Decimal("600.00") if i % 2 else None,
        "minimum": Decimal(0),
        "month_days": 30,
        "delivery_charge": Decimal("150.00"),
        "pickup_charge": Decimal("150.00"),
        "environmental_fee": Decimal("15.00"),
        "meter": None,
        "meter_hours": None,
        "on_rent_date": on_rent,
        "off_rent_date": date(2026, 11, 10 + i % 15) if back else None,
        "settled": False,
    }


def _billed_before(line: dict[str, Any], contract: dict[str, Any]) -> list[dict[str, Any]]:
    """The charge rows of the cycles earlier runs billed (none of them yet off rent)."""
    row, deal = RentalLine(**{**line, "off_rent_date": None}), RentalContract(**contract)
    return [
        {
            "id": uuid.uuid4(),
            "line_id": line["id"],
            "contract_id": contract["id"],
            "customer_id": contract["customer_id"],
            "cycle_number": c.cycle_number,
            "kind": c.kind.value,
            "amount": c.amount,
            "description": c.description,
            "billed_through": c.billed_through,
            "invoice_id": None,
            "billing_run_id": None,
        }
        for c in due_charges(terms_of(row, deal), Billed(), BILLED_BEFORE)
    ]


async def _copy_baseline(dsn: str) -> tuple[int, float]:
    """COPY the rows the run wrote again, into empty tables with the same indexes and
    constraints: the floor the run's writes could reach."""
    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg", "postgresql"))
    try:
        copies = {}
        for table in WRITTEN:
            await conn.execute(f"CREATE TABLE plain_{table} (LIKE {table} INCLUDING ALL)")
            where = " WHERE billing_run_id IS NOT NULL" if table == "rental_charges" else ""
            copies[table] = await conn.fetch(f"SELECT * FROM {table}{where}")
        rows = sum(len(r) for r in copies.values())
        started = time.perf_counter()
        async with conn.transaction():
            for table, records in copies.items():
                if records:
                    await conn.copy_records_to_table(
                        f"plain_{table}",
                        records=[tuple(r.values()) for r in records],
                        columns=list(records[0].keys()),
                    )
        return rows, time.perf_counter() - started
    finally:
        await conn.close()


async def cycle_run(
    infra: BenchInfra,
    *,
    customers: int,
    lines: int,
    accounts: list[dict[str, Any]],
    address: dict[str, Any],
    set_up_tax: Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[None]],
) -> list[str]:
    """`accounts` are billing-account rows (their grouping is set to consolidated here);
    `set_up_tax(api, headers)` puts the jurisdictions in place."""
    service, headers = _service(infra, f"bench_rentals_{lines}")
    await service.prepare()  # migrate only: no relay competes with the run for the database
    for account in accounts:
        account["billing_profile"]["grouping"] = "consolidated"
    contracts = _contracts(accounts, address)
    rows = [_line(i, contracts[i % customers], i // customers + 1) for i in range(lines)]
    by_id = {c["id"]: c for c in contracts}
    earlier = [c for r in rows for c in _billed_before(r, by_id[r["contract_id"]])]
    transport = httpx.ASGITransport(app=service.app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=3600
        ) as api:
            await set_up_tax(api, headers)
            async with service.db.transaction() as session:
                await session.execute(insert(BillingAccount), accounts)
                await session.execute(insert(RentalContract), contracts)
                for start in range(0, len(rows), 10_000):
                    await session.execute(insert(RentalLine), rows[start : start + 10_000])
                for start in range(0, len(earlier), 10_000):
                    await session.execute(insert(RentalCharge), earlier[start : start + 10_000])
            async with service.db.transaction() as session:
                await session.exec(text("ANALYZE"))
            started = time.perf_counter()
            response = await api.post(
                "/v1/billing-runs",
                headers=headers,
                json={
                    "districts": ["permian"],
                    "cut_off": str(CUT_OFF),
                    "invoice_date": str(CUT_OFF),
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
        written, plain = await _copy_baseline(service.settings.database_url)  # type: ignore[attr-defined]
    finally:
        await service.db.dispose()
    assert issued == customers, (issued, customers, run["exceptions"][:3])
    return [
        f"month-end cycle run: {lines} contract lines of {customers} customers"
        f" ({len(earlier)} charge rows of earlier cycles) -> {issued} issued invoices",
        f"  run: {total:.1f} s = drafting {drafted - started:.1f} s"
        f" + issuing {finished - drafted:.1f} s; {lines / total:.0f} lines/s (target: under 60 s)",
        f"  plain asyncpg COPY of the same {written} rows (invoices, journal, outbox, audit,"
        f" rental charges, into tables with the same indexes): {plain:.1f} s;"
        f" the run takes {total / plain:.1f}x that (target: under 10x)",
    ]


async def on_rent_report(infra: BenchInfra, assets: int) -> list[str]:
    """Every asset goes out and comes back about twice a month for a year."""
    service, headers = _service(infra, f"bench_assets_{assets}")
    await service.prepare()
    customers = [uuid.uuid4() for _ in range(200)]
    registered = date(2025, 12, 1)
    asset_rows, event_rows = [], []
    for i in range(assets):
        asset_id = f"A{i:06d}"
        asset_rows.append(
            {
                "asset_id": asset_id,
                "serial": None,
                "asset_class": f"class {i % 12}",
                "description": "",
                "owning_district": f"d{i % 5}",
                "registered_on": registered,
            }
        )
        day = registered + timedelta(days=i % 14)  # not all in step
        for n in range(25):  # registered, then out and back twice a month for a year
            out = n % 2 == 1
            event_rows.append(
                {
                    "id": uuid.uuid4(),
                    "asset_id": asset_id,
                    "sequence": n + 1,
                    "effective_on": day,
                    "status": "on_rent" if out else "available",
                    "district": f"d{i % 5}",
                    "customer_id": customers[(i + n) % 200] if out else None,
                    "job_site": "Pad 1" if out else None,
                    "contract_id": None,
                    "note": None,
                    "recorded_by": "bench",
                    "recorded_at": datetime(2026, 1, 1, tzinfo=UTC),
                }
            )
            day += timedelta(days=14 + (i + n) % 3)
    transport = httpx.ASGITransport(app=service.app)
    try:
        async with service.db.transaction() as session:
            await session.execute(insert(RentalAsset), asset_rows)
        # A year of moves is many rows: COPY them in, the report is what is timed.
        dsn = service.settings.database_url.replace("postgresql+asyncpg", "postgresql")  # type: ignore[attr-defined]
        conn = await asyncpg.connect(dsn)
        try:
            await conn.copy_records_to_table(
                "rental_asset_events",
                records=[tuple(e.values()) for e in event_rows],
                columns=list(event_rows[0]),
            )
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=3600
        ) as api:
            times, count = [], 0
            for day in ("2026-03-15", "2026-07-01", "2026-11-20"):
                for group_by in ("customer", "district"):
                    started = time.perf_counter()
                    response = await api.get(
                        "/v1/rental-reports/on-rent",
                        params={"as_of": day, "group_by": group_by},
                        headers=headers,
                    )
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                    count = sum(g["assets_on_rent"] for g in response.json())
    finally:
        await service.db.dispose()
    return [
        f"as-of on-rent report: {assets} assets, {len(event_rows)} moves over a year;"
        f" {count} on rent on the last day asked",
        f"  per report: median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms"
        f" of {len(times)} (3 dates, per customer and per district; target: under 500 ms)",
    ]


def rate_engine() -> list[str]:
    tables = [
        RateTable(
            "USD",
            daily=Decimal(100 + i),
            weekly=Decimal(300 + i),
            four_weeks=Decimal(800 + i),
            monthly=Decimal(900 + i) if i % 2 else None,
            minimum=Decimal(150),
        )
        for i in range(200)
    ]
    started, count = time.perf_counter(), 0
    for table in tables:  # distinct tables: nothing cached between them
        for days in range(1, 366):
            charge(table, days)
            count += 1
    cold = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(3):
        for table in tables:
            for days in range(1, 366):
                charge(table, days)
    warm = 3 * count / (time.perf_counter() - started)
    return [
        f"rate engine: {cold:,.0f} charges/s over {count} spans of 1-365 days on 200 rate"
        f" tables; {warm:,.0f} charges/s pricing them again",
    ]
