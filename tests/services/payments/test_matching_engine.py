"""The cash-application engine on its own: pure rules, no database, no web."""

import uuid
from datetime import date
from decimal import Decimal

from services.payments.domain.matching.combinations import combinations_summing_to
from services.payments.domain.matching.engine import CashApplicationEngine
from services.payments.domain.matching.model import (
    MatchingPolicy,
    OpenInvoice,
    Receipt,
    RemittanceRef,
)
from services.payments.domain.matching.payers import KnownPayer, PayerDirectory, normalise_name
from services.payments.domain.matching.references import number_keys, references_in

ACME, OTHER = uuid.uuid4(), uuid.uuid4()
PAYERS = PayerDirectory(
    [
        KnownPayer(ACME, "C000001", ("Permian Basin Services LLC", "PBS")),
        KnownPayer(OTHER, "C000002", ("Eagle Ford Hauling Inc",)),
    ]
)


def _invoice(number: str, balance: str, customer: uuid.UUID = ACME, **kw: object) -> OpenInvoice:
    return OpenInvoice(
        uuid.uuid4(), number, customer, "USD", Decimal(balance), date(2026, 11, 1), **kw
    )  # type: ignore[arg-type]


def _receipt(amount: str, *lines: RemittanceRef, **kw: object) -> Receipt:
    return Receipt(uuid.uuid4(), "USD", Decimal(amount), date(2026, 11, 5), lines=lines, **kw)  # type: ignore[arg-type]


def _engine(*invoices: OpenInvoice) -> CashApplicationEngine:
    return CashApplicationEngine(invoices, PAYERS, MatchingPolicy())


def test_mangled_forms_of_one_number_share_its_key() -> None:
    keys = {
        number_keys(n).nozero
        for n in (  # type: ignore[union-attr]
            "INV-2026-000123",
            "2026-000123",
            "inv 2026 123",
            "INV2026000123",
            "2026123",
        )
    }
    assert keys == {"226123"}


def test_references_are_found_in_free_text_but_amounts_are_not() -> None:
    assert references_in("Pmt for INV-2026-000123 & 2026-124, total 1,250.00") == [
        "INV-2026-000123",
        "2026-124",
    ]


def test_payer_names_ignore_case_punctuation_and_legal_form() -> None:
    assert normalise_name("Permian Basin Services, L.L.C.") == normalise_name(
        "PERMIAN BASIN SERVICES LLC"
    )


def test_reference_with_a_typo_is_corrected_when_the_amount_agrees() -> None:
    meant = _invoice("INV-2026-004512", "310.00")
    engine = _engine(meant, _invoice("INV-2026-009999", "310.00"))

    proposal = engine.propose(
        _receipt("310.00", RemittanceRef("INV-2026-004521", Decimal("310.00")), customer_id=ACME)
    )

    assert [a.invoice for a in proposal.applications] == [meant]
    assert proposal.automatic
    assert "typo" in " ".join(proposal.explanation)


def test_reference_with_a_typo_and_a_different_amount_is_only_suggested() -> None:
    engine = _engine(_invoice("INV-2026-004512", "310.00"))

    proposal = engine.propose(
        _receipt("200.00", RemittanceRef("INV-2026-004521", Decimal("200.00")), customer_id=ACME)
    )

    assert proposal.applications and not proposal.automatic


def test_two_combinations_adding_up_to_the_amount_are_not_applied_automatically() -> None:
    engine = _engine(
        *(
            _invoice(f"INV-2026-00000{i}", t)
            for i, t in enumerate(["10.00", "20.00", "30.00", "45.00"])
        )
    )

    proposal = engine.propose(_receipt("30.00", customer_id=ACME, payer_name=None))

    # 30.00 is one invoice; the single-invoice match wins over the 10 + 20 combination.
    assert [a.invoice.number for a in proposal.applications] == ["INV-2026-000002"]
    ambiguous = engine.propose(_receipt("75.00", customer_id=ACME))
    assert not ambiguous.automatic  # 30 + 45 and 10 + 20 + 45


def test_discount_taken_within_the_window_settles_the_invoice() -> None:
    invoice = _invoice(
        "INV-2026-000050",
        "1000.00",
        discount_amount=Decimal("20.00"),
        discount_due_date=date(2026, 11, 11),
    )

    proposal = _engine(invoice).propose(_receipt("980.00", customer_id=ACME))

    [application] = proposal.applications
    assert (application.amount, application.discount, proposal.automatic) == (
        Decimal("980.00"),
        Decimal("20.00"),
        True,
    )


def test_discount_taken_after_the_window_is_a_short_payment() -> None:
    invoice = _invoice(
        "INV-2026-000051",
        "1000.00",
        discount_amount=Decimal("20.00"),
        discount_due_date=date(2026, 11, 1),
    )

    proposal = _engine(invoice).propose(
        _receipt("980.00", RemittanceRef("INV-2026-000051", Decimal("980.00")), customer_id=ACME)
    )

    [application] = proposal.applications
    assert (application.amount, application.discount, application.reason_code) == (
        Decimal("980.00"),
        Decimal(0),
        "short_paid",
    )


