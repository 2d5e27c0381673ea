"""Money at the edge: what an amount may look like coming in, and how it always looks going out."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.money import (
    MAX_AMOUNT_CEILING,
    MONEY_PRECISION,
    MONEY_SCALE,
    Amount,
    MoneyModel,
    MoneyOut,
    MoneySettings,
    PositiveAmount,
    Quantity,
    check_line_amount,
    check_minor_units,
    max_amount,
    money_text,
)

AMOUNT = TypeAdapter(Amount)
LARGEST = Decimal("999999999.99")


@pytest.fixture
def fresh_limit() -> Iterator[None]:
    max_amount.cache_clear()
    yield
    max_amount.cache_clear()


@given(st.decimals(min_value=-LARGEST, max_value=LARGEST, places=2))
def test_any_amount_within_the_bounds_round_trips_exactly(amount: Decimal) -> None:
    sent = f"{amount:f}"
    received = AMOUNT.validate_json(f'"{sent}"')
    assert received == amount
    assert AMOUNT.dump_json(received).decode() == f'"{amount.quantize(Decimal("0.01")):f}"'
    assert AMOUNT.validate_json(AMOUNT.dump_json(received)) == amount


@pytest.mark.parametrize(
    "written",
    ['"1e3"', '"1E+3"', '"-1e3"', '"1.5e2"', '"1e-2"', '"NaN"', '"Infinity"', '"-Infinity"',
     '"inf"', '" 12.50"', '"1,000.00"', '"12."', '".5"', '"0x10"', "true", "NaN", "Infinity"],
)  # fmt: skip
def test_exponents_nan_infinity_and_other_spellings_are_refused(written: str) -> None:
    with pytest.raises(ValidationError):
        AMOUNT.validate_json(written)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e-7, True, Decimal("NaN")])
def test_python_values_that_are_no_plain_amount_are_refused(value: Any) -> None:
    with pytest.raises(ValidationError):
        AMOUNT.validate_python(value)


def test_plain_numbers_are_read_as_written() -> None:
    assert AMOUNT.validate_json("1250.5") == Decimal("1250.5")
    assert AMOUNT.validate_json("1250") == Decimal("1250")
    assert AMOUNT.validate_json('"-0.25"') == Decimal("-0.25")


def test_more_decimals_than_the_stored_scale_or_the_currency_has_are_refused() -> None:
    with pytest.raises(ValidationError):
        AMOUNT.validate_json('"0.00001"')
    with pytest.raises(ValueError, match="smallest unit"):
        check_minor_units("USD", Decimal("100.00"), Decimal("0.001"))
    with pytest.raises(ValueError, match="smallest unit"):
        check_minor_units("JPY", Decimal("1.5"))
    check_minor_units("KWD", Decimal("0.001"), None)
    check_minor_units("USD", Decimal("12.500"))


@pytest.mark.parametrize("written", ['"1000000000.00"', '"-1000000000"', '"999999999.991"'])
def test_amounts_beyond_the_maximum_are_refused(written: str) -> None:
    with pytest.raises(ValidationError):
        AMOUNT.validate_json(written)
    assert AMOUNT.validate_json('"999999999.99"') == LARGEST


def test_the_maximum_is_a_setting_shared_by_every_service(
    monkeypatch: pytest.MonkeyPatch, fresh_limit: None
) -> None:
    monkeypatch.setenv("AR_MONEY_MAX_AMOUNT", "5000.00")
    assert TypeAdapter(PositiveAmount).validate_json('"5000.00"') == Decimal(5000)
    with pytest.raises(ValidationError, match="AR_MONEY_MAX_AMOUNT"):
        TypeAdapter(PositiveAmount).validate_json('"5000.01"')


def test_the_maximum_fits_the_numeric_every_service_stores_even_summed() -> None:
    assert MoneySettings().max_amount == LARGEST
    with pytest.raises(ValidationError):
        MoneySettings(max_amount=MAX_AMOUNT_CEILING + 1)
    # A thousand documents at the ceiling still fit one NUMERIC(19, 4) balance.
    assert 1000 * MAX_AMOUNT_CEILING < Decimal(10) ** (MONEY_PRECISION - MONEY_SCALE)


def test_a_line_whose_quantity_times_price_is_beyond_the_maximum_is_refused() -> None:
    huge = TypeAdapter(Quantity).validate_json('"9999999999999"')
    with pytest.raises(ValueError, match="maximum amount"):
        check_line_amount(huge, huge)
    check_line_amount(Decimal("1000"), Decimal("999999.99"))
    with pytest.raises(ValidationError):
        TypeAdapter(Quantity).validate_json('"1e3"')


def test_money_goes_out_as_a_plain_string_at_the_currency_minor_unit() -> None:
    assert money_text(Decimal("1E+3"), "USD") == "1000.00"
    assert money_text(Decimal("-1E+3"), "USD") == "-1000.00"
    assert money_text(Decimal("8410.0000"), "USD") == "8410.00"
    assert money_text(Decimal("8410"), "USD") == "8410.00"
    assert money_text(Decimal("8410.0000"), "JPY") == "8410"
    assert money_text(Decimal("1.5"), "KWD") == "1.500"
    # Without a currency: two decimals, more only when the amount has them.
    assert (money_text(Decimal("0")), money_text(Decimal("8410.0000"))) == ("0.00", "8410.00")
    assert money_text(Decimal("0.1250")) == "0.125"


class _Line(BaseModel):
    amount: MoneyOut


class _Document(MoneyModel):
    currency: str
    total: MoneyOut
    open: MoneyOut | None
    lines: list[_Line]


def test_a_money_model_writes_its_own_and_its_lines_money_in_its_currency() -> None:
    yen = _Document(currency="JPY", total=Decimal("8410.0000"), open=None, lines=[_Line(amount=5)])
    dollars = yen.model_copy(update={"currency": "USD", "open": Decimal("1E+3")})
    assert yen.model_dump(mode="json") == {
        "currency": "JPY",
        "total": "8410",
        "open": None,
        "lines": [{"amount": "5"}],
    }
    assert dollars.model_dump(mode="json")["open"] == "1000.00"
    assert dollars.model_dump(mode="json")["lines"] == [{"amount": "5.00"}]
    assert _Document.model_json_schema(mode="serialization")["properties"]["total"]["type"] == (
        "string"
    )
