"""Whatever the payments and open invoices, a proposal never takes more than the payment has or
more than an invoice has open, and never touches another customer's invoice."""

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.payments.domain.matching.engine import CashApplicationEngine
from services.payments.domain.matching.model import (
    MatchingPolicy,
    OpenInvoice,
    Receipt,
    RemittanceRef,
)
from services.payments.domain.matching.payers import KnownPayer, PayerDirectory

CUSTOMERS = [uuid.UUID(int=i) for i in (1, 2)]
PAYERS = PayerDirectory(
    [KnownPayer(c, f"C00000{i}", (f"Payer {i}",)) for i, c in enumerate(CUSTOMERS)]
)
cents = st.integers(min_value=1, max_value=500_00).map(lambda c: Decimal(c).scaleb(-2))
invoices = st.lists(
    st.tuples(st.integers(1, 60), cents, st.sampled_from(CUSTOMERS)),
    min_size=1,
    max_size=12,
    unique_by=lambda t: t[0],
)


@settings(max_examples=200, deadline=None)
@given(
    invoices=invoices,
    amount=cents,
    customer=st.sampled_from([None, *CUSTOMERS]),
    references=st.lists(st.tuples(st.integers(1, 80), st.one_of(st.none(), cents)), max_size=4),
)
def test_proposals_respect_what_is_paid_what_is_open_and_whose_it_is(
    invoices: list[tuple[int, Decimal, uuid.UUID]],
    amount: Decimal,
    customer: uuid.UUID | None,
    references: list[tuple[int, Decimal | None]],
) -> None:
    open_invoices = [
        OpenInvoice(
            uuid.uuid4(),
            f"INV-2026-{serial:06d}",
            owner,
            "USD",
            balance,
            date(2026, 10, serial % 28 + 1),
        )
        for serial, balance, owner in invoices
    ]
    engine = CashApplicationEngine(open_invoices, PAYERS, MatchingPolicy())
    lines = tuple(RemittanceRef(f"INV-2026-{serial:06d}", paid) for serial, paid in references)
    receipt = Receipt(
        uuid.uuid4(), "USD", amount, date(2026, 11, 5), customer_id=customer, lines=lines
    )

    proposal = engine.propose(receipt)

    assert proposal.applied <= amount
    balances = {i.id: i.balance for i in open_invoices}
    for application in proposal.applications:
        assert 0 < application.amount + application.discount <= balances[application.invoice.id]
        if customer is not None:
            assert application.invoice.customer_id == customer
    assert len({a.invoice.id for a in proposal.applications}) == len(proposal.applications)
    assert 0.0 <= proposal.confidence <= 1.0 and proposal.explanation
