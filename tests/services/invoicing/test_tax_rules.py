"""Sales tax rules: address to jurisdictions, rates by date, taxability, exemptions, rounding
once per jurisdiction per invoice."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.invoicing.domain.tax import (
    Jurisdiction,
    TaxableLine,
    TaxSetupMissing,
    compute_taxes,
    exempt_in,
    jurisdictions_for,
    rate_on,
    tax_address,
)

STATE = Jurisdiction(
    "TX",
    "Texas",
    "state",
    "TX",
    taxable_classes=frozenset({"goods", "rental"}),
    rate=Decimal("0.0625"),
)
COUNTY = Jurisdiction(
    "TX-MID-CO",
    "Midland County",
    "county",
    "TX",
    county="Midland",
    taxable_classes=frozenset({"goods"}),
    rate=Decimal("0.005"),
)
SPECIAL = Jurisdiction(
    "TX-SPD-1",
    "Crime control district",
    "special",
    "TX",
    postal_codes=frozenset({"79706"}),
    taxable_classes=frozenset({"goods"}),
    rate=Decimal("0.0025"),
)
MIDLAND = {
    "line1": "FM 1788",
    "city": "Midland",
    "county": "midland",
    "region": "TX",
    "postal_code": "79706-1234",
    "country": "US",
}


def test_address_maps_to_every_jurisdiction_whose_criteria_match() -> None:
    elsewhere = MIDLAND | {"county": "Ector", "postal_code": "79761"}
    assert [j.code for j in jurisdictions_for(MIDLAND, [STATE, COUNTY, SPECIAL])] == [
        "TX",
        "TX-MID-CO",
        "TX-SPD-1",
    ]
    assert [j.code for j in jurisdictions_for(elsewhere, [STATE, COUNTY, SPECIAL])] == ["TX"]
    assert jurisdictions_for(MIDLAND | {"region": "NM"}, [STATE, COUNTY]) == []


def test_rate_in_force_is_the_latest_on_or_before_the_day() -> None:
    rates = [(date(2025, 1, 1), Decimal("0.06")), (date(2026, 7, 1), Decimal("0.0625"))]
    assert rate_on(rates, date(2026, 6, 30)) == Decimal("0.06")
    assert rate_on(rates, date(2026, 7, 1)) == Decimal("0.0625")
    assert rate_on(rates, date(2024, 12, 31)) is None


def test_tax_address_prefers_the_ticket_then_the_named_job_site_then_ship_to_then_bill_to() -> None:
    bill = {"kind": "bill_to", "city": "Dallas"}
    ship = {"kind": "ship_to", "city": "Odessa"}
    site = {"kind": "job_site", "label": "Yard 4", "city": "Midland"}
    assert tax_address(MIDLAND, "Yard 4", [bill, ship, site]) == MIDLAND
    assert tax_address(None, "yard 4", [bill, ship, site]) == site
    assert tax_address(None, "Yard 9", [bill, ship, site]) == ship
    assert tax_address(None, None, [bill]) == bill


def test_certificate_covers_its_jurisdiction_or_its_whole_state_while_valid() -> None:
    state_wide = [{"jurisdiction": "TX", "issued_on": "2026-01-01", "expires_on": "2026-12-31"}]
    county_only = [{"jurisdiction": "TX-MID-CO", "expires_on": None}]
    assert exempt_in(COUNTY, state_wide, date(2026, 12, 31))
    assert not exempt_in(COUNTY, state_wide, date(2027, 1, 1))  # expired
    assert not exempt_in(COUNTY, state_wide, date(2025, 12, 31))  # not yet issued
    assert exempt_in(COUNTY, county_only, date(2030, 1, 1)) and not exempt_in(
        STATE, county_only, date(2030, 1, 1)
    )


def test_tax_is_rounded_once_per_jurisdiction_not_per_line() -> None:
    # Three lines of 0.10 at 6.25 %: per line 0.00625 → 0.01 (0.03); per invoice 0.01875 → 0.02.
    lines = [TaxableLine(Decimal("0.10"), "goods", [STATE]) for _ in range(3)]
    [tax] = compute_taxes(lines, certificates=[], on=date(2026, 1, 1), currency="USD")
    assert (tax.taxable_amount, tax.amount) == (Decimal("0.30"), Decimal("0.02"))
    assert all(line.taxed_in == ["TX"] for line in lines)


def test_only_the_classes_a_jurisdiction_taxes_are_taxed_there() -> None:
    lines = [
        TaxableLine(Decimal("100"), "rental", [STATE, COUNTY]),
        TaxableLine(Decimal("50"), "labor", [STATE, COUNTY]),
        TaxableLine(Decimal("10"), "exempt", [STATE, COUNTY]),
    ]
    taxes = compute_taxes(lines, certificates=[], on=date(2026, 1, 1), currency="USD")
    assert [(t.jurisdiction, t.taxable_amount, t.amount) for t in taxes] == [
        ("TX", Decimal(100), Decimal("6.25"))
    ]


def test_a_jurisdiction_without_a_rate_on_the_day_cannot_tax() -> None:
    unrated = Jurisdiction(
        "TX-NEW", "New district", "special", "TX", taxable_classes=frozenset({"goods"})
    )
    with pytest.raises(TaxSetupMissing):
        compute_taxes(
            [TaxableLine(Decimal(1), "goods", [unrated])],
            certificates=[],
            on=date(2026, 1, 1),
            currency="USD",
        )


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@given(st.lists(amounts, min_size=1, max_size=30))
def test_tax_is_the_rounded_rate_of_the_taxable_sum_whatever_the_lines(
    values: list[Decimal],
) -> None:
    lines = [TaxableLine(v, "goods", [STATE]) for v in values]
    [tax] = compute_taxes(lines, certificates=[], on=date(2026, 1, 1), currency="USD")
    assert tax.taxable_amount == sum(values)
    assert abs(tax.amount - sum(values) * STATE.rate) <= Decimal("0.005")
    assert tax.amount == tax.amount.quantize(Decimal("0.01"))