def test_amount_within_tolerance_is_suggested_with_the_difference_left_open() -> None:
    proposal = _engine(_invoice("INV-2026-000060", "502.00")).propose(
        _receipt("500.00", payer_name="PBS")
    )

    [application] = proposal.applications
    assert application.amount == Decimal("500.00") and not proposal.automatic
    assert "tolerance" in " ".join(proposal.explanation)


def test_payer_recognised_by_name_or_account() -> None:
    assert PAYERS.identify("PERMIAN BASIN SERVICES", None).customer_id == ACME  # type: ignore[union-attr]
    assert PAYERS.identify(None, "c000002").customer_id == OTHER  # type: ignore[union-attr]
    assert PAYERS.identify("Somebody Else Entirely", None) is None


def test_remittance_for_another_customers_invoice_is_not_proposed() -> None:
    engine = _engine(_invoice("INV-2026-000070", "90.00", customer=OTHER))

    proposal = engine.propose(
        _receipt("90.00", RemittanceRef("INV-2026-000070", Decimal("90.00")), customer_id=ACME)
    )

    assert proposal.applications == [] and proposal.unmatched_references == ["INV-2026-000070"]


def test_committed_proposal_lowers_the_balance_later_receipts_see() -> None:
    engine = _engine(_invoice("INV-2026-000080", "100.00"))
    first = engine.propose(_receipt("100.00", customer_id=ACME))
    engine.commit(first)

    assert engine.propose(_receipt("100.00", customer_id=ACME)).applications == []


def test_subset_search_finds_pairs_triples_and_quadruples_and_stops_at_the_limit() -> None:
    assert combinations_summing_to([5, 7, 11], 12) == [(0, 1)]
    assert combinations_summing_to([5, 7, 11], 23) == [(0, 1, 2)]
    assert combinations_summing_to([1, 2, 4, 8, 16], 15) == [(0, 1, 2, 3)]
    assert len(combinations_summing_to([1, 2, 3, 4, 5], 5, limit=2)) == 2
    assert combinations_summing_to([1, 2, 4, 8, 16], 31) == []  # would need five


def test_neighbouring_numbers_do_not_make_an_exact_reference_ambiguous() -> None:
    named = _invoice("INV-2026-200001", "400.00")
    engine = _engine(
        named, _invoice("INV-2026-200002", "1000.00"), _invoice("INV-2026-200003", "900.00")
    )

    proposal = engine.propose(
        _receipt("460.00", RemittanceRef("INV-2026-200001", Decimal("460.00")), customer_id=ACME)
    )

    assert [a.invoice for a in proposal.applications] == [named] and proposal.automatic
    assert proposal.left_unapplied == Decimal("60.00")


def test_payer_name_close_to_a_known_one_is_recognised_but_less_surely() -> None:
    identified = PAYERS.identify("Permian Basin Service", None)

    assert identified is not None and identified.customer_id == ACME
    assert identified.confidence < 0.9


def test_a_short_paid_remittance_sent_again_is_not_taken_for_an_overpayment() -> None:
    # 700.00 of 1,000.00 was paid; the same remittance arrives again on a new bank line.
    part_paid = _invoice("INV-2026-000700", "300.00", total=Decimal("1000.00"))
    line = RemittanceRef("INV-2026-000700", Decimal("700.00"), None, "pricing")

    proposal = _engine(part_paid).propose(_receipt("700.00", line, customer_id=ACME))

    assert not proposal.automatic
    assert "already part paid" in " ".join(proposal.explanation)


def test_an_overpayment_of_an_untouched_invoice_is_still_applied_with_the_rest_on_account() -> None:
    untouched = _invoice("INV-2026-000701", "1000.00", total=Decimal("1000.00"))
    line = RemittanceRef("INV-2026-000701", Decimal("1100.00"))

    proposal = _engine(untouched).propose(_receipt("1100.00", line, customer_id=ACME))

    assert proposal.automatic
    assert [a.amount for a in proposal.applications] == [Decimal("1000.00")]


def test_a_remittance_naming_a_paid_invoice_is_not_applied_to_another_of_the_same_amount() -> None:
    # INV-2026-000500 was paid last month; a rental invoice happens to bill the same amount.
    same_amount = _invoice("INV-2026-000612", "450.00")
    line = RemittanceRef("INV-2026-000500", Decimal("450.00"))

    proposal = _engine(same_amount).propose(_receipt("450.00", line, customer_id=ACME))

    assert [a.invoice for a in proposal.applications] == [same_amount]  # suggested, for a person
    assert not proposal.automatic
    assert "INV-2026-000500" in " ".join(proposal.explanation)
