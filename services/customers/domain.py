"""Customer master rules, in plain Python: what a valid customer is."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import ein

from shared.api.problems import BusinessRuleViolation
from shared.events.customers import AddressKind, CustomerStatus, PaymentTerms, TermsKind


class OnboardingStatus(StrEnum):
    PENDING = "pending"
    RECEIVED = "received"
    WAIVED = "waived"


class DocumentKind(StrEnum):
    CREDIT_APPLICATION = "credit_application"
    W9 = "w9"
    EXEMPTION_CERTIFICATE = "exemption_certificate"
    SIGNED_TERMS = "signed_terms"
    OTHER = "other"


# What every new customer's onboarding checklist asks for, in order. Receiving a document of the
# same kind ticks the item.
ONBOARDING_CHECKLIST = (
    DocumentKind.CREDIT_APPLICATION,
    DocumentKind.W9,
    DocumentKind.EXEMPTION_CERTIFICATE,
    DocumentKind.SIGNED_TERMS,
)


class CustomerRuleBroken(BusinessRuleViolation):
    """A change that would leave the customer invalid; the message says why."""


# What the rules read of a customer, so they work on the table row without knowing the table.
class _Revisioned(Protocol):
    revision: int
    updated_at: datetime


class _HasKind(Protocol):
    @property
    def kind(self) -> str: ...


class _Addressed(Protocol):
    @property
    def addresses(self) -> Sequence[_HasKind]: ...


def touch(customer: _Revisioned, now: datetime) -> None:
    """Every change makes a new revision, which consumers use to keep only the newest copy."""
    customer.revision += 1
    customer.updated_at = now


def normalise_ein(tax_id: str) -> str:
    """An EIN as NN-NNNNNNN, after checking its IRS campus prefix."""
    try:
        return ein.format(ein.validate(tax_id))
    except StdnumError as exc:
        raise ValueError(f"{tax_id!r} is not a valid EIN: {exc}") from exc


def check_terms(terms: PaymentTerms) -> None:
    has_percent, has_days = terms.discount_percent is not None, terms.discount_days is not None
    if has_percent != has_days:
        raise CustomerRuleBroken(
            "an early-payment discount needs both discount_percent and discount_days"
        )
    if terms.kind == TermsKind.DUE_ON_RECEIPT and (terms.days or has_percent):
        raise CustomerRuleBroken("due-on-receipt terms take no days and no discount")
    if terms.kind == TermsKind.NET and has_days and terms.discount_days >= terms.days:  # type: ignore[operator]
        raise CustomerRuleBroken("the discount window must end before the net due date")


def check_can_hold_status(customer: _Addressed, status: CustomerStatus) -> None:
    if status == CustomerStatus.ACTIVE and not any(
        a.kind == AddressKind.BILL_TO for a in customer.addresses
    ):
        raise CustomerRuleBroken("an active customer needs a bill-to address to send invoices to")
