"""The settlement model the chaos runs and the interleavings compare every ledger with
(tests/settlement_model.py): whatever was acknowledged, no invoice is below zero, a memo keeps on
account only what its invoice has no room for, and the items add up to the customer's position."""

import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.settlement_model import ZERO, Application, Credit, Settlements

cents = st.integers(1, 100_000).map(lambda c: Decimal(c) / 100)


@st.composite
def settlements(draw: st.DrawFn) -> Settlements:
    model = Settlements()
    invoices = [uuid.uuid4() for _ in range(draw(st.integers(1, 3)))]
    for i in invoices:
        model.invoices[i] = draw(cents)
    payment = uuid.uuid4()
    model.payments[payment] = draw(cents)
    for _ in range(draw(st.integers(0, 4))):
        target = draw(st.sampled_from(invoices))
        kind = draw(st.sampled_from(["memo", "apply", "write_off"]))
        amount = draw(cents)
        if kind == "memo":  # a memo may be more than is open: it keeps the rest on account
            model.memos[uuid.uuid4()] = Credit(target, amount)
            continue
        # As payments refuses more cash or write-off than is open (or left on the payment).
        room = model.open_on(target)
        if kind == "apply":
            room = min(room, model.unapplied(payment))
        if room <= 0:
            continue
        amount = min(amount, room)
        if kind == "apply":
            model.applications[uuid.uuid4()] = Application(payment, target, amount, ZERO)
        else:
            model.write_offs[uuid.uuid4()] = Credit(target, amount)
    if draw(st.booleans()):
        model.reversed.add(payment)
    return model


@given(settlements())
def test_no_invoice_below_zero_and_the_items_add_up_to_the_position(model: Settlements) -> None:
    # The on-account part of each invoice put on its first memo: any split that fits adds up.
    split = {m: ZERO for m in model.memos}
    for invoice_id in model.invoices:
        memos = [m for m, c in model.memos.items() if c.invoice_id == invoice_id]
        if memos:
            split[memos[0]] = model.on_account(invoice_id)
    for invoice_id in model.invoices:
        assert model.open_on(invoice_id) >= 0
        assert model.on_account(invoice_id) >= 0
        assert model.open_on(invoice_id) == 0 or model.on_account(invoice_id) == 0
    assert sum((b for _, b in model.balances(split)), ZERO) == model.position()
