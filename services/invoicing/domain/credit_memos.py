"""Credit-memo rules in plain Python: what a whole or partial credit takes off an invoice,
its tax per jurisdiction, and what may be credited at most (what is open). Who may approve is
shared/authority.py's rule."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.invoicing.domain.invoices import InvoiceRuleBroken
from services.invoicing.domain.tickets import line_amount
from shared.events.invoicing import InvoiceLineFacts, TaxLineFacts
from shared.money import is_whole_minor_units, minor_unit, round_money


@dataclass(frozen=True)
class CreditRequest:
    """Credit `quantity` units of invoice line `line` (1-based), or an `amount` off it."""

    line: int
    quantity: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class Credit:
    lines: list[InvoiceLineFacts]
    taxes: list[TaxLineFacts]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def tax_total(self) -> Decimal:
        return sum((tax.amount for tax in self.taxes), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total


def whole_credit(lines: Sequence[Mapping[str, Any]], taxes: Sequence[Mapping[str, Any]]) -> Credit:
    """Everything the invoice charged, tax exactly as invoiced."""
    return Credit(
        [InvoiceLineFacts.model_validate(line) for line in lines],
        [TaxLineFacts.model_validate(tax) for tax in taxes],
    )


def _credited_line(
    line: Mapping[str, Any], request: CreditRequest, currency: str
) -> InvoiceLineFacts:
    facts = InvoiceLineFacts.model_validate(line)
    if request.quantity is not None:
        if request.quantity > facts.quantity:
            raise InvoiceRuleBroken(
                f"line {request.line}: cannot credit {request.quantity} {facts.unit}, "
                f"the invoice charged {facts.quantity}"
            )
        amount = line_amount(request.quantity, facts.unit_price, currency)
        return facts.model_copy(update={"quantity": request.quantity, "amount": amount})
    assert request.amount is not None
    if not is_whole_minor_units(request.amount, currency):
        raise InvoiceRuleBroken(
            f"line {request.line}: {request.amount} is not a whole amount of {currency}'s "
            f"smallest unit ({minor_unit(currency)})"
        )
    if request.amount > facts.amount:
        raise InvoiceRuleBroken(
            f"line {request.line}: cannot credit {request.amount}, the line is {facts.amount}"
        )
    return facts.model_copy(
        update={
            "description": f"Adjustment: {facts.description}",
            "quantity": Decimal(1),
            "unit": "adj",
            "unit_price": request.amount,
            "amount": request.amount,
        }
    )


def partial_credit(
    lines: Sequence[Mapping[str, Any]],
    taxes: Sequence[Mapping[str, Any]],
    requests: Sequence[CreditRequest],
    currency: str,
) -> Credit:
    """Part of some lines; each jurisdiction's tax on the credited part at the invoiced rate,
    rounded once per jurisdiction like the invoice's."""
    credited, base = [], {tax["jurisdiction"]: Decimal(0) for tax in taxes}
    for request in requests:
        if not 1 <= request.line <= len(lines):
            raise InvoiceRuleBroken(f"the invoice has no line {request.line}")
        line = lines[request.line - 1]
        facts = _credited_line(line, request, currency)
        credited.append(facts)
        for code in line.get("taxed_in", []):
            base[code] += facts.amount
    credit_taxes = []
    for tax in taxes:
        invoiced = TaxLineFacts.model_validate(tax)
        taxable = base[invoiced.jurisdiction]
        if taxable:
            amount = round_money(taxable * invoiced.rate, currency)
            credit_taxes.append(
                invoiced.model_copy(update={"taxable_amount": taxable, "amount": amount})
            )
    return Credit(credited, credit_taxes)


def check_creditable(credit: Credit, open_amount: Decimal) -> None:
    if credit.total <= 0:
        raise InvoiceRuleBroken("a credit memo must credit more than zero")
    if credit.total > open_amount:
        raise InvoiceRuleBroken(
            f"the credit of {credit.total} is more than the {open_amount} open on the invoice",
            slug="credit-exceeds-open-amount",
        )
