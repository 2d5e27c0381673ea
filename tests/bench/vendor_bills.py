"""The vendor-bill part of the invoicing benchmark: import and code many vendor-bill lines
against many jobs, and how right the coding suggestions are.

Generated data: 100 vendors, each with its own account for some categories; a history of 30
posted lines per vendor; then `lines` imported lines, uncoded, in bills of five. Most name their
ticket in the text. A documented share is messy (MESSY, 15%): a typo in a word, shouting
capitals, extra words, or text no earlier line had ("Service per agreement"). The suggestion is
right when its account is the one the generator meant; a line is auto-coded wrong when it was
coded without a person to another account, category or ticket."""

import csv
import io
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import insert, select

from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.costs import Vendor, VendorBill, VendorBillLine
from services.invoicing.models.tickets import Ticket
from services.invoicing.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.service import Service
from shared.settings import PlatformSettings
from tests.bench import BenchInfra, reference_ms
from tests.support import SECRET

MESSY = 0.15
VENDORS = 100
HISTORY_PER_VENDOR = 30
TEXTS = {
    "labor": ["Welder labor", "Crew hours", "Technician labor", "Roustabout crew"],
    "trucking": ["Vac truck haul", "Hauling fluids", "Transport load", "Freight to site"],
    "disposal": ["Disposal fee", "SWD disposal", "Landfill tipping fee", "Waste disposal"],
    "parts": ["Valve kit", "Seal kit", "Pipe fittings", "Filter parts"],
    "equipment": ["Generator rental", "Crane rental", "Light tower rental", "Equipment rental"],
}
ACCOUNTS = {"labor": "5100", "trucking": "5200", "disposal": "5300", "parts": "5400"}


def _profile(rng: random.Random) -> dict[str, str]:
    """A vendor's categories and the account it codes each to (equipment varies by vendor)."""
    categories = rng.sample(sorted(TEXTS), rng.choice([1, 2, 3]))
    return {c: ACCOUNTS.get(c) or rng.choice(["5500", "6100"]) for c in categories}


def _messy(rng: random.Random, text: str) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        words = text.split()
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        return " ".join(words)
    if kind == 1:
        return text.upper()
    if kind == 2:
        return f"{text} misc per quote #{rng.randrange(1000)}"
    return rng.choice(["Service per agreement", "Monthly charge", "Invoice balance"])


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(2_000, 500_000)) / 100


