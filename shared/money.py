"""Money: Decimal amounts with an ISO 4217 currency, rounded half-up to the currency's minor unit.

Rounding happens only where docs/domain.md#money says (line extension, tax per jurisdiction per
invoice); callers ask for it with `round_money`, nothing here rounds behind their back.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Annotated

from babel.numbers import get_currency_precision, list_currencies
from pydantic import AfterValidator, Field

ISO_CURRENCIES = frozenset(list_currencies())


def _valid_currency(code: str) -> str:
    if code not in ISO_CURRENCIES:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


CurrencyCode = Annotated[
    str,
    Field(
        min_length=3,
        max_length=3,
        examples=["USD"],
        json_schema_extra={"enum": sorted(ISO_CURRENCIES)},
    ),
    AfterValidator(_valid_currency),
]

# Amounts travel as JSON strings ("1234.50") so no client turns them into floats.
Amount = Annotated[
    Decimal,
    Field(max_digits=19, decimal_places=4, allow_inf_nan=False, examples=["1250.00"]),
]
NonNegativeAmount = Annotated[Amount, Field(ge=0)]
PositiveAmount = Annotated[Amount, Field(gt=0)]
# Unit prices, rates and quantities may be finer than the currency's minor unit.
Quantity = Annotated[
    Decimal, Field(max_digits=19, decimal_places=6, allow_inf_nan=False, examples=["8.5"])
]
Rate = Annotated[
    Decimal, Field(max_digits=19, decimal_places=6, allow_inf_nan=False, examples=["0.0825"])
]


@cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of a currency: 0.01 for USD, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-get_currency_precision(_valid_currency(currency)))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def is_whole_minor_units(amount: Decimal, currency: str) -> bool:
    """True when the amount needs no rounding in its currency (e.g. no fractional cents)."""
    return amount == round_money(amount, currency)


class CurrencyMismatch(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        _valid_currency(self.currency)
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money amounts are Decimal, never float")

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(Decimal(0), currency)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal) -> "Money":
        return Money(self.amount * factor, self.currency)

    def rounded(self) -> "Money":
        return Money(round_money(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
