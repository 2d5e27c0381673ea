"""References as payers wrap them: in punctuation, with letters after the digits, between
underscores, or inside an ISO 11649 RF creditor reference."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from services.payments.domain.matching.engine import CashApplicationEngine
from services.payments.domain.matching.model import MatchingPolicy, OpenInvoice, Receipt
from services.payments.domain.matching.payers import KnownPayer, PayerDirectory
from services.payments.domain.matching.references import creditor_reference, references_in

CUSTOMER = uuid.uuid4()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("#83738AB#", ["83738AB"]),
        ("paid ref:83738AB, thanks", ["REF:83738AB"]),
        ("*INV-2026-000123*", ["INV-2026-000123"]),
        ("__2026000124__", ["2026000124"]),
        ("(2026-124)", ["2026-124"]),
    ],
)
def test_a_reference_wrapped_in_punctuation_is_found(text: str, found: list[str]) -> None:
    assert references_in(text) == found


def test_an_rf_creditor_reference_gives_the_payees_own_reference() -> None:
    # The example of ISO 11649: RF18 5390 0754 7034 carries the reference 539007547034.
    assert creditor_reference("RF18 5390 0754 7034") == "539007547034"
    assert creditor_reference("RF19539007547034") is None  # wrong check digits
    assert references_in("Payment RF18 5390 0754 7034 thank you") == ["539007547034"]
    assert references_in("RF18539007547034") == ["539007547034"]


def test_cash_application_applies_a_wrapped_reference_to_its_invoice() -> None:
    invoice = OpenInvoice(
        uuid.uuid4(), "83738AB", CUSTOMER, "USD", Decimal("410.00"), date(2026, 11, 1)
    )
    other = OpenInvoice(
        uuid.uuid4(), "INV-2026-000900", CUSTOMER, "USD", Decimal("410.00"), date(2026, 11, 1)
    )
    engine = CashApplicationEngine(
        [invoice, other],
        PayerDirectory([KnownPayer(CUSTOMER, "C000001", ("Permian Basin Services LLC",))]),
        MatchingPolicy(),
    )
    receipt = Receipt(
        uuid.uuid4(),
        "USD",
        Decimal("410.00"),
        date(2026, 11, 5),
        payer_name="Permian Basin Services LLC",
        memo="#83738AB#",
    )

    proposal = engine.propose(receipt)

    assert [a.invoice.number for a in proposal.applications] == ["83738AB"]
    assert proposal.automatic
