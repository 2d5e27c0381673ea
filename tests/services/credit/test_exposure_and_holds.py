"""Exposure kept live from invoicing and payments events, and the holds it drives."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.invoicing import RentalAccrued
from tests.services.credit.conftest import TODAY, Call, body, published, published_eventually
from tests.services.credit.feed import Books, publish
from tests.support import eventually

MANAGER = Role.CREDIT_MANAGER
RECENT = date(2026, 11, 10)  # due 2026-12-10: not past due on TODAY


@pytest.fixture
def books(customer_id: uuid.UUID) -> Books:
    return Books(customer_id)


async def _limit(call: Call, customer_id: uuid.UUID, amount: str) -> None:
    line = {"credit_limit": amount, "terms": {"kind": "net", "days": 30}, "reason": "annual review"}
    body(await call("put", f"/v1/credit-lines/{customer_id}", MANAGER, json=line), 200)


async def _exposure(call: Call, customer_id: uuid.UUID) -> Any:
    return body(await call("get", f"/v1/exposure/{customer_id}", Role.SALES), 200)


async def test_exposure_follows_tickets_invoices_credit_memos_and_payments(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    ticket, other = books.ticket("1200.00"), books.ticket("300.00")
    await publish(bus, ticket, other)
    seen = await _exposure(call, customer_id)
    assert (seen["open_ar"], seen["unbilled_tickets"], seen["total"]) == (
        "0.00",
        "1500.00",
        "1500.00",
    )

    invoice = books.invoice("1250.00", RECENT, tickets=[ticket])  # billed with tax and fees
    await publish(bus, invoice)
    seen = await _exposure(call, customer_id)
    assert (seen["open_ar"], seen["unbilled_tickets"]) == ("1250.00", "300.00")

    await publish(
        bus, books.credit_memo(invoice, "50.00", RECENT), *books.pay(invoice, "700.00", TODAY)
    )
    seen = await _exposure(call, customer_id)
    assert (seen["open_ar"], seen["total"]) == ("500.00", "800.00")

    check = books.payment("100.00", TODAY)  # received, not applied: unapplied cash
    await publish(bus, check)
    assert (await _exposure(call, customer_id))["open_ar"] == "400.00"


async def test_cash_given_back_by_a_void_is_unapplied_credit_and_the_invoice_stays_closed(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    invoice = books.invoice("900.00", RECENT)
    payment = books.payment("900.00", TODAY)
    applied = books.apply(payment, invoice, "900.00", TODAY)
    # Payments answers the void by unapplying the cash: that must not reopen the voided invoice.
    await publish(bus, invoice, payment, applied, books.void(invoice, TODAY))
    await publish(bus, books.unapply(applied, TODAY))
    assert (await _exposure(call, customer_id))["open_ar"] == "-900.00"


async def test_cash_applied_before_its_invoice_arrives_still_settles_it(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    invoice = books.invoice("900.00", RECENT)
    payment = books.payment("1000.00", TODAY)
    # Payments' topic overtook invoicing's: the application comes before the invoice.
    await publish(bus, payment, books.apply(payment, invoice, "900.00", TODAY), invoice)
    assert (await _exposure(call, customer_id))["open_ar"] == "-100.00"


async def test_a_voided_invoice_leaves_ar_and_its_tickets_are_unbilled_again(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    ticket = books.ticket("900.00")
    invoice = books.invoice("900.00", RECENT, tickets=[ticket])
    await publish(bus, ticket, invoice, books.void(invoice, TODAY))
    seen = await _exposure(call, customer_id)
    assert (seen["open_ar"], seen["unbilled_tickets"]) == ("0.00", "900.00")


async def test_exposure_over_the_limit_holds_and_a_payment_that_cures_it_releases(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "10000")
    first, second = books.invoice("6000.00", RECENT), books.invoice("5000.00", RECENT)
    await publish(bus, first)
    assert not (await _exposure(call, customer_id))["on_hold"]

    await publish(bus, second)
    seen = await _exposure(call, customer_id)
    assert seen["on_hold"]
    assert seen["hold_reasons"] == [
        "exposure 11000.00 USD is over the credit limit of 10000.00 by 1000.00"
    ]
    [placed] = await published_eventually(bus, "credit.hold_placed")
    assert (placed["customer_id"], placed["automatic"]) == (str(customer_id), True)

    await publish(bus, *books.pay(first, "6000.00", TODAY))
    assert not (await _exposure(call, customer_id))["on_hold"]
    [released] = await published_eventually(bus, "credit.hold_released")
    assert released["automatic"] is True


async def test_an_invoice_past_the_threshold_holds_the_customer(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "40000")
    old = books.invoice("400.00", date(2026, 8, 1))  # due 2026-08-31: 84 days past due
    await publish(bus, old)
    seen = await _exposure(call, customer_id)
    assert (seen["days_past_due"], seen["on_hold"]) == (84, True)
    assert seen["hold_reasons"] == ["an open invoice is 84 days past due (hold after 60)"]


async def test_the_sweep_holds_an_account_once_time_ages_an_invoice_past_the_threshold(
    call: Call,
    bus: InProcessBus,
    books: Books,
    customer_id: uuid.UUID,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    await _limit(call, customer_id, "40000")
    await publish(bus, books.invoice("400.00", date(2026, 9, 1)))  # due 10-01: 53 days past due
    assert not (await _exposure(call, customer_id))["on_hold"]

    time_machine.shift(timedelta(days=10))

    async def held() -> bool:
        return bool((await _exposure(call, customer_id))["on_hold"])

    await eventually(held)
    [placed] = await published_eventually(bus, "credit.hold_placed")
    assert placed["reasons"] == ["an open invoice is 63 days past due (hold after 60)"]


async def test_lowering_the_limit_below_exposure_holds_at_once(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "10000")
    await publish(bus, books.invoice("8000.00", RECENT))
    await _limit(call, customer_id, "5000")
    assert (await _exposure(call, customer_id))["on_hold"]


async def test_a_hold_by_hand_stays_until_a_person_releases_it(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "10000")
    hold = {"customer_id": str(customer_id), "reason": "owner filed for bankruptcy"}
    placed = body(
        await call("post", "/v1/credit-holds", MANAGER, subject="cm-ruiz", json=hold), 201
    )
    assert (placed["automatic"], placed["placed_by"]) == (False, "cm-ruiz")
    await publish(bus, books.invoice("100.00", RECENT))  # nothing wrong with the account itself
    assert (await _exposure(call, customer_id))["on_hold"]
    assert (await call("post", "/v1/credit-holds", MANAGER, json=hold)).status_code == 409

    path = f"/v1/credit-holds/{customer_id}/release"
    released = body(await call("post", path, MANAGER, json={"reason": "debt discharged"}), 200)
    assert released["release_reason"] == "debt discharged"
    assert not (await _exposure(call, customer_id))["on_hold"]
    assert (await call("post", path, MANAGER, json={"reason": "again"})).status_code == 409
    await published_eventually(bus, "credit.hold_released")
    assert published(bus, "credit.hold_placed")[0]["automatic"] is False


async def test_holds_and_limits_need_a_reason_and_the_right_role(
    call: Call, customer_id: uuid.UUID
) -> None:
    no_reason = await call(
        "post", "/v1/credit-holds", MANAGER, json={"customer_id": str(customer_id)}
    )
    assert no_reason.status_code == 422
    line = {"credit_limit": "5000", "terms": {"kind": "net", "days": 30}, "reason": ""}
    blank = await call("put", f"/v1/credit-lines/{customer_id}", MANAGER, json=line)
    assert [e["field"] for e in blank.json()["errors"]] == ["body.reason"]
    line["reason"] = "new customer"
    assert (
        await call("put", f"/v1/credit-lines/{customer_id}", Role.SALES, json=line)
    ).status_code == 403
    line["credit_limit"] = "90000"
    over = await call("put", f"/v1/credit-lines/{customer_id}", MANAGER, json=line)
    assert over.json()["type"] == "urn:ar-platform:problem:over-approval-authority"
    assert (await call("get", f"/v1/credit-lines/{customer_id}", MANAGER)).status_code == 404
    unknown = await call("put", f"/v1/credit-lines/{uuid.uuid4()}", MANAGER, json=line)
    assert unknown.status_code == 404


async def test_a_ticket_closed_again_counts_once_at_its_new_amount(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    ticket = books.ticket("900.00")
    corrected = ticket.model_copy(update={"amount": Decimal("950.00")})
    await publish(bus, ticket, corrected)
    assert (await _exposure(call, customer_id))["unbilled_tickets"] == "950.00"


async def test_a_persons_release_stands_until_the_facts_go_beyond_it(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "10000")
    old = books.invoice("400.00", date(2026, 8, 1))  # 84 days past due: held
    await publish(bus, old, books.invoice("10100.00", RECENT))  # and 500.00 over the limit
    assert (await _exposure(call, customer_id))["on_hold"]
    path = f"/v1/credit-holds/{customer_id}/release"
    body(await call("post", path, MANAGER, subject="cm-ruiz", json={"reason": "rumour false"}), 200)

    # Events the release already covered: a ticket that keeps exposure at most 500.00 over.
    await publish(bus, books.pay(old, "100.00", TODAY)[0])  # unapplied cash: 400.00 over
    await publish(bus, books.ticket("100.00"))  # back to 500.00 over
    assert not (await _exposure(call, customer_id))["on_hold"]
    assert len(published(bus, "credit.hold_placed")) == 1

    await publish(bus, books.ticket("50.00"))  # 550.00 over: beyond what the release saw
    seen = await _exposure(call, customer_id)
    assert seen["on_hold"]
    assert seen["hold_reasons"] == [
        "exposure 10550.00 USD is over the credit limit of 10000.00 by 550.00, more than the "
        f"500.00 since cm-ruiz released the hold on {TODAY.isoformat()}"
    ]


async def test_a_released_hold_comes_back_for_another_invoice_past_due(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "40000")
    await publish(bus, books.invoice("400.00", date(2026, 8, 1)))
    path = f"/v1/credit-holds/{customer_id}/release"
    body(await call("post", path, MANAGER, subject="cm-ruiz", json={"reason": "in dispute"}), 200)
    await publish(bus, books.ticket("10.00"))
    assert not (await _exposure(call, customer_id))["on_hold"]

    newer = books.invoice("300.00", date(2026, 8, 20))  # due 09-19: 65 days past due
    await publish(bus, newer)
    seen = await _exposure(call, customer_id)
    assert seen["on_hold"]
    assert seen["hold_reasons"] == [
        f"invoice {newer.number} is 65 days past due (hold after 60), since cm-ruiz released "
        f"the hold on {TODAY.isoformat()}"
    ]


async def test_rent_and_storage_accrued_but_not_billed_count_in_exposure(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await publish(bus, books.ticket("300.00"))

    def accrued(day: date, rent: str, storage: str) -> RentalAccrued:
        return RentalAccrued(
            customer_id=customer_id,
            currency="USD",
            as_of=day,
            rental_unbilled=Decimal(rent),
            storage_unbilled=Decimal(storage),
        )

    await publish(bus, accrued(TODAY, "1400.00", "100.00"))
    seen = await _exposure(call, customer_id)
    assert (seen["rentals_accrued"], seen["total"]) == ("1500.00", "1800.00")
    # The latest figure replaces the one before; an older one arriving late changes nothing.
    await publish(
        bus, accrued(TODAY, "600.00", "0.00"), accrued(TODAY - timedelta(days=1), "9", "9")
    )
    seen = await _exposure(call, customer_id)
    assert (seen["rentals_accrued"], seen["total"]) == ("600.00", "900.00")


async def test_the_one_who_placed_a_hold_cannot_release_it_alone(
    call: Call, customer_id: uuid.UUID
) -> None:
    await _limit(call, customer_id, "10000")
    hold = {"customer_id": str(customer_id), "reason": "owner filed for bankruptcy"}
    body(await call("post", "/v1/credit-holds", MANAGER, subject="cm-ruiz", json=hold), 201)
    path = f"/v1/credit-holds/{customer_id}/release"
    refused = await call("post", path, MANAGER, subject="cm-ruiz", json={"reason": "paid"})
    assert refused.status_code == 403, refused.text
    assert (await _exposure(call, customer_id))["on_hold"]
    released = await call(
        "post", path, Role.AR_SUPERVISOR, subject="sup-lee", json={"reason": "paid"}
    )
    assert body(released, 200)["released_by"] == "sup-lee"


async def test_a_limit_above_the_threshold_needs_a_second_approver(
    call: Call, customer_id: uuid.UUID
) -> None:
    path = f"/v1/credit-lines/{customer_id}"
    line = {"credit_limit": "45000", "terms": {"kind": "net", "days": 30}, "reason": "growth"}
    requested = body(await call("put", path, MANAGER, subject="cm-ruiz", json=line), 202)
    assert (requested["requested_by"], requested["credit_limit"]) == ("cm-ruiz", "45000.00")
    assert (await call("get", path, MANAGER)).status_code == 404  # not set yet
    assert (await _exposure(call, customer_id))["credit_limit"] is None

    approve = f"{path}/approve"
    alone = await call("post", approve, MANAGER, subject="cm-ruiz")
    assert alone.status_code == 403, alone.text
    approved = body(await call("post", approve, MANAGER, subject="cm-okafor"), 200)
    assert (approved["credit_limit"], approved["approved_by"]) == ("45000.00", "cm-okafor")
    assert (await call("post", approve, MANAGER, subject="cm-okafor")).status_code == 409
    # Up to the threshold one person still decides.
    body(await call("put", path, MANAGER, json=line | {"credit_limit": "40000"}), 200)


async def test_pass_through_costs_not_billed_count_in_exposure(
    call: Call, bus: InProcessBus, books: Books, customer_id: uuid.UUID
) -> None:
    await publish(bus, books.ticket("300.00"))
    accrued = RentalAccrued(
        customer_id=customer_id,
        currency="USD",
        as_of=TODAY,
        rental_unbilled=Decimal("100.00"),
        storage_unbilled=Decimal(0),
        pass_through_unbilled=Decimal("575.00"),
    )
    await publish(bus, accrued)
    seen = await _exposure(call, customer_id)
    assert (seen["pass_through_unbilled"], seen["rentals_accrued"], seen["total"]) == (
        "575.00",
        "100.00",
        "975.00",
    )
    await publish(bus, accrued.model_copy(update={"pass_through_unbilled": Decimal(0)}))
    seen = await _exposure(call, customer_id)
    assert (seen["pass_through_unbilled"], seen["total"]) == ("0.00", "400.00")
