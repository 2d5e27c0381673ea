"""A large bank file imported a chunk at a time records exactly what importing it one entry at a
time records: the same payments, applications, review queue, duplicates, errors, audit trail
and events."""

import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from services.payments.models import Application, Payment, Suggestion
from services.payments.service import definition as payments
from shared.auth import Role, TokenAuthority
from shared.bus import InProcessBus
from shared.events.customers import CustomerRegistered, CustomerSnapshot
from shared.settings import PlatformSettings
from shared.tables import AuditEntry, OutboxMessage
from tests.conftest import AuthHeaders
from tests.services.customer_events import customer, deliver
from tests.services.payments.events import deliver_invoicing, invoice
from tests.services.payments.nacha_files import Batch, Entry, nacha_file
from tests.support import running_service

INVOICES = 150


def _file() -> bytes:
    """1,000 credits: invoices paid in full, some twice (the second waits for review), unknown
    references, the same transaction sent again within a chunk and across chunks, and a batch
    of debits (reported, not recorded)."""
    entries = []
    for n in range(1_000):
        serial = n % (INVOICES + 20)  # the last 20 name no invoice
        amount = Decimal(100 + serial).quantize(Decimal("0.01"))
        entries.append(Entry(amount, f"12200066{n:07d}", individual_id=f"INV-{serial:05d}"))
    # Sent again in the chunk of the first, and in a later chunk.
    for repeat_of, later in ((3, 10), (150, 60), (600, 10), (900, 60)):
        again = entries[repeat_of]
        entries.insert(repeat_of + later, Entry(again.amount, again.trace, again.individual_id))
    batches = [
        Batch(f"PAYER {start // 500}", f"99999{start // 500:05d}", entries[start : start + 500])
        for start in range(0, len(entries), 500)
    ]
    batches.append(
        Batch("DEBITS", "8888888888", [Entry(Decimal("5.00"), "122000669999999", code="27")])
    )
    return nacha_file(batches)


async def _import_and_describe(
    folder: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    auth: AuthHeaders,
    payer: CustomerSnapshot,
    content: bytes,
) -> dict[str, Any]:
    folder.mkdir()
    bus = InProcessBus()
    async with running_service(payments, folder, platform, tokens, bus) as service:
        await deliver(bus, CustomerRegistered(customer=payer))
        await deliver_invoicing(
            bus,
            *(
                invoice(payer, f"INV-{serial:05d}", f"{100 + serial}.00")
                for serial in range(INVOICES)
            ),
        )
        transport = httpx.ASGITransport(app=service.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
            response = await api.post(
                "/v1/bank-files",
                files={"file": ("big.ach", content)},
                headers=auth(Role.INTEGRATION),
            )
        assert response.status_code == 201, response.text
        imported = response.json()
        async with service.db.transaction() as session:
            recorded = (await session.exec(select(Payment).order_by(col(Payment.file_line)))).all()
            line_of = {p.id: p.file_line for p in recorded}
            applications = (await session.exec(select(Application))).all()
            suggestions = (await session.exec(select(Suggestion))).all()
            audit = (await session.exec(select(AuditEntry))).all()
            events = (await session.exec(select(OutboxMessage))).all()
    return {
        "payments": [
            (
                p.file_line,
                p.amount,
                p.status,
                p.unapplied,
                p.customer_id,
                p.received_on,
                p.bank_reference,
                p.reference,
            )
            for p in recorded
        ],
        "response_payments": [line_of[p.id] for p in recorded if str(p.id) in imported["payments"]],
        "applications": sorted(
            (line_of[a.payment_id], a.invoice_number, a.amount, a.discount, a.status)
            for a in applications
            if a.payment_id
        ),
        "suggestions": sorted(
            (line_of[s.payment_id], s.status, str(s.customer_id), s.amount, s.explanation)
            for s in suggestions
        ),
        "duplicates": [
            (d["line"], d["bank_reference"], line_of[uuid.UUID(d["earlier_payment_id"])])
            for d in imported["duplicates"]
        ],
        "errors": imported["errors"],
        "audit": Counter((a.action, a.entity_type) for a in audit),
        "events": Counter(e.event_type for e in events),
    }


async def test_a_file_imported_in_chunks_records_what_one_at_a_time_records(
    tmp_path: Path,
    platform: PlatformSettings,
    tokens: TokenAuthority,
    auth: AuthHeaders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content, payer = _file(), customer()
    monkeypatch.setenv("AR_PAYMENTS_BANK_FILE_CHUNK_ENTRIES", "1")
    one_at_a_time = await _import_and_describe(
        tmp_path / "one", platform, tokens, auth, payer, content
    )
    monkeypatch.setenv("AR_PAYMENTS_BANK_FILE_CHUNK_ENTRIES", "50")
    in_chunks = await _import_and_describe(
        tmp_path / "chunks", platform, tokens, auth, payer, content
    )

    assert len(one_at_a_time["payments"]) == 1_000
    assert len(one_at_a_time["duplicates"]) == 4
    assert one_at_a_time["errors"] and one_at_a_time["suggestions"]
    assert one_at_a_time["applications"]
    for what, recorded in one_at_a_time.items():
        assert in_chunks[what] == recorded, what