async def vendor_bill_import(infra: BenchInfra, *, lines: int, jobs: int) -> list[str]:
    rng = random.Random(18)
    name = "bench_vendor_bills"
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
    await service.prepare()
    headers = {"Authorization": f"Bearer {tokens.mint('bench', [Role.AR_COORDINATOR])}"}
    customers = [uuid.uuid4() for _ in range(500)]
    numbers = [f"T-{100000 + i}" for i in range(jobs)]
    vendors = [
        {"id": uuid.uuid4(), "name": f"Vendor {i}", "created_by": "bench", "profile": _profile(rng)}
        for i in range(VENDORS)
    ]
    async with service.db.transaction() as session:
        await session.execute(
            insert(BillingAccount),
            [
                {
                    "id": c,
                    "revision": 1,
                    "account_number": f"V{i:05d}",
                    "legal_name": f"Customer {i}",
                    "status": "active",
                    "credit_hold": False,
                    "currency": "USD",
                    "business_district": "permian",
                    "payment_terms": {"kind": "net", "days": 30},
                    "billing_profile": {},
                    "addresses": [],
                    "exemption_certificates": [],
                }
                for i, c in enumerate(customers)
            ],
        )
        closed = datetime(2026, 11, 2, tzinfo=UTC)
        ticket_rows = [
            {
                "id": uuid.uuid4(),
                "source_system": "bench",
                "ticket_number": number,
                "customer_id": customers[i % len(customers)],
                "currency": "USD",
                "business_district": "permian",
                "closed_at": closed,
                "lines": [],
                "amount": Decimal(0),
                "status": "ready",
                "hold_reasons": [],
            }
            for i, number in enumerate(numbers)
        ]
        for start in range(0, len(ticket_rows), 10_000):
            await session.execute(insert(Ticket), ticket_rows[start : start + 10_000])
        await session.execute(
            insert(Vendor), [{k: v for k, v in x.items() if k != "profile"} for x in vendors]
        )
        bills, history = [], []
        for vendor in vendors:
            for n in range(HISTORY_PER_VENDOR):
                category = rng.choice(sorted(vendor["profile"]))
                amount = _amount(rng)
                bill_id = uuid.uuid4()
                bills.append(
                    {
                        "id": bill_id,
                        "vendor_id": vendor["id"],
                        "number": f"H-{n}",
                        "bill_date": date(2026, 9, 1) + timedelta(days=n),
                        "currency": "USD",
                        "total": amount,
                        "status": "posted",
                        "possible_duplicates": [],
                        "created_by": "bench",
                    }
                )
                history.append(
                    {
                        "id": uuid.uuid4(),
                        "bill_id": bill_id,
                        "line": 1,
                        "description": rng.choice(TEXTS[category]),
                        "amount": amount,
                        "account": vendor["profile"][category],
                        "cost_category": category,
                        "billable": False,
                        "auto_coded": False,
                        "billed_amount": Decimal(0),
                    }
                )
        await session.execute(insert(VendorBill), bills)
        await session.execute(insert(VendorBillLine), history)

    truth: dict[tuple[str, str, int], tuple[str, str, str | None, bool]] = {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["vendor", "bill_number", "bill_date", "currency", "bill_total", "description", "amount"]
    )
    messy_count = 0
    for b in range(0, lines, 5):
        vendor = rng.choice(vendors)
        number = f"B-{b}"
        rows = []
        for n in range(min(5, lines - b)):
            category = rng.choice(sorted(vendor["profile"]))
            text = rng.choice(TEXTS[category])
            ticket = rng.choice(numbers) if rng.random() < 0.8 else None
            messy = rng.random() < MESSY
            if messy:
                messy_count += 1
                text = _messy(rng, text)
            if ticket:
                text = f"{text} {ticket}"
            rows.append((text, _amount(rng)))
            truth[(vendor["name"], number, n + 1)] = (
                vendor["profile"][category],
                category,
                ticket,
                messy,
            )
        total = sum(amount for _, amount in rows)
        day = (date(2026, 11, 1) + timedelta(days=b % 25)).isoformat()
        for text, amount in rows:
            writer.writerow([vendor["name"], number, day, "USD", total, text, amount])
    content = out.getvalue().encode()

    reference = reference_ms()
    transport = httpx.ASGITransport(app=service.app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=3600
        ) as api:
            started = time.perf_counter()
            response = await api.post(
                "/v1/vendor-bills/import",
                files={"file": ("bills.csv", content, "text/csv")},
                headers=headers,
            )
            elapsed = time.perf_counter() - started
            assert response.status_code == 201, response.text[:2000]
            result = response.json()
        async with service.db.transaction() as session:
            coded = (
                await session.execute(
                    select(
                        Vendor.name,
                        VendorBill.number,
                        VendorBillLine.line,
                        VendorBillLine.account,
                        VendorBillLine.cost_category,
                        VendorBillLine.ticket_id,
                        VendorBillLine.auto_coded,
                        VendorBillLine.suggestion,
                    )
                    .join(VendorBill, VendorBill.id == VendorBillLine.bill_id)
                    .join(Vendor, Vendor.id == VendorBill.vendor_id)
                    .where(VendorBill.number.like("B-%"))  # type: ignore[attr-defined]
                )
            ).all()
    finally:
        await service.db.dispose()
    tickets_by_id = {row["id"]: row["ticket_number"] for row in ticket_rows}
    right = right_messy = auto = auto_wrong = 0
    for vendor_name, number, line, account, category, ticket_id, auto_coded, suggestion in coded:
        want_account, want_category, want_ticket, messy = truth[(vendor_name, number, line)]
        if (suggestion or {}).get("account") == want_account:
            right += 1
            right_messy += messy
        if auto_coded:
            auto += 1
            got_ticket = tickets_by_id.get(ticket_id) if ticket_id else None
            if (account, category) != (want_account, want_category) or (
                want_ticket is not None and got_ticket != want_ticket
            ):
                auto_wrong += 1
    total_lines = len(coded)
    return [
        f"vendor-bill import: {result['lines']} lines in {result['imported']} bills of "
        f"{VENDORS} vendors against {jobs} tickets, uncoded, coded from suggestions",
        f"  import and code: {elapsed:.1f} s, {total_lines / elapsed:.0f} lines/s "
        "(target: under 10 s)",
        f"  suggestion right (account): {right / total_lines:.1%} of {total_lines} lines "
        f"(target: >= 90%); on the {messy_count} messy lines ({MESSY:.0%} generated): "
        f"{right_messy / max(messy_count, 1):.1%}",
        f"  auto-coded (confidence >= {settings.coding_auto_threshold}): {auto} lines "
        f"({auto / total_lines:.1%}), of them wrong: {auto_wrong} (target: 0)",
        f"  reference loop: {reference:.0f} ms (this machine's speed at the time)",
    ]
