"""Reads of the GL side: batches and their lines, the trial balance, what makes the AR control
account differ from the ledger, the rollforward's sums and the month's registers."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, cast, func, literal, union_all
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.gl import (
    BatchLine,
    Rollforward,
    TrialBalanceRow,
    rollforward,
    trial_balance,
)
from services.collections.domain.ledger import EntryKind
from services.collections.models import (
    CollectionAccount,
    GLBatch,
    GLBatchLine,
    GLBatchPosting,
    JournalLine,
    LedgerEntry,
    LedgerItem,
    LoggedEvent,
)
from services.collections.queries.sums import grouped_sums
from services.collections.queries.tie_out import TieOut
from shared.db import chunks, on_postgres

ZERO = Decimal(0)


async def batches(session: AsyncSession) -> list[GLBatch]:
    """Every batch, newest first."""
    return list((await session.exec(select(GLBatch).order_by(col(GLBatch.number).desc()))).all())


async def batch_lines(session: AsyncSession, number: int) -> list[BatchLine]:
    """The batch summarised by currency, account and district, as written when it was
    exported, in that order."""
    rows = await session.exec(select(GLBatchLine).where(col(GLBatchLine.batch_number) == number))
    lines = [
        BatchLine(r.currency, r.account, r.department, r.debit, r.credit, r.postings)
        for r in rows.all()
    ]
    return sorted(lines, key=lambda line: (line.currency, line.account, line.department))


async def unbatched_through(session: AsyncSession, through: date) -> int:
    """How many postings dated on or before `through` no batch has taken yet."""
    taken = select(GLBatchPosting.entry_id).where(
        col(GLBatchPosting.entry_id) == col(JournalLine.entry_id),
        col(GLBatchPosting.line_no) == col(JournalLine.line_no),
    )
    statement = select(func.count()).where(col(JournalLine.posted_on) <= through, ~taken.exists())
    return (await session.exec(statement)).one()


async def trial_balance_as_of(session: AsyncSession, as_of: date) -> list[TrialBalanceRow]:
    """Every account collections has postings for, dated on or before `as_of`."""
    keys = [col(JournalLine.currency), col(JournalLine.account)]
    where = [col(JournalLine.posted_on) <= as_of]
    debits = await grouped_sums(session, keys, col(JournalLine.debit), where)
    credits = await grouped_sums(session, keys, col(JournalLine.credit), where)
    return trial_balance(debits, credits)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DocumentDifference:
    """An event whose AR in the ledger differs from what its journal entry posted to AR
    control: the documents behind a tie-out difference."""

    currency: str
    event_id: uuid.UUID | None
    event_type: str | None
    document_number: str | None
    document_date: date | None
    ledger: Decimal
    journal: Decimal

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.journal


PerEvent = dict[tuple[str, uuid.UUID | None], tuple[Decimal, Decimal]]


async def _per_event(session: AsyncSession, as_of: date, ar_account: str) -> PerEvent:
    """{(currency, event): (ledger AR, AR control debits less credits)}, dated through `as_of`.
    On PostgreSQL one statement reads both, so a consumer committing in between cannot make an
    event look half-posted (each statement of a read-committed transaction sees a new
    snapshot); SQLite's read transaction keeps one snapshot throughout."""
    ledger_where = [col(LedgerEntry.ar_control).is_(True), col(LedgerEntry.entry_date) <= as_of]
    journal_where = [col(JournalLine.account) == ar_account, col(JournalLine.posted_on) <= as_of]
    if on_postgres(session):
        nothing = cast(literal(0), Numeric)
        both = union_all(
            select(
                col(LedgerEntry.currency).label("currency"),
                col(LedgerEntry.event_id).label("event_id"),
                col(LedgerEntry.amount).label("ledger"),
                nothing.label("journal"),
            ).where(*ledger_where),
            select(
                col(JournalLine.currency),
                col(JournalLine.event_id),
                nothing,
                col(JournalLine.debit) - col(JournalLine.credit),
            ).where(*journal_where),
        ).subquery()
        statement = select(
            both.c.currency, both.c.event_id, func.sum(both.c.ledger), func.sum(both.c.journal)
        ).group_by(both.c.currency, both.c.event_id)
        rows = (await session.exec(statement)).all()  # type: ignore[call-overload]
        return {(c, e): (ledger, journal) for c, e, ledger, journal in rows}
    ledger = await grouped_sums(
        session,
        [col(LedgerEntry.currency), col(LedgerEntry.event_id)],
        col(LedgerEntry.amount),
        ledger_where,
    )
    keys = [col(JournalLine.currency), col(JournalLine.event_id)]
    debits = await grouped_sums(session, keys, col(JournalLine.debit), journal_where)
    credits = await grouped_sums(session, keys, col(JournalLine.credit), journal_where)
    return {
        key: (ledger.get(key, ZERO), debits.get(key, ZERO) - credits.get(key, ZERO))  # type: ignore[misc]
        for key in {*ledger, *debits, *credits}
    }


