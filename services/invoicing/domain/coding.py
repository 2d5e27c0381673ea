"""Coding suggestions for vendor-bill lines: which account and cost category a line most likely
takes, from how the vendor's earlier lines with the same words were coded and from the words
themselves, and which ticket it names; with a confidence from 0 to 1 and the reasons in words.
Only at or above the threshold is a line coded without a person (docs/domain.md#coding-suggestions).
"""

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from services.invoicing.domain.costs import CostCategory

_WORD = re.compile(r"[a-z]+")
_TICKET = re.compile(r"\b([A-Z]{1,5}-?\d{3,})\b", re.IGNORECASE)

# Words that say what a cost was for, whoever the vendor.
CATEGORY_WORDS: dict[CostCategory, frozenset[str]] = {
    CostCategory.LABOR: frozenset({"labor", "labour", "hours", "technician", "crew", "welder"}),
    CostCategory.TRUCKING: frozenset(
        {"haul", "hauling", "trucking", "freight", "transport", "delivery", "mileage", "vac"}
    ),
    CostCategory.DISPOSAL: frozenset({"disposal", "dump", "landfill", "tipping", "waste", "swd"}),
    CostCategory.PARTS: frozenset({"parts", "part", "seal", "valve", "filter", "kit", "pipe"}),
    CostCategory.EQUIPMENT: frozenset({"rental", "rent", "equipment", "generator", "crane"}),
}
_STOP = frozenset({"and", "the", "for", "of", "on", "at", "per", "to", "a", "in", "ea", "hr"})
# A history this long for a word counts fully; fewer earlier lines count for less.
_FULL_HISTORY = 3
# A word unseen before matches a seen one this alike (a typo: "dispsoal" for "disposal").
_ALIKE = 0.8


def words_of(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if len(w) > 1 and w not in _STOP]


def ticket_numbers_in(text: str) -> list[str]:
    return [m.upper() for m in _TICKET.findall(text)]


@dataclass(frozen=True)
class Coding:
    account: str
    cost_category: str


@dataclass(frozen=True)
class Suggestion:
    account: str | None
    cost_category: str | None
    ticket_number: str | None
    confidence: float  # a likelihood, not money
    explanation: str

    def as_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "cost_category": self.cost_category,
            "ticket_number": self.ticket_number,
            "confidence": round(self.confidence, 3),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class _Vote:
    best: Coding
    likelihood: float  # the best coding's part of the votes' weight: a probability, not money
    matched: int  # words known (or nearly) from earlier lines


@dataclass
class _VendorHistory:
    codings: Counter[Coding] = field(default_factory=Counter)
    by_word: dict[str, Counter[Coding]] = field(default_factory=dict)
    # The known word nearest each unknown one, once looked for: an import asks the same often.
    alike: dict[str, str | None] = field(default_factory=dict)
    # The vote of each set of words, once counted: an import's lines repeat a few texts, their
    # ticket numbers aside (no word).
    votes_of: dict[tuple[str, ...], _Vote | None] = field(default_factory=dict)

    def closest(self, word: str) -> str | None:
        if word not in self.alike:
            self.alike[word] = _closest(word, self.by_word)
        return self.alike[word]

    def vote(self, words: list[str]) -> _Vote | None:
        """The coding the words' earlier lines weigh most, or none when no word is known."""
        key = tuple(words)
        if key not in self.votes_of:
            self.votes_of[key] = self._count(words)
        return self.votes_of[key]

    def _count(self, words: list[str]) -> _Vote | None:
        votes: Counter[Coding] = Counter()
        matched = 0
        for word in words:
            seen, alike = self.by_word.get(word), None
            if seen is None:
                alike = self.closest(word)
                seen = self.by_word.get(alike) if alike else None
            if seen is None:
                continue
            matched += 1
            total = sum(seen.values())
            weight = min(1.0, total / _FULL_HISTORY) * (0.8 if alike else 1.0)
            for coding, count in seen.items():
                votes[coding] += weight * count / total
        if not votes:
            return None
        best, score = votes.most_common(1)[0]
        return _Vote(best, score / sum(votes.values()), matched)


