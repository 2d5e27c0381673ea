"""The payments service itself on PostgreSQL: a 1,000-check lockbox file imported through the API
against 20,000 open invoices, every check recorded, matched and applied (or queued) with its
events written to the outbox, in one request. Reported: the time and the checks per second."""

import csv
import io
import random
import time
import uuid
from datetime import date
from decimal import Decimal

import httpx
from sqlmodel import func, select

from services.payments.handlers import keys_of
from services.payments.models import Application, OpenItem, Payer, Suggestion
from services.payments.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.settings import PlatformSettings
from tests.bench import BenchInfra
from tests.bench.report import scaled
from tests.support import SECRET, running_service

CUSTOMERS = scaled(500)
INVOICES = scaled(20_000)
CHECKS = scaled(1_000)
SEED = 7


def _seed(rng: random.Random) -> tuple[list[Payer], list[OpenItem]]:
    payers = [
        Payer(
            id=uuid.uuid4(),
            revision=1,
            account_number=f"C{i:06d}",
            legal_name=f"Bench Customer {i} LLC",
            status="active",
            currency="USD",
        )
        for i in range(1, CUSTOMERS + 1)
    ]
    items = []
    for serial in range(1, INVOICES + 1):
        number = f"INV-2026-{serial:06d}"
        total = Decimal(rng.randint(5_000, 2_500_000)).scaleb(-2)
        number_key, serial_key = keys_of(number)
        items.append(
            OpenItem(
                id=uuid.uuid4(),
                number=number,
                number_key=number_key,
                serial_key=serial_key,
                customer_id=rng.choice(payers).id,
                currency="USD",
                invoice_date=date(2026, 10, 1),
                due_date=date(2026, 10, 31),
                total=total,
                balance=total,
            )
        )
    return payers, items


def _lockbox(rng: random.Random, payers: list[Payer], items: list[OpenItem]) -> bytes:
    """One check per payer visit, paying one to three of its invoices, references often mangled."""
    by_customer: dict[uuid.UUID, list[OpenItem]] = {}
    for item in items:
        by_customer.setdefault(item.customer_id, []).append(item)
    account = {p.id: p.account_number for p in payers}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "batch",
            "check_number",
            "check_amount",
            "deposit_date",
            "payer_name",
            "payer_account",
            "invoice_number",
            "amount_paid",
            "currency",
        ]
    )
    for check in range(1, CHECKS + 1):
        customer = rng.choice(payers).id
        paid = [
            by_customer[customer].pop()
            for _ in range(min(rng.randint(1, 3), len(by_customer[customer])))
        ]
        amount = sum((i.balance for i in paid), Decimal(0))
        for item in paid:
            reference = rng.choice(
                [item.number, item.number.removeprefix("INV-"), item.number.replace("-0", "-")]
            )
            writer.writerow(
                [
                    f"B{check // 100}",
                    check,
                    amount,
                    "2026-11-05",
                    "",
                    account[customer],
                    reference,
                    item.balance,
                    "USD",
                ]
            )
    return out.getvalue().encode()


async def run(infra: BenchInfra) -> list[str]:
    rng = random.Random(SEED)
    infra.postgres.create_database("bench_payments_service")
    platform = PlatformSettings(auth_secret=SECRET, relay_interval_seconds=0.05)
    tokens = TokenAuthority(SECRET)
    async with running_service(
        definition,
        infra.workdir,
        platform,
        tokens,
        InProcessBus(),
        database_url=infra.postgres.url("bench_payments_service"),
    ) as service:
        payers, items = _seed(rng)
        content = _lockbox(rng, payers, items)
        async with service.db.transaction() as session:
            session.add_all(payers)
            session.add_all(items)
        headers = {"Authorization": f"Bearer {tokens.mint('bench', [Role.INTEGRATION])}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service.app), base_url="http://bench", timeout=600
        ) as api:
            started = time.perf_counter()
            response = await api.post(
                "/v1/bank-files", files={"file": ("lockbox.csv", content)}, headers=headers
            )
            elapsed = time.perf_counter() - started
        response.raise_for_status()
        imported = response.json()
        async with service.db.transaction() as session:
            automatic = (
                await session.exec(
                    select(func.count()).select_from(Application).where(Application.automatic)
                )
            ).one()
            queued = (await session.exec(select(func.count()).select_from(Suggestion))).one()
    return [
        f"{len(imported['payments'])} checks of a lockbox file against {INVOICES} open invoices of "
        f"{CUSTOMERS} customers on PostgreSQL: {elapsed:.1f} s in one request "
        f"({len(imported['payments']) / elapsed:.0f} checks per second, each recorded, matched, "
        "applied or queued, audited and published)",
        f"{automatic} invoices applied automatically; {queued} checks in the review queue; "
        f"{len(imported['errors'])} unreadable lines",
    ]
