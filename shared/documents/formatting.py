"""Money as documents print it, in the currency's own minor unit (USD 2, JPY 0, BHD 3)."""

from decimal import Decimal

from babel.numbers import format_decimal, get_currency_precision

from shared.money import round_money


def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """`Decimal("1234.5"), "USD"` -> "1,234.50"; rounded half-up to the minor unit first."""
    rounded = round_money(amount, currency)
    if not rounded:
        rounded = abs(rounded)  # no "-0.00" for an amount that rounds to nothing
    places = get_currency_precision(currency)
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(rounded, format=pattern, locale=locale)


def format_money_with_code(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """ "1,234.50 USD": the form for totals, where the reader needs the currency."""
    return f"{format_money(amount, currency, locale)} {currency}"
