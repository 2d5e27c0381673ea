"""Bank files through the payments API on PostgreSQL: a 100,000-entry NACHA file and a
50,000-transaction camt.053 statement, each imported in one request against 20,000 open invoices
(every entry recorded, matched, applied or queued, audited and published).

Reported for each: the reader alone on the full file (in its own process, as the service reads
it: time and peak memory), the import (time, entries per second, the server process's peak
memory) and the event loop's longest stall during the import, measured by a ticker task that
records the largest gap between its wake-ups (targets: under 30 s, under 100 ms).
`AR_BENCH_BANK_FILE_SHARE` (0 < share <= 1, default 1) imports that share of the entries on a
loaded host; the reader is always timed on the full file.
"""

import asyncio
import os
import random
import resource
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from services.payments.commands.bank_imports import _PROCESSES
from services.payments.domain.bank_files.model import LockboxLayout
from services.payments.domain.bank_files.reading import BankFileFormat, read_bank_file
from services.payments.models import OpenItem, Payer
from services.payments.service import definition
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.settings import PlatformSettings
from tests.bench import BenchInfra, reference_ms
from tests.bench.bench_payments_service import _seed
from tests.services.payments.camt_files import Credit, camt053
from tests.services.payments.nacha_files import Batch, Entry, nacha_file
from tests.support import SECRET, running_service

NACHA_ENTRIES = 100_000
CAMT_TRANSACTIONS = 50_000
PER_BATCH = 1_000
SEED = 11


def _payments(
    rng: random.Random, payers: list[Payer], items: list[OpenItem], count: int
) -> list[tuple[Payer, OpenItem | None, Decimal]]:
    """Who pays what: open invoices paid in full, then (once they run out) amounts for review."""
    by_customer = {p.id: p for p in payers}
    open_items = list(items)
    rng.shuffle(open_items)
    paid = []
    for n in range(count):
        if n < len(open_items):
            item = open_items[n]
            paid.append((by_customer[item.customer_id], item, item.balance))
        else:
            paid.append((rng.choice(payers), None, Decimal(rng.randint(100, 90_000)).scaleb(-2)))
    return paid


def _nacha(paid: list[tuple[Payer, OpenItem | None, Decimal]]) -> bytes:
    batches = []
    for start in range(0, len(paid), PER_BATCH):
        entries = [
            Entry(
                amount,
                f"12200066{start + n:07d}",
                individual_id=item.number if item else f"ADV{start + n}",
            )
            for n, (_, item, amount) in enumerate(paid[start : start + PER_BATCH])
        ]
        # A payment processor originates for many payers: the invoice names who paid.
        batches.append(Batch("BENCH PROCESSOR", "9999999999", entries))
    return nacha_file(batches)


def _camt(paid: list[tuple[Payer, OpenItem | None, Decimal]]) -> bytes:
    return camt053(
        [
            Credit(
                amount,
                f"CAMT-{n:07d}",
                debtor=payer.legal_name,
                remittance=item.number if item else "",
            )
            for n, (payer, item, amount) in enumerate(paid)
        ]
    )


def _read_and_measure(content: bytes, file_format: BankFileFormat, connection: Any) -> None:
    started = time.perf_counter()
    parsed = read_bank_file(content, file_format, LockboxLayout(), "USD")
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    connection.send((took, peak, len(parsed.receipts)))


async def _reader(content: bytes, file_format: BankFileFormat) -> tuple[float, int, int]:
    """The reader on the file in a process of its own, as the service runs it."""

    def read() -> tuple[float, int, int]:
        receiving, sending = _PROCESSES.Pipe(duplex=False)
        process = _PROCESSES.Process(target=_read_and_measure, args=(content, file_format, sending))
        process.start()
        sending.close()
        try:
            return receiving.recv()  # type: ignore[no-any-return]
        finally:
            process.join()

    return await asyncio.to_thread(read)


async def _longest_stall(stop: asyncio.Event) -> float:
    """The largest gap between wake-ups of a task that asks to wake every millisecond."""
    longest, last = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        longest, last = max(longest, now - last - 0.001), now
    return longest


async def _import(
    infra: BenchInfra,
    name: str,
    make: Callable[[list[tuple[Payer, OpenItem | None, Decimal]]], bytes],
    full: int,
    share: float,
    file_format: BankFileFormat,
) -> list[str]:
    rng = random.Random(SEED)
    payers, items = _seed(rng)
    full_file = make(_payments(rng, payers, items, full))
    read_s, read_peak, read_count = await _reader(full_file, file_format)
    count = max(1, int(full * share))
    content = (
        full_file if count == full else make(_payments(random.Random(SEED), payers, items, count))
    )
    database = f"bench_bank_files_{name}"
    infra.postgres.create_database(database)
    platform = PlatformSettings(auth_secret=SECRET, relay_interval_seconds=0.05)
    tokens = TokenAuthority(SECRET)
    async with running_service(
        definition,
        infra.workdir,
        platform,
        tokens,
        InProcessBus(),
        database_url=infra.postgres.url(database),
    ) as service:
        async with service.db.transaction() as session:
            session.add_all(payers)
            session.add_all(items)
        headers = {"Authorization": f"Bearer {tokens.mint('bench', [Role.INTEGRATION])}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service.app), base_url="http://bench", timeout=7200
        ) as api:
            stop = asyncio.Event()
            ticker = asyncio.create_task(_longest_stall(stop))
            started = time.perf_counter()
            response = await api.post(
                "/v1/bank-files", files={"file": (name, content)}, headers=headers
            )
            elapsed = time.perf_counter() - started
            stop.set()
            stall = await ticker
    response.raise_for_status()
    imported = response.json()
    recorded = len(imported["payments"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    lines = [
        f"{name}: the reader alone on the full file ({len(full_file) / 2**20:.1f} MiB, "
        f"{read_count} receipts): {read_s:.1f} s, peak memory {read_peak / 2**20:.0f} MiB",
        f"{name}: {recorded} of {count} entries imported in one request on PostgreSQL in "
        f"{elapsed:.1f} s ({recorded / elapsed:.0f} per second), "
        f"{len(imported['errors'])} errors, {len(imported['duplicates'])} duplicates; "
        f"server process peak memory {peak / 2**20:.0f} MiB",
        f"{name}: the event loop's longest stall during the import: {stall * 1000:.0f} ms",
    ]
    if count < full:
        rate = recorded / elapsed
        lines.append(f"{name}: the full {full} entries at that rate would take {full / rate:.0f} s")
    return lines


async def run(infra: BenchInfra) -> list[str]:
    share = float(os.environ.get("AR_BENCH_BANK_FILE_SHARE", "1"))
    if not 0 < share <= 1:
        raise SystemExit("AR_BENCH_BANK_FILE_SHARE is a share: more than 0, at most 1")
    # The full camt statement is larger than the default upload bound.
    os.environ.setdefault("AR_PAYMENTS_MAX_BANK_FILE_BYTES", str(200 * 2**20))
    load = os.getloadavg()
    lines = [
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, reference loop "
        f"{reference_ms():.0f} ms, share imported {share:g}"
    ]
    lines += await _import(infra, "nacha", _nacha, NACHA_ENTRIES, share, BankFileFormat.NACHA)
    lines += await _import(infra, "camt053", _camt, CAMT_TRANSACTIONS, share, BankFileFormat.CAMT)
    return lines
