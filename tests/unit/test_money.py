from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.money import Amount, CurrencyCode, CurrencyMismatch, Money, minor_unit, round_money


def test_rounds_half_up_to_the_currency_minor_unit() -> None:
    assert round_money(Decimal("2.675"), "USD") == Decimal("2.68")
    assert round_money(Decimal("2.665"), "USD") == Decimal("2.67")  # half-up, not banker's
    assert round_money(Decimal("-2.675"), "USD") == Decimal("-2.68")
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")


def test_minor_units_follow_iso_4217() -> None:
    assert minor_unit("USD") == Decimal("0.01")
    assert minor_unit("JPY") == Decimal("1")
    assert minor_unit("BHD") == Decimal("0.001")


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        Money(Decimal(1), "USD") + Money(Decimal(1), "EUR")
    with pytest.raises(ValueError):
        Money(Decimal(1), "XYZ")


class _Priced(BaseModel):
    amount: Amount
    currency: CurrencyCode


def test_amounts_travel_as_strings_and_unknown_currencies_are_refused() -> None:
    priced = _Priced.model_validate_json('{"amount": "1250.10", "currency": "USD"}')
    assert priced.amount == Decimal("1250.10")
    assert priced.model_dump_json() == '{"amount":"1250.10","currency":"USD"}'
    with pytest.raises(ValidationError):
        _Priced.model_validate({"amount": "1", "currency": "ABC"})
    with pytest.raises(ValidationError):
        _Priced.model_validate({"amount": "NaN", "currency": "USD"})


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False)


@given(amounts, st.sampled_from(["USD", "EUR", "JPY", "KWD"]))
def test_rounding_is_idempotent_and_within_half_a_minor_unit(
    amount: Decimal, currency: str
) -> None:
    rounded = round_money(amount, currency)
    assert round_money(rounded, currency) == rounded
    assert abs(rounded - amount) <= minor_unit(currency) / 2


@given(st.lists(amounts, min_size=1, max_size=20))
def test_money_addition_is_exact(values: list[Decimal]) -> None:
    total = Money.zero("USD")
    for value in values:
        total = total + Money(value, "USD")
    assert total.amount == sum(values, Decimal(0))
