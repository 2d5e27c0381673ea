"""Customer master rules, in plain Python: what a valid customer is."""

import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from rapidfuzz import fuzz, process
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import ein

from shared.api.problems import BusinessRuleViolation, Conflict
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


# Words that say what kind of company it is, not which one: "Acme Pumps, L.L.C." and
# "ACME PUMPS INC" are the same name to a person looking for duplicates.
LEGAL_FORMS = frozenset(
    "llc lc pllc inc incorporated corp corporation co company ltd limited lp llp plc".split()
)
STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "highway": "hwy",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}
_WORDS = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    """Lower-case words without accents; dots and apostrophes join ("L.L.C." is "llc")."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORDS.findall(folded.replace("&", " and ").replace(".", "").replace("'", ""))


def name_key(legal_name: str) -> str:
    """A legal name as duplicates are compared: no case, accents, punctuation, leading "the"
    or legal form ("The Acme Pumps, L.L.C." → "acme pumps"). A name that is nothing but
    such words keeps them."""
    words = _words(legal_name)
    core = [w for w in words if w not in LEGAL_FORMS]
    if core and core[0] == "the":
        core = core[1:]
    return " ".join(core or words)


def address_key(line1: str, postal_code: str) -> str:
    """A street address as duplicates are compared: the first line's words with the usual
    abbreviations ("100 Main Street" is "100 main st") and the five-digit ZIP."""
    street = " ".join(STREET_WORDS.get(w, w) for w in _words(line1))
    return f"{street}|{postal_code.strip()[:5]}"


class DuplicateMatch(StrEnum):
    TAX_ID = "tax_id"
    NAME = "name"
    SIMILAR_NAME = "similar_name"
    ADDRESS = "address"


class ProbableDuplicate(Conflict):
    slug, title = "probable-duplicate-customer", "The customer looks already registered"


# How alike two name keys must be (0-100, word order ignored) to list them as likely duplicates.
SIMILAR_NAME_SCORE = 85


def similar_names(
    key: str, candidates: dict[uuid.UUID, str], *, limit: int
) -> dict[uuid.UUID, int]:
    """The candidates whose name key is like `key`, with how alike (100: the same words)."""
    found = process.extract(
        key, candidates, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_NAME_SCORE, limit=limit
    )
    return {customer_id: round(score) for _, score, customer_id in found}