async def ar_control_tie(
    session: AsyncSession, as_of: date, ar_account: str
) -> tuple[list[TieOut], list[DocumentDifference]]:
    """Per currency the ledger's AR against the AR control account (as the tie-out), and the
    events where the two differ, oldest document first; both from the same read."""
    sums = await _per_event(session, as_of, ar_account)
    currencies: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    differing = []
    for key, (ledger, journal) in sums.items():
        currencies[key[0]][0] += ledger
        currencies[key[0]][1] += journal
        if ledger != journal:
            differing.append((key, ledger, journal))
    ties = [TieOut(c, ledger, journal) for c, (ledger, journal) in sorted(currencies.items())]
    events = [key[1] for key, _, _ in differing if key[1] is not None]
    types, documents = await _event_types(session, events), await _documents(session, events)
    found = [
        DocumentDifference(
            currency,
            event_id,
            types.get(event_id),
            *documents.get(event_id, (None, None)),
            ledger=amount,
            journal=journal,
        )
        for (currency, event_id), amount, journal in differing
    ]
    return ties, sorted(
        found, key=lambda d: (d.currency, d.document_date or date.min, str(d.event_id))
    )


async def _event_types(session: AsyncSession, events: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    found: dict[uuid.UUID, str] = {}
    for some in chunks(list(events)):
        rows = await session.exec(
            select(LoggedEvent.event_id, LoggedEvent.event_type).where(
                col(LoggedEvent.event_id).in_(some)
            )
        )
        found |= dict(rows.all())
    return found


async def _documents(
    session: AsyncSession, events: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[str | None, date]]:
    """The first AR item each event posted to, by number and date."""
    found: dict[uuid.UUID, tuple[str | None, date]] = {}
    for some in chunks(list(events)):
        rows = await session.exec(
            select(LedgerEntry.event_id, LedgerItem.number, LedgerEntry.entry_date)
            .where(
                col(LedgerEntry.item_id) == col(LedgerItem.id),
                col(LedgerEntry.event_id).in_(some),
                col(LedgerEntry.ar_control).is_(True),
            )
            .order_by(col(LedgerEntry.id))
        )
        for event_id, number, on in rows.all():
            found.setdefault(event_id, (number, on))
    missing = [e for e in events if e not in found]
    for some in chunks(missing):
        journal_rows = await session.exec(
            select(JournalLine.event_id, JournalLine.document_number, JournalLine.posted_on).where(
                col(JournalLine.event_id).in_(some)
            )
        )
        for event_id, number, on in journal_rows.all():
            if event_id is not None:
                found.setdefault(event_id, (number, on))
    return found


async def tied_ar_rollforward(
    session: AsyncSession, first: date, last: date, ar_account: str
) -> list[tuple[Rollforward, TieOut]]:
    """Per currency, the AR control entries before the month and in it by kind, beside the
    ledger's AR and the AR control account at the month's end: all from one statement, so a
    posting committed meanwhile is in every figure or in none (each statement of a
    read-committed transaction sees a new snapshot). PostgreSQL sums; SQLite, which keeps money
    as text, returns the rows to be added here."""
    ledger = select(
        col(LedgerEntry.currency).label("currency"),
        literal("ledger").label("side"),
        (col(LedgerEntry.entry_date) < first).label("opening"),
        col(LedgerEntry.kind).label("kind"),
        col(LedgerEntry.reference).is_not(None).label("referenced"),
        col(LedgerEntry.amount).label("amount"),
    ).where(col(LedgerEntry.ar_control).is_(True), col(LedgerEntry.entry_date) <= last)
    on_account = (col(JournalLine.account) == ar_account, col(JournalLine.posted_on) <= last)
    journal = [
        select(
            col(JournalLine.currency),
            literal(side),
            literal(False),
            literal(""),
            literal(False),
            amount,
        ).where(*on_account)
        for side, amount in (("debit", col(JournalLine.debit)), ("credit", col(JournalLine.credit)))
    ]
    rows = union_all(ledger, *journal).subquery()
    keys = (rows.c.currency, rows.c.side, rows.c.opening, rows.c.kind, rows.c.referenced)
    if on_postgres(session):
        statement = select(*keys, func.sum(rows.c.amount)).group_by(*keys)
    else:
        statement = select(*keys, rows.c.amount)
    opening: dict[str, Decimal] = defaultdict(Decimal)
    movements: dict[str, dict[tuple[str, bool], Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    journal_sums: dict[str, Decimal] = defaultdict(Decimal)
    for currency, side, before, kind, referenced, amount in (await session.exec(statement)).all():  # type: ignore[call-overload]
        if side == "debit":
            journal_sums[currency] += amount
        elif side == "credit":
            journal_sums[currency] -= amount
        elif before:
            opening[currency] += amount
        else:
            movements[currency][(kind, bool(referenced))] += amount
    tied = []
    for currency in sorted({*opening, *movements}):
        moved = movements.get(currency, {})
        ledger_ar = opening.get(currency, ZERO) + sum(moved.values(), ZERO)
        tied.append(
            (
                rollforward(currency, first, last, opening.get(currency, ZERO), moved),
                TieOut(currency, ledger_ar, journal_sums.get(currency, ZERO)),
            )
        )
    return tied


@dataclass(frozen=True)
class RegisterLine:
    """One document of a month's register."""

    on: date
    number: str | None
    currency: str
    amount: Decimal
    account_number: str | None
    legal_name: str | None
    business_district: str | None
    detail: str = ""


async def _names(
    session: AsyncSession, customers: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    found: dict[uuid.UUID, tuple[str, str]] = {}
    for some in chunks(list(customers)):
        rows = await session.exec(
            select(
                CollectionAccount.id, CollectionAccount.account_number, CollectionAccount.legal_name
            ).where(col(CollectionAccount.id).in_(some))
        )
        found |= {id_: (number, name) for id_, number, name in rows.all()}
    return found


async def entry_register(
    session: AsyncSession, kinds: Sequence[EntryKind], first: date, last: date
) -> list[RegisterLine]:
    """Entries of these kinds dated in the month, with their item's number and customer, as
    an amount taken off AR (positive): the credit memo and write-off registers."""
    rows = (
        await session.exec(
            select(
                LedgerEntry.entry_date,
                LedgerItem.number,
                LedgerEntry.currency,
                LedgerEntry.amount,
                LedgerEntry.customer_id,
                LedgerEntry.business_district,
            )
            .where(
                col(LedgerEntry.item_id) == col(LedgerItem.id),
                col(LedgerEntry.kind).in_(list(kinds)),
                col(LedgerEntry.entry_date) >= first,
                col(LedgerEntry.entry_date) <= last,
            )
            .order_by(col(LedgerEntry.entry_date), col(LedgerItem.number))
        )
    ).all()
    names = await _names(session, {row[4] for row in rows})
    return [
        RegisterLine(
            on, number, currency, -amount, *names.get(customer, (None, None)), district or None
        )
        for on, number, currency, amount, customer, district in rows
    ]


async def cash_receipts(
    session: AsyncSession, cash_account: str, first: date, last: date
) -> list[RegisterLine]:
    """Every posting to the cash account in the month: receipts and deposits in, returned
    payments and refunds out (negative), unidentified payers included."""
    rows = (
        await session.exec(
            select(
                JournalLine.posted_on,
                JournalLine.document_number,
                JournalLine.currency,
                JournalLine.debit,
                JournalLine.credit,
                JournalLine.customer_id,
                JournalLine.source,
            )
            .where(
                col(JournalLine.account) == cash_account,
                col(JournalLine.posted_on) >= first,
                col(JournalLine.posted_on) <= last,
            )
            .order_by(col(JournalLine.posted_on), col(JournalLine.entry_id))
        )
    ).all()
    names = await _names(session, {row[5] for row in rows if row[5] is not None})
    return [
        RegisterLine(
            on,
            number,
            currency,
            debit - credit,
            *(names.get(customer, (None, None)) if customer else (None, None)),
            None,
            source,
        )
        for on, number, currency, debit, credit, customer, source in rows
    ]


@dataclass(frozen=True)
class TaxLiability:
    currency: str
    jurisdiction: str
    invoiced: Decimal
    credited: Decimal

    @property
    def net(self) -> Decimal:
        return self.invoiced - self.credited


async def tax_liability(session: AsyncSession, first: date, last: date) -> list[TaxLiability]:
    """Sales tax per jurisdiction from the tax postings of the month: credited to tax payable
    by invoices, debited back by credit memos and voids."""
    keys = [col(JournalLine.currency), col(JournalLine.jurisdiction)]
    where = [
        col(JournalLine.jurisdiction).is_not(None),
        col(JournalLine.posted_on) >= first,
        col(JournalLine.posted_on) <= last,
    ]
    credits = await grouped_sums(session, keys, col(JournalLine.credit), where)
    debits = await grouped_sums(session, keys, col(JournalLine.debit), where)
    return [
        TaxLiability(c, j, credits.get((c, j), ZERO), debits.get((c, j), ZERO))
        for c, j in sorted({*credits, *debits})
    ]
