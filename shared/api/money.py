"""Money a request names without its currency (the customer's): refused as a 422 problem when it
is finer than that currency's minor unit, once the currency is known."""

from decimal import Decimal

from shared.api.problems import BusinessRuleViolation
from shared.money import check_minor_units


def require_minor_units(currency: str, *amounts: Decimal | None) -> None:
    try:
        check_minor_units(currency, *amounts)
    except ValueError as error:
        raise BusinessRuleViolation(str(error)) from error
