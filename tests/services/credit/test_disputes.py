"""Credit's view of a disputed balance, from collections' dispute events: shown on the account
and in exposure (still owed, so still exposure), and an invoice disputed in full is no reason for
a past-due hold until the dispute is resolved for the company."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.collections import Department, DisputeOpened, DisputeOutcome, DisputeResolved
from tests.services.credit.conftest import TODAY, Call, body, published_eventually
from tests.services.credit.feed import Books, publish


def _opened(books: Books, invoice_id: uuid.UUID | None, amount: str) -> DisputeOpened:
    return DisputeOpened(
        dispute_id=uuid.uuid4(),
        customer_id=books.customer_id,
        invoice_id=invoice_id,
        currency="USD",
        amount=Decimal(amount),
        reason="Hours disputed",
        department=Department.OPERATIONS,
        opened_on=TODAY,
    )


def _resolved(opened: DisputeOpened, outcome: DisputeOutcome) -> DisputeResolved:
    return DisputeResolved(
        dispute_id=opened.dispute_id,
        customer_id=opened.customer_id,
        invoice_id=opened.invoice_id,
        resolution="Settled",
        resolved_on=TODAY,
        outcome=outcome,
    )


async def _seen(call: Call, customer_id: uuid.UUID) -> tuple[Any, Any]:
    exposure = body(await call("get", f"/v1/exposure/{customer_id}", Role.SALES), 200)
    account = body(await call("get", f"/v1/credit-accounts/{customer_id}", Role.SALES), 200)
    return exposure, account


async def test_an_invoice_disputed_in_full_holds_no_one_until_resolved_for_the_company(
    call: Call, bus: InProcessBus, customer_id: uuid.UUID
) -> None:
    books = Books(customer_id)
    line = {"credit_limit": "40000", "terms": {"kind": "net", "days": 30}, "reason": "review"}
    body(await call("put", f"/v1/credit-lines/{customer_id}", Role.CREDIT_MANAGER, json=line), 200)
    old = books.invoice("400.00", date(2026, 8, 1))  # 84 days past due
    await publish(bus, old)
    assert (await _seen(call, customer_id))[0]["on_hold"]

    part = _opened(books, old.invoice_id, "150.00")
    await publish(bus, part)
    exposure, account = await _seen(call, customer_id)
    # Part of it is disputed: the rest is still past due.
    assert (exposure["disputed"], exposure["on_hold"], account["disputed"]) == (
        "150.00",
        True,
        "150.00",
    )

    rest = _opened(books, old.invoice_id, "250.00")
    await publish(bus, rest)
    exposure, account = await _seen(call, customer_id)
    assert (exposure["open_ar"], exposure["total"], exposure["disputed"]) == (
        "400.00",
        "400.00",
        "400.00",
    )
    assert (exposure["on_hold"], exposure["days_past_due"], account["disputed"]) == (
        False,
        0,
        "400.00",
    )
    [released] = await published_eventually(bus, "credit.hold_released")
    assert released["automatic"] is True

    await publish(bus, _resolved(rest, DisputeOutcome.COMPANY))
    exposure, account = await _seen(call, customer_id)
    assert (exposure["disputed"], account["disputed"], exposure["on_hold"]) == (
        "150.00",
        "150.00",
        True,
    )
    await published_eventually(bus, "credit.hold_placed", count=2)
