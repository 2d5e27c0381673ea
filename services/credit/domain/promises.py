"""Promises to pay, kept or broken, judged by the payments that followed them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Promise:
    amount: Decimal
    recorded_on: date
    promised_on: date


@dataclass(frozen=True, slots=True)
class Received:
    on: date
    amount: Decimal


def is_broken(promise: Promise, payments: Sequence[Received], *, today: date) -> bool:
    """Broken once its day has passed without payments, received from the day it was made
    through the day promised, adding up to the amount. A promise still running is not broken."""
    if today <= promise.promised_on:
        return False
    paid = sum(
        (p.amount for p in payments if promise.recorded_on <= p.on <= promise.promised_on),
        Decimal(0),
    )
    return paid < promise.amount


def broken_promises(
    promises: Sequence[Promise], payments: Sequence[Received], *, today: date
) -> int:
    return sum(is_broken(promise, payments, today=today) for promise in promises)
