"""What a rental contract line owes by a billing run's cut-off: each due cycle's rent (charge
to date less billed), its damage waiver, environmental fee and excess meter hours, delivery
with the first cycle and pick-up once it is back; and the credit when it came back early."""

from collections.abc import Set
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from services.invoicing.domain.rentals.cycles import (
    Cycle,
    Proration,
    Timing,
    bill_cycle,
    charge_to_date,
    check_proration,
    cycle_of,
    due_on,
)
from services.invoicing.domain.rentals.meters import MeterAllowance, excess_hours
from services.invoicing.domain.rentals.rates import (
    ZERO,
    RateTable,
    RentalRuleBroken,
)
from shared.money import round_money


class ChargeKind(StrEnum):
    RENT = "rent"
    DAMAGE_WAIVER = "damage_waiver"
    ENVIRONMENTAL = "environmental"
    EXCESS_HOURS = "excess_hours"
    DELIVERY = "delivery"
    PICKUP = "pickup"
    CREDIT = "credit"


# The tax class each kind is billed in (a jurisdiction lists the classes it taxes).
TAXABILITY = {
    ChargeKind.RENT: "rental",
    ChargeKind.DAMAGE_WAIVER: "rental",
    ChargeKind.ENVIRONMENTAL: "rental",
    ChargeKind.EXCESS_HOURS: "rental",
    ChargeKind.DELIVERY: "delivery",
    ChargeKind.PICKUP: "delivery",
}


@dataclass(frozen=True)
class LineTerms:
    table: RateTable
    cycle: Cycle
    timing: Timing
    on_rent: date
    off_rent: date | None
    description: str
    quantity: int = 1
    damage_waiver_percent: Decimal = ZERO
    environmental_fee: Decimal = ZERO
    delivery_charge: Decimal = ZERO
    pickup_charge: Decimal = ZERO
    meter: MeterAllowance | None = None
    meter_hours: Decimal | None = None
    proration: Proration = Proration()

    def __post_init__(self) -> None:
        check_proration(self.cycle, self.proration)
        if self.quantity < 1:
            raise RentalRuleBroken("a line rents at least one unit")
        if self.off_rent is not None and self.off_rent < self.on_rent:
            raise RentalRuleBroken("a line comes off rent on or after it went on rent")

    @property
    def rates(self) -> RateTable:
        return self.table.on_28_day_cycle() if self.cycle == Cycle.TWENTY_EIGHT_DAY else self.table


@dataclass(frozen=True)
class Billed:
    """What a line was billed so far: rent and excess hours in total, the last rent cycle, and
    the cycles whose pick-up was billed."""

    rent: Decimal = ZERO
    excess: Decimal = ZERO
    last_cycle: int = 0
    pickups: Set[int] = frozenset()


@dataclass(frozen=True)
class LineCharge:
    cycle_number: int
    kind: ChargeKind
    amount: Decimal
    description: str
    billed_through: date

    @property
    def taxability(self) -> str:
        return TAXABILITY[self.kind]


def _units(quantity: int, text: str) -> str:
    return text if quantity == 1 else f"{quantity} units × ({text})"


def due_charges(terms: LineTerms, billed: Billed, cut_off: date) -> list[LineCharge]:
    """Every charge of the line due by `cut_off` and not billed yet, cycle by cycle."""
    currency, found = terms.table.currency, []
    rent, excess, number = billed.rent, billed.excess, billed.last_cycle + 1
    while due_on(terms.timing, terms.cycle, terms.on_rent, terms.off_rent, number) <= cut_off:
        per_unit_before = rent / terms.quantity
        bill = bill_cycle(
            terms.table,
            terms.cycle,
            terms.on_rent,
            terms.off_rent,
            number,
            per_unit_before,
            terms.proration,
        )
        if bill is None:
            break
        amount = bill.amount * terms.quantity
        found.append(
            LineCharge(
                number,
                ChargeKind.RENT,
                amount,
                f"{terms.description}: {_units(terms.quantity, bill.explanation)}",
                bill.through,
            )
        )
        rent += amount
        if terms.damage_waiver_percent and amount:
            waiver = round_money(amount * terms.damage_waiver_percent / 100, currency)
            found.append(
                LineCharge(
                    number,
                    ChargeKind.DAMAGE_WAIVER,
                    waiver,
                    f"damage waiver {terms.damage_waiver_percent}% of {amount:,.2f}",
                    bill.through,
                )
            )
        if terms.environmental_fee:
            found.append(
                LineCharge(
                    number,
                    ChargeKind.ENVIRONMENTAL,
                    terms.environmental_fee * terms.quantity,
                    f"environmental fee, cycle {number}",
                    bill.through,
                )
            )
        if number == 1 and terms.delivery_charge:
            found.append(
                LineCharge(1, ChargeKind.DELIVERY, terms.delivery_charge, "delivery", bill.through)
            )
        if terms.meter is not None and terms.meter_hours is not None:
            over = excess_hours(terms.meter, bill.charge_to_date, terms.meter_hours, currency)
            extra = over.amount * terms.quantity - excess
            if extra > 0:
                found.append(
                    LineCharge(
                        number, ChargeKind.EXCESS_HOURS, extra, over.explanation, bill.through
                    )
                )
                excess += extra
        number += 1
    back = terms.off_rent
    if back is not None and back <= cut_off and terms.pickup_charge:
        last = cycle_of(terms.cycle, terms.on_rent, max(terms.on_rent, back - timedelta(days=1)))
        if last not in billed.pickups:
            found.append(LineCharge(last, ChargeKind.PICKUP, terms.pickup_charge, "pick-up", back))
    return found


def _owed(terms: LineTerms, through: date) -> Decimal:
    """One unit's rent for its days up to `through`, under the contract's proration."""
    return charge_to_date(terms.rates, terms.cycle, terms.on_rent, through, terms.proration)[0]


def early_return_credit(terms: LineTerms, billed_rent: Decimal) -> Decimal:
    """Rent billed in advance beyond what the days the line was actually out owe; never
    negative, so never more than was billed."""
    if terms.off_rent is None:
        raise RentalRuleBroken("the line is still on rent")
    per_unit = billed_rent / terms.quantity - _owed(terms, terms.off_rent)
    return max(ZERO, per_unit) * terms.quantity


def earned(terms: LineTerms, through: date) -> Decimal:
    """The rent for the days on rent up to `through` (or the off-rent date, if earlier)."""
    if through < terms.on_rent:
        return ZERO
    end = through if terms.off_rent is None else min(through, terms.off_rent)
    return _owed(terms, end) * terms.quantity


def accrued_unbilled(terms: LineTerms, billed_rent: Decimal, as_of: date) -> Decimal:
    """Rent earned through `as_of` (or the off-rent date) not billed yet; never negative (a
    cycle billed in advance is ahead of what was earned)."""
    return max(ZERO, earned(terms, as_of) - billed_rent)
