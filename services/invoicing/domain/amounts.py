"""Amounts as they are shown: in the currency's minor units ("345.70"), which PostgreSQL's
NUMERIC(19,4) columns would otherwise hand back as "345.7000"."""

from decimal import Decimal
from typing import Any

from shared.money import is_whole_minor_units, round_money


def shown(amount: Decimal, currency: str) -> Decimal:
    """The same value written to the currency's minor unit; never changes what it is worth."""
    return round_money(amount, currency) if is_whole_minor_units(amount, currency) else amount


def shown_fields(values: dict[str, Any], fields: tuple[str, ...], currency: str) -> dict[str, Any]:
    return values | {
        name: shown(values[name], currency) for name in fields if values.get(name) is not None
    }
