"""Money leaves every service at its currency's minor unit, whatever the database hands back:
PostgreSQL's NUMERIC(19, 4) gives "8410.0000" where SQLite gives what was stored ("8410.00").
Every decimal in an answer is either money written by `money_text` (MoneyOut, Amount) or one of
the figures below that are not money."""

import importlib
import typing
from decimal import Decimal
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, PlainSerializer

from services.collections.schemas import UnbilledTicketOut
from services.customers.schemas import CreditLineOut
from shared.money import money_text

SERVICES = ("customers", "invoicing", "payments", "collections", "credit")

NOT_MONEY = {
    # Days, ratios, scores and prices finer than a cent, each with its own documented precision.
    "MonthKpisOut.average_days_delinquent",
    "MonthKpisOut.best_possible_dso",
    "MonthKpisOut.cei",
    "MonthKpisOut.dso_countback",
    "MonthKpisOut.dso_standard",
    "MonthKpisOut.dso_target",
    "WorklistRowOut.days_beyond_terms",
    "WorklistRowOut.priority",
    "PaymentTerms.discount_percent",
    "ApplicationOut.confidence",
    "SuggestionOut.confidence",
    "BillingProfile.pass_through_markup",
    "CostAdjustmentOut.markup",
    "RentalContractOut.damage_waiver_percent",
    "StorageScheduleOut.units",
    "UtilizationOut.utilization",
    "JurisdictionOnDay.rate",
    "RateOut.rate",
    "TaxLineFacts.rate",
    "RateCardPriceOut.unit_price",
    "InvoiceLineFacts.quantity",
    "InvoiceLineFacts.unit_price",
    "InvoiceLineOut.quantity",
    "InvoiceLineOut.unit_price",
    "TicketLineOut.quantity",
    "TicketLineOut.unit_price",
    # Money a document keeps as JSON, rounded when it was made (never read from NUMERIC).
    "InvoiceLineFacts.amount",
    "InvoiceLineOut.amount",
    "TaxLineFacts.amount",
    "TaxLineFacts.taxable_amount",
    "Posting.debit",
    "Posting.credit",
    # Rounded to each key's currency by its own validator.
    "ClosedPeriodOut.ar_balance",
    "PeriodReportOut.ar_balance_now",
}


def _models(annotation: Any, seen: set[type[BaseModel]]) -> typing.Iterator[type[BaseModel]]:
    if typing.get_origin(annotation) is not None:
        for argument in typing.get_args(annotation):
            yield from _models(argument, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            yield annotation
            for field in annotation.model_fields.values():
                yield from _models(field.annotation, seen)


def _has_decimal(annotation: Any) -> bool:
    return annotation is Decimal or any(_has_decimal(a) for a in typing.get_args(annotation))


def _written_as_money(annotation: Any, metadata: list[Any]) -> bool:
    def serialises(items: Any) -> bool:
        return any(isinstance(m, PlainSerializer) and m.func is money_text for m in items)

    if serialises(metadata):
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return serialises(annotation.__metadata__)
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    return bool(arguments) and all(_written_as_money(a, []) for a in arguments if _has_decimal(a))


def _decimal_fields() -> set[str]:
    found = set()
    for name in SERVICES:
        definition = importlib.import_module(f"services.{name}.service").definition
        for router in definition.routers:
            for route in router.routes:
                if not isinstance(route, APIRoute) or route.response_model is None:
                    continue
                for model in _models(route.response_model, set()):
                    for field_name, field in model.model_fields.items():
                        if _has_decimal(field.annotation) and not _written_as_money(
                            field.annotation, field.metadata
                        ):
                            found.add(f"{model.__qualname__}.{field_name}")
    return found


def test_every_decimal_in_an_answer_is_money_at_its_minor_unit_or_a_named_figure() -> None:
    assert _decimal_fields() - NOT_MONEY == set()


@pytest.mark.parametrize("stored", ["8410.0000", "8410.00", "8410"])
def test_money_read_back_at_any_scale_is_written_at_the_minor_unit(stored: str) -> None:
    ticket = UnbilledTicketOut.model_validate(
        {
            "ticket_id": "00000000-0000-0000-0000-000000000001",
            "ticket_number": "T-1",
            "customer_id": "00000000-0000-0000-0000-000000000002",
            "currency": "USD",
            "closed_on": "2026-10-01",
            "amount": Decimal(stored),
        }
    )
    assert ticket.model_dump(mode="json")["amount"] == "8410.00"
    line = CreditLineOut(credit_limit=Decimal(stored), currency="JPY", approved_by="credit-manager")
    assert line.model_dump(mode="json")["credit_limit"] == "8410"
