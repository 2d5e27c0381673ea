"""The balanced journal entry of every payments document, on the configured GL accounts.

payment: Dr cash / Cr unapplied cash · application: Dr unapplied cash (+ Dr discounts allowed) /
Cr AR · deposit: Dr cash / Cr customer deposits · deposit applied: Dr customer deposits / Cr AR ·
refund: Dr unapplied cash / Cr cash · write-off: Dr bad debt / Cr AR · a reversal or an
unapplication posts the exact reverse of what it undoes.
"""

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from services.payments.settings import GLAccounts
from shared.events.journal import JournalEntry, Posting

Line = tuple[str, Decimal]


def entry(
    *,
    source: str,
    document_id: uuid.UUID,
    posted_on: date,
    currency: str,
    debits: Sequence[Line],
    credits: Sequence[Line],
    memo: str | None = None,
) -> JournalEntry:
    """A journal entry from debit and credit lines; zero lines are left out."""
    postings = [Posting(account=a, debit=x, memo=memo) for a, x in debits if x] + [
        Posting(account=a, credit=x, memo=memo) for a, x in credits if x
    ]
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=posted_on,
        currency=currency,
        source=source,
        document_id=document_id,
        postings=postings,
    )


def reversed_entry(
    original: JournalEntry, *, source: str, posted_on: date, memo: str
) -> JournalEntry:
    """The mirror of `original`: every debit becomes a credit and the other way round."""
    return JournalEntry(
        entry_id=uuid.uuid4(),
        posted_on=posted_on,
        currency=original.currency,
        source=source,
        document_id=original.document_id,
        postings=[
            Posting(account=p.account, debit=p.credit, credit=p.debit, memo=memo)
            for p in original.postings
        ],
    )


# Documents posting one amount from one account to another: (debit account, credit account).
SIMPLE_POSTINGS = {
    "payment": ("cash", "unapplied_cash"),
    "deposit": ("cash", "customer_deposits"),
    "refund": ("unapplied_cash", "cash"),
    "write_off": ("bad_debt", "accounts_receivable"),
}


def posted(
    gl: GLAccounts, source: str, document_id: uuid.UUID, on: date, currency: str, amount: Decimal
) -> JournalEntry:
    """The entry of a payment, deposit, refund or write-off (see SIMPLE_POSTINGS)."""
    debit, credit = SIMPLE_POSTINGS[source]
    return entry(
        source=source,
        document_id=document_id,
        posted_on=on,
        currency=currency,
        debits=[(getattr(gl, debit), amount)],
        credits=[(getattr(gl, credit), amount)],
    )


def applied(
    gl: GLAccounts,
    application_id: uuid.UUID,
    on: date,
    currency: str,
    amount: Decimal,
    discount: Decimal,
    *,
    from_deposit: bool,
) -> JournalEntry:
    """Cash (or a deposit) and any discount taken, off the invoice's receivable."""
    source_account = gl.customer_deposits if from_deposit else gl.unapplied_cash
    return entry(
        source="application",
        document_id=application_id,
        posted_on=on,
        currency=currency,
        debits=[(source_account, amount), (gl.discounts_allowed, discount)],
        credits=[(gl.accounts_receivable, amount + discount)],
    )
