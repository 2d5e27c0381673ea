"""The credit scorecard: a score from 0 to 100 and the factors that moved it.

Every customer starts at 50 points. Each factor adds or takes points as listed below,
and the score is the sum, kept within 0..100:

- bureau score, the newest unexpired report's (0-100):
  >= 80: +20, 60-79: +10, 40-59: 0, < 40: -20; no current report: -10
- bureau payment index, the same report's (0-100, 80 = pays on terms):
  >= 80: +10, 70-79: +5, 50-69: -5, < 50: -10
- derogatory items on that report (liens, judgments, collections): -5 each, at most -20
- trade references, average days beyond terms of the verified ones:
  <= 0: +10, 1-15: +5, 16-30: 0, > 30: -10; none verified: -5
- our payment history, amount-weighted days beyond terms of invoices paid to us:
  <= 0: +15, 1-10: +8, 11-30: 0, 31-60: -10, > 60: -20; nothing paid yet: 0
- returned (NSF) payments: -10 each, at most -30
- broken promises to pay (collections' promises not met by the day promised): -5 each, at most -15
- utilisation, exposure / credit limit: <= 50%: +5, 51-80%: 0, 81-100%: -5, over 100%: -15
- age of the relationship, since our first invoice:
  >= 5 years: +10, >= 2 years: +5, >= 1 year: 0, under a year or no invoice yet: -5

Grades: A ≥ 80, B ≥ 65, C ≥ 50, D ≥ 35, E below.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

BASE_POINTS = 50
GRADES = ((80, "A"), (65, "B"), (50, "C"), (35, "D"))


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    bureau_score: int | None = None
    bureau_payment_index: int | None = None
    derogatory_items: int | None = None
    # Days beyond terms each verified trade reference reported.
    reference_days_beyond_terms: Sequence[int] = ()
    payment_days_beyond_terms: Decimal | None = None
    returned_payments: int = 0
    broken_promises: int = 0
    utilisation: Decimal | None = None
    relationship_days: int | None = None


@dataclass(frozen=True, slots=True)
class Factor:
    name: str
    value: str
    points: int
    explanation: str


@dataclass(frozen=True, slots=True)
class Score:
    points: int
    grade: str
    factors: list[Factor]

    @property
    def moved_by(self) -> list[Factor]:
        """The factors that changed the score, largest effect first."""
        return sorted((f for f in self.factors if f.points), key=lambda f: -abs(f.points))


def _band(value: Decimal | int, bands: Sequence[tuple[Decimal | int, int]], otherwise: int) -> int:
    """Points of the first band whose upper bound `value` does not exceed."""
    for upper, points in bands:
        if value <= upper:
            return points
    return otherwise


def _at_least(value: int, bands: Sequence[tuple[int, int]], otherwise: int) -> int:
    """Points of the first band whose lower bound `value` reaches."""
    for lower, points in bands:
        if value >= lower:
            return points
    return otherwise


def _bureau(inputs: ScoreInputs) -> list[Factor]:
    if inputs.bureau_score is None:
        return [Factor("bureau_score", "none", -10, "no current bureau report")]
    score = inputs.bureau_score
    factors = [
        Factor(
            "bureau_score",
            str(score),
            _at_least(score, [(80, 20), (60, 10), (40, 0)], -20),
            f"bureau score {score}",
        )
    ]
    if inputs.bureau_payment_index is not None:
        index = inputs.bureau_payment_index
        factors.append(
            Factor(
                "bureau_payment_index",
                str(index),
                _at_least(index, [(80, 10), (70, 5), (50, -5)], -10),
                f"bureau payment index {index} (80 pays on terms)",
            )
        )
    items = inputs.derogatory_items or 0
    factors.append(
        Factor(
            "derogatory_items",
            str(items),
            -min(5 * items, 20),
            f"{items} derogatory item(s) on the report",
        )
    )
    return factors


def _references(inputs: ScoreInputs) -> Factor:
    days = inputs.reference_days_beyond_terms
    if not days:
        return Factor("trade_references", "none", -5, "no verified trade reference")
    average = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Factor(
        "trade_references",
        str(average),
        _band(average, [(0, 10), (15, 5), (30, 0)], -10),
        f"{len(days)} verified reference(s) report {average} days beyond terms on average",
    )


def _payment_history(inputs: ScoreInputs) -> list[Factor]:
    factors = []
    dbt = inputs.payment_days_beyond_terms
    if dbt is None:
        factors.append(Factor("payment_history", "none", 0, "no invoice paid to us yet"))
    else:
        dbt = dbt.quantize(Decimal("0.1"), ROUND_HALF_UP)
        factors.append(
            Factor(
                "payment_history",
                str(dbt),
                _band(dbt, [(0, 15), (10, 8), (30, 0), (60, -10)], -20),
                f"pays us {dbt} days beyond terms, weighted by amount",
            )
        )
    returned = inputs.returned_payments
    factors.append(
        Factor(
            "returned_payments",
            str(returned),
            -min(10 * returned, 30),
            f"{returned} payment(s) returned or NSF",
        )
    )
    broken = inputs.broken_promises
    factors.append(
        Factor(
            "broken_promises",
            str(broken),
            -min(5 * broken, 15),
            f"{broken} promise(s) to pay broken",
        )
    )
    return factors


def _utilisation(inputs: ScoreInputs) -> Factor:
    if inputs.utilisation is None:
        return Factor("utilisation", "none", 0, "no credit limit to measure against")
    percent = (inputs.utilisation * 100).quantize(Decimal(1), ROUND_HALF_UP)
    return Factor(
        "utilisation",
        f"{percent}%",
        _band(percent, [(50, 5), (80, 0), (100, -5)], -15),
        f"exposure is {percent}% of the credit limit",
    )


def _relationship(inputs: ScoreInputs) -> Factor:
    days = inputs.relationship_days
    if days is None:
        return Factor("relationship_age", "none", -5, "no invoice issued to the customer yet")
    years = Decimal(days) / Decimal("365.25")
    points = 10 if years >= 5 else 5 if years >= 2 else 0 if years >= 1 else -5
    return Factor(
        "relationship_age",
        f"{days}d",
        points,
        f"customer for {years.quantize(Decimal('0.1'), ROUND_HALF_UP)} years",
    )


def score(inputs: ScoreInputs) -> Score:
    """Apply the scorecard above."""
    factors = [
        *_bureau(inputs),
        _references(inputs),
        *_payment_history(inputs),
        _utilisation(inputs),
        _relationship(inputs),
    ]
    points = max(0, min(100, BASE_POINTS + sum(f.points for f in factors)))
    grade = next((g for floor, g in GRADES if points >= floor), "E")
    return Score(points, grade, factors)
