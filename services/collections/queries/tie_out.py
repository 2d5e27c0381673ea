"""Does the ledger tie to the GL? Its AR control items against the journal's AR control postings."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import JournalLine, LedgerEntry
from services.collections.queries.sums import grouped_sums


@dataclass(frozen=True)
class TieOut:
    currency: str
    ledger: Decimal
    journal: Decimal

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.journal


async def tie_out(session: AsyncSession, as_of: date, ar_account: str) -> list[TieOut]:
    """Per currency, the ledger's AR (invoices and credit memos) and the AR control account's
    debits less credits, both counting only what is dated on or before `as_of`."""
    ledger = await grouped_sums(
        session,
        [col(LedgerEntry.currency)],
        col(LedgerEntry.amount),
        [
            col(LedgerEntry.ar_control).is_(True),
            col(LedgerEntry.entry_date) <= as_of,
        ],
    )
    where = [col(JournalLine.account) == ar_account, col(JournalLine.posted_on) <= as_of]
    debits = await grouped_sums(session, [col(JournalLine.currency)], col(JournalLine.debit), where)
    credits = await grouped_sums(
        session, [col(JournalLine.currency)], col(JournalLine.credit), where
    )
    currencies = sorted({key[0] for key in [*ledger, *debits, *credits]})
    return [
        TieOut(
            c,
            ledger.get((c,), Decimal(0)),
            debits.get((c,), Decimal(0)) - credits.get((c,), Decimal(0)),
        )
        for c in currencies
    ]
