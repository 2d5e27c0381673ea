"""Invoice rules in plain Python: lines from tickets, pricing with tax, totals, what may be
done to an invoice in each state."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from services.invoicing.domain.tax import Jurisdiction, TaxableLine, compute_taxes
from shared.api.problems import BusinessRuleViolation
from shared.events.invoicing import InvoiceLineFacts, TaxLineFacts
from shared.money import max_amount, minor_unit


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    VOIDED = "voided"
    # Shown, never stored: an issued invoice its credit memos cover in full (`shown_status`).
    CREDITED = "credited"


class DeliveryStatus(StrEnum):
    NOT_SENT = "not_sent"
    SENT = "sent"
    FAILED = "failed"


class InvoiceRuleBroken(BusinessRuleViolation):
    """The invoice may not be changed that way; the message says why."""


def number_of(kind: str, year: int, value: int) -> str:
    """A document number as printed: INV-2026-000123, CM-2026-000017."""
    return f"{kind}-{year}-{value:06d}"


def series_of(legal_entity: str, kind: str, year: int) -> str:
    """One gapless series per legal entity, document kind and year."""
    return f"{legal_entity}:{kind}:{year}"


def ticket_lines(
    ticket_id: uuid.UUID, ticket_number: str, lines: Iterable[Mapping[str, Any]]
) -> list[InvoiceLineFacts]:
    """A ticket's lines as invoice lines referencing it."""
    return [
        InvoiceLineFacts(
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit=line["unit"],
            unit_price=Decimal(line["unit_price"]),
            amount=Decimal(line["amount"]),
            taxability=line["taxability"],
            service_line=line["service_line"],
            ticket_id=ticket_id,
            ticket_number=ticket_number,
        )
        for line in lines
    ]


@dataclass(frozen=True)
class PricedInvoice:
    """Lines (each with the jurisdictions that tax it, for later partial credits), tax per
    jurisdiction and totals."""

    lines: list[dict[str, Any]]
    taxes: list[TaxLineFacts]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal


def price(
    lines: Sequence[tuple[InvoiceLineFacts, Sequence[Jurisdiction]]],
    *,
    certificates: Iterable[Mapping[str, Any]],
    on: date,
    currency: str,
) -> PricedInvoice:
    taxable = [TaxableLine(facts.amount, facts.taxability, where) for facts, where in lines]
    taxes = compute_taxes(taxable, certificates=certificates, on=on, currency=currency)
    subtotal = sum((facts.amount for facts, _ in lines), Decimal(0))
    # Zero written to the currency's minor unit ("0.00"), as every amount on the invoice is.
    tax_total = sum((tax.amount for tax in taxes), minor_unit(currency) * 0)
    if subtotal + tax_total <= 0:
        raise InvoiceRuleBroken("an invoice must total more than zero; credit with a credit memo")
    if subtotal + tax_total > max_amount():
        raise InvoiceRuleBroken(
            f"an invoice may total at most {max_amount()} {currency} (AR_MONEY_MAX_AMOUNT); "
            "split the charges over several invoices",
            slug="amount-too-large",
        )
    return PricedInvoice(
        lines=[
            facts.model_dump(mode="json") | {"taxed_in": line.taxed_in}
            for (facts, _), line in zip(lines, taxable, strict=True)
        ],
        taxes=taxes,
        subtotal=subtotal,
        tax_total=tax_total,
        total=subtotal + tax_total,
    )


def shown_status(status: str, total: Decimal, credited: Decimal) -> InvoiceStatus:
    """The status people see: an issued invoice credited in full reads `credited`, not
    `issued` (it stays issued underneath: its number, entry and payments' copy stand)."""
    if status == InvoiceStatus.ISSUED and credited >= total:
        return InvoiceStatus.CREDITED
    return InvoiceStatus(status)


def open_amount(
    total: Decimal, credited: Decimal, paid: Decimal, credit_on_account: Decimal
) -> Decimal:
    """What the customer still owes on the invoice: payments decides what settles it, so the part
    of its memos payments kept on account (the invoice was settled already) does not count."""
    return total - (credited - credit_on_account) - paid


def check_voidable(*, status: str, delivery_status: str, paid: Decimal, credited: Decimal) -> None:
    """Only an issued invoice nobody has received, paid or credited may be voided."""
    if status != InvoiceStatus.ISSUED:
        raise InvoiceRuleBroken(f"only an issued invoice can be voided; this one is {status}")
    if delivery_status == DeliveryStatus.SENT:
        raise InvoiceRuleBroken(
            "the invoice was delivered: correct it with a credit memo or rebill"
        )
    if paid:
        raise InvoiceRuleBroken("the invoice has payments applied: correct it with a credit memo")
    if credited:
        raise InvoiceRuleBroken("the invoice has credit memos: correct it with another credit memo")
