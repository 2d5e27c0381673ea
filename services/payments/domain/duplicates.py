"""When two receipts are the same money: the one rule for bank-file transactions and typed
payments alike.

A reference alone says little (NACHA trace numbers restart in every file, camt `NONREF` is no
reference at all), so two receipts are the same money only when they reached the same bank
account, under the same real reference, for the same amount in the same currency, from the
same payer (as far as both name one), within a few days of each other.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Receipt:
    reference: str | None
    amount: Decimal
    currency: str
    received_on: date
    bank_account: str | None = None
    # What each side knows of who paid: "customer", "account" (the payer's bank account),
    # "name" (case and spacing ignored).
    payer: dict[str, str] = field(default_factory=dict)


def payer_of(
    customer_id: object, payer_account: str | None, payer_name: str | None
) -> dict[str, str]:
    known = {
        "customer": str(customer_id) if customer_id else None,
        "account": payer_account.strip() if payer_account else None,
        "name": " ".join(payer_name.casefold().split()) if payer_name else None,
    }
    return {kind: value for kind, value in known.items() if value}


def same_money(earlier: Receipt, later: Receipt, window_days: int) -> bool:
    if not later.reference or earlier.reference != later.reference:
        return False
    if (earlier.amount, earlier.currency, earlier.bank_account) != (
        later.amount,
        later.currency,
        later.bank_account,
    ):
        return False
    if abs((later.received_on - earlier.received_on).days) > window_days:
        return False
    # Payers named on both sides must be the same one: agree on everything both know of them.
    shared = earlier.payer.keys() & later.payer.keys()
    if earlier.payer and later.payer and not shared:
        return False
    return all(earlier.payer[kind] == later.payer[kind] for kind in shared)