class CodingHistory:
    """How each vendor's earlier lines were coded, by the words in them."""

    def __init__(self) -> None:
        self._vendors: dict[object, _VendorHistory] = {}

    def learn(self, vendor: object, description: str, coding: Coding) -> None:
        history = self._vendors.setdefault(vendor, _VendorHistory())
        history.codings[coding] += 1
        history.alike.clear()
        history.votes_of.clear()
        for word in set(words_of(description)):
            history.by_word.setdefault(word, Counter())[coding] += 1

    def suggest(
        self,
        vendor: object,
        description: str,
        *,
        default_account: str | None = None,
        known_ticket: Callable[[str], bool] = lambda _: False,
    ) -> Suggestion:
        history = self._vendors.get(vendor, _VendorHistory())
        words = words_of(description)
        tickets = [t for t in ticket_numbers_in(description) if known_ticket(t)]
        ticket = tickets[0] if len(tickets) == 1 else None
        reasons = []
        if ticket:
            reasons.append(f"names ticket {ticket}")
        elif len(tickets) > 1:
            reasons.append(f"names {len(tickets)} tickets: code the job by hand")
        vote = history.vote(words)
        by_words = _category_by_words(words)
        if vote is None:
            return self._without_words(history, by_words, default_account, ticket, reasons)
        best, likelihood, matched = vote.best, vote.likelihood, vote.matched
        coverage = matched / max(len(words), 1)
        confidence = likelihood * (0.5 + 0.5 * coverage)
        reasons.append(
            f"{matched} of {len(words)} words were coded {best.account}/{best.cost_category} "
            f"on this vendor's earlier lines ({likelihood:.0%} of their weight)"
        )
        if by_words is not None and by_words != best.cost_category:
            # The text says one thing and the history another: a person looks.
            confidence = min(confidence, 0.5)
            reasons.append(f"but the words read as {by_words}")
        return Suggestion(best.account, best.cost_category, ticket, confidence, "; ".join(reasons))

    @staticmethod
    def _without_words(
        history: _VendorHistory,
        by_words: str | None,
        default_account: str | None,
        ticket: str | None,
        reasons: list[str],
    ) -> Suggestion:
        """No word seen before: the vendor's usual coding, or what the words say, at a
        confidence below any sensible threshold."""
        if history.codings:
            usual, count = history.codings.most_common(1)[0]
            usual_part = count / sum(history.codings.values())
            reasons.append(
                f"no word seen before; {usual_part:.0%} of this vendor's lines are {usual.account}"
            )
            if by_words is not None and by_words != usual.cost_category:
                return Suggestion(
                    None,
                    by_words,
                    ticket,
                    0.2,
                    "; ".join(reasons + [f"the words read as {by_words}"]),
                )
            return Suggestion(
                usual.account, usual.cost_category, ticket, 0.6 * usual_part, "; ".join(reasons)
            )
        if by_words is not None:
            reasons.append(f"no history for this vendor; the words read as {by_words}")
            return Suggestion(default_account, by_words, ticket, 0.4, "; ".join(reasons))
        reasons.append("no history for this vendor and no telling words")
        return Suggestion(
            default_account, None, ticket, 0.1 if default_account else 0.0, "; ".join(reasons)
        )


def _closest(word: str, known: Iterable[str]) -> str | None:
    if len(word) < 4:
        return None
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=_ALIKE)
    return found[0] if found else None


def _category_by_words(words: Iterable[str]) -> str | None:
    """The one category the words name, if they name exactly one."""
    given = set(words)
    named = {category for category, vocabulary in CATEGORY_WORDS.items() if given & vocabulary}
    return next(iter(named)).value if len(named) == 1 else None
