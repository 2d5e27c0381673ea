"""Money: Decimal amounts with an ISO 4217 currency, rounded half-up to the currency's minor unit.

Rounding happens only where docs/domain.md#money says (line extension, tax per jurisdiction per
invoice); callers ask for it with `round_money`, nothing here rounds behind their back.
"""

import math
import re
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Annotated, Any

from babel.numbers import get_currency_precision, list_currencies
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

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

# Every service stores money as NUMERIC(19, 4) (shared/db.py DecimalType): 15 integer digits.
MONEY_PRECISION = 19
MONEY_SCALE = 4
# The largest AR_MONEY_MAX_AMOUNT may be: a thousand documents of it still fit one NUMERIC(19, 4)
# balance, and Decimal arithmetic on it (28 digits) never overflows.
MAX_AMOUNT_CEILING = Decimal("999999999999.99")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class MoneySettings(BaseSettings):
    """`AR_MONEY_MAX_AMOUNT`: the largest amount one document, line or request may carry, the
    same in every service."""

    model_config = SettingsConfigDict(env_prefix="AR_MONEY_", extra="ignore")

    max_amount: Decimal = Field(
        default=Decimal("999999999.99"), gt=0, le=MAX_AMOUNT_CEILING, decimal_places=2
    )


@cache
def max_amount() -> Decimal:
    return MoneySettings().max_amount


def plain_decimal(value: object) -> object:
    """A decimal as people write it: "1250.50", 1250.5 or 1250. An exponent ("1e3"), NaN,
    Infinity or a boolean is refused rather than read as a surprising number."""
    if isinstance(value, bool):
        raise ValueError("a decimal is a number or a string like 1250.00, not a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("NaN and Infinity are not amounts")
        value = repr(value)
    if isinstance(value, str):
        if not _PLAIN_DECIMAL.fullmatch(value):
            raise ValueError("a decimal is written plainly, like 1250.00: no exponent, no spaces")
        return Decimal(value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("NaN and Infinity are not amounts")
    return value


def _within_maximum(value: Decimal) -> Decimal:
    if abs(value) > max_amount():
        raise ValueError(f"amounts are at most {max_amount()} (AR_MONEY_MAX_AMOUNT)")
    return value


# The currency of the response model being written, for its money and its nested lines' money.
_writing_currency: ContextVar[str | None] = ContextVar("writing_currency", default=None)


def money_text(value: Decimal, currency: str | None = None) -> str:
    """Money as it leaves the platform: a plain string at the currency's minor unit ("1000.00",
    never "1E+3" or "1000.0000" as PostgreSQL's NUMERIC(19, 4) hands it back). The currency is
    the argument's, else that of the MoneyModel being written; without one, two decimals unless
    the amount has more."""
    currency = currency or _writing_currency.get()
    if currency in ISO_CURRENCIES:
        return f"{round_money(value, currency):f}"
    shown = value.quantize(Decimal(1).scaleb(-MONEY_SCALE)).normalize()
    if shown.as_tuple().exponent > -2:  # type: ignore[operator]
        shown = shown.quantize(Decimal("0.01"))
    return f"{shown:f}"


class MoneyModel(BaseModel):
    """A response whose money (MoneyOut, Amount) is written at its `currency`'s minor unit, its
    nested models' money included."""

    # No return annotation: pydantic would take it as the schema of the answer, and the OpenAPI
    # would lose the model's own.
    @model_serializer(mode="wrap")
    def _in_own_currency(self, handler: SerializerFunctionWrapHandler):
        # A nested model without a currency of its own (a line) is in its parent's.
        own = getattr(self, "currency", None)
        token = _writing_currency.set(own or _writing_currency.get())
        try:
            return handler(self)
        finally:
            _writing_currency.reset(token)


_MONEY_DOC = "A plain decimal (no exponent), at most AR_MONEY_MAX_AMOUNT (default 999999999.99)"


def _amount(**bounds: Any) -> Any:
    # Bounds go into the same Field as the digits: a constraint added on top of a validated type
    # would no longer reach the OpenAPI schema.
    return Annotated[
        Decimal,
        Field(
            max_digits=MONEY_PRECISION,
            decimal_places=MONEY_SCALE,
            allow_inf_nan=False,
            examples=["1250.00"],
            description=_MONEY_DOC,
            **bounds,
        ),
        BeforeValidator(plain_decimal),
        AfterValidator(_within_maximum),
        PlainSerializer(money_text, return_type=str, when_used="json"),
    ]


def _fine_decimal(example: str, **bounds: Any) -> Any:
    return Annotated[
        Decimal,
        Field(max_digits=19, decimal_places=6, allow_inf_nan=False, examples=[example], **bounds),
        BeforeValidator(plain_decimal),
    ]


# Amounts travel as JSON strings ("1234.50") so no client turns them into floats. Decimals beyond
# the currency's minor unit are refused by check_minor_units where the body names its currency.
Amount = _amount()
NonNegativeAmount = _amount(ge=0)
PositiveAmount = _amount(gt=0)
# Unit prices, rates and quantities may be finer than the currency's minor unit; a line's
# quantity × unit price is bounded by check_line_amount.
Quantity = _fine_decimal("8.5")
PositiveQuantity = _fine_decimal("8.5", gt=0)
Rate = _fine_decimal("0.0825")
NonNegativeRate = _fine_decimal("0.0825", ge=0)
TaxRate = _fine_decimal("0.0625", ge=0, lt=1)
# Money in a response: a plain string, whatever scale the database handed back (money_text).
MoneyOut = Annotated[Decimal, PlainSerializer(money_text, return_type=str, when_used="json")]


def check_line_amount(quantity: Decimal, unit_price: Decimal) -> None:
    """Refuse a line whose quantity × unit price is beyond the maximum amount."""
    if abs(quantity * unit_price) > max_amount():
        raise ValueError(
            f"quantity × unit price is beyond the maximum amount of {max_amount()} "
            "(AR_MONEY_MAX_AMOUNT)"
        )


def check_minor_units(currency: str, *amounts: Decimal | None) -> None:
    """Refuse amounts finer than the currency's minor unit (0.001 USD)."""
    for amount in amounts:
        if amount is not None and not is_whole_minor_units(amount, currency):
            raise ValueError(
                f"{amount} is not a whole amount of {currency}'s smallest unit "
                f"({minor_unit(currency)})"
            )


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
