"""Who sent a payment: the customer named on it, its account number, a name or bank account
learned from earlier manual matches, or the legal name or DBA on the check."""

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from services.payments.domain.matching.references import alnum


class AliasKind(StrEnum):
    """What a learned payer alias is: a name the customer pays under, or a bank account."""

    NAME = "name"
    ACCOUNT = "account"


_LEGAL_FORMS = {
    "LLC",
    "INC",
    "INCORPORATED",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "LTD",
    "LIMITED",
    "LP",
    "LLP",
    "PLLC",
    "THE",
}
_WORDS = re.compile(r"[A-Z0-9]+")
# A fuzzy name match must score this much (0-100) and beat the runner-up by this margin.
FUZZY_CUTOFF = 88
FUZZY_MARGIN = 5


def normalise_name(name: str) -> str:
    """A payer name without case, punctuation or legal form:
    "Acme Pumps, L.L.C." -> "ACME PUMPS"."""
    words = _WORDS.findall(name.upper().replace("&", " AND ").replace(".", ""))
    return " ".join(w for w in words if w not in _LEGAL_FORMS)


def _token_sorted(name: str) -> str:
    return " ".join(sorted(name.split()))


def normalise_account(account: str) -> str:
    return alnum(account)


@dataclass(frozen=True, slots=True)
class KnownPayer:
    customer_id: uuid.UUID
    account_number: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Identification:
    customer_id: uuid.UUID
    confidence: float
    how: str


class PayerDirectory:
    """Recognises payers; built from payments' copy of the customers and the learned aliases."""

    def __init__(
        self,
        payers: Iterable[KnownPayer],
        *,
        name_aliases: dict[str, uuid.UUID] | None = None,
        account_aliases: dict[str, uuid.UUID] | None = None,
    ) -> None:
        self._accounts: dict[str, uuid.UUID] = {}
        self._names: dict[str, set[uuid.UUID]] = {}
        for payer in payers:
            self._accounts[normalise_account(payer.account_number)] = payer.customer_id
            for name in payer.names:
                self._names.setdefault(normalise_name(name), set()).add(payer.customer_id)
        self._name_list = list(self._names)
        # Token-sorted once, so the fuzzy comparison is a plain ratio (what token_sort_ratio does
        # for every candidate on every call).
        self._sorted_names = [_token_sorted(n) for n in self._name_list]
        # A name resembles only names it shares a word with: compare with those alone.
        self._by_word: dict[str, list[int]] = {}
        for index, known in enumerate(self._name_list):
            for word in set(known.split()):
                self._by_word.setdefault(word, []).append(index)
        self._name_aliases = name_aliases or {}
        self._account_aliases = account_aliases or {}

    def identify(self, name: str | None, account: str | None) -> Identification | None:
        """The customer a payer name or account belongs to, or None when unsure."""
        if account:
            key = normalise_account(account)
            if key in self._accounts:
                return Identification(self._accounts[key], 1.0, f"account number {account}")
            if key in self._account_aliases:
                return Identification(
                    self._account_aliases[key],
                    0.98,
                    f"bank account {account}, learned from an earlier manual match",
                )
        if not name:
            return None
        key = normalise_name(name)
        if key in self._name_aliases:
            return Identification(
                self._name_aliases[key],
                0.97,
                f"payer name {name!r}, learned from an earlier manual match",
            )
        owners = self._names.get(key, set())
        if len(owners) == 1:
            return Identification(next(iter(owners)), 0.95, f"payer name {name!r}")
        return self._fuzzy(name, key) if not owners else None

    def _fuzzy(self, name: str, key: str) -> Identification | None:
        candidates = sorted({i for word in set(key.split()) for i in self._by_word.get(word, ())})
        found = process.extract(
            _token_sorted(key),
            [self._sorted_names[i] for i in candidates],
            scorer=fuzz.ratio,
            limit=2,
            score_cutoff=FUZZY_CUTOFF,
        )
        if not found:
            return None
        best = [(self._name_list[candidates[index]], score) for _, score, index in found]
        owners = self._names[best[0][0]]
        close_rival = (
            len(best) > 1
            and self._names[best[1][0]] != owners
            and best[0][1] - best[1][1] < FUZZY_MARGIN
        )
        if len(owners) != 1 or close_rival:
            return None
        return Identification(
            next(iter(owners)),
            0.8,
            f"payer name {name!r} resembles {best[0][0]!r} ({best[0][1]:.0f}%)",
        )
