"""A customer's credit position read from credit's own tables: limit, open hold and exposure.

One query whatever the customer's history, so the whole position comes from one snapshot: a
position read in two statements could pair a hold from before an event with exposure from after
it. Deciding on the position (an authorization, a hold) locks the customer first, in a
statement of its own. The statements are built once with bound parameters and run as
`Prepared` statements, straight on the driver on PostgreSQL (the authorization path is the
busiest in the service). Amounts are summed in Python because SQLite keeps decimals as text.
"""

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, String, Uuid, and_, bindparam, cast, literal, null, union_all
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.exposure import ZERO, CreditPosition, Exposure, OpenHold
from services.credit.models import (
    AccruedRental,
    CreditAccount,
    CreditDispute,
    CreditHold,
    CreditLine,
    OrderAuthorization,
    ReceivableItem,
    UnbilledTicket,
)
from shared.db import Prepared

# The kinds of receivable item credit keeps (ReceivableItem.kind).
INVOICE = "invoice"
CREDIT_MEMO, PAYMENT, DEPOSIT, REFUND = "credit_memo", "payment", "deposit", "refund"
_HEAD, _DISPUTE, _PASS_THROUGH = "head", "dispute", "pass_through"

# Decisions on one customer (holds, authorizations) queue behind each other here until the
# transaction ends, so two of them never both act on the same exposure.
_LOCK = Prepared(
    select(CreditAccount.id)
    .where(col(CreditAccount.id) == bindparam("customer_id"))
    .with_for_update()
)


_NOT_HEAD = (null(), null(), null(), null())  # the account's own columns, on the other rows

# One row for the account (currency, limit, open hold) and one for each thing it is exposed to:
# open receivables with their due dates, unbilled tickets, approved orders not yet billed,
# rentals accrued and pass-through costs not billed; and one per open dispute, with the invoice
# it is on (the last column: the document's id).
_POSITION = Prepared(
    union_all(
        select(
            literal(_HEAD),
            col(CreditLine.credit_limit),
            cast(null(), Date),  # typed here: the first branch gives the union its column types
            cast(null(), String),
            col(CreditAccount.currency),
            col(CreditLine.currency),
            col(CreditHold.automatic),
            col(CreditHold.reasons),
            cast(null(), Uuid),
        )
        .select_from(CreditAccount)
        .outerjoin(CreditLine, col(CreditLine.customer_id) == col(CreditAccount.id))
        .outerjoin(
            CreditHold,
            and_(
                col(CreditHold.customer_id) == col(CreditAccount.id),
                col(CreditHold.released_at).is_(None),
            ),
        )
        .where(col(CreditAccount.id) == bindparam("customer_id")),
        select(
            literal("ar"),
            col(ReceivableItem.balance),
            col(ReceivableItem.due_date),
            col(ReceivableItem.kind),
            *_NOT_HEAD,
            col(ReceivableItem.id),
        ).where(
            col(ReceivableItem.customer_id) == bindparam("customer_id"),
            col(ReceivableItem.is_open).is_(True),
        ),
        select(
            literal("ticket"), col(UnbilledTicket.amount), null(), null(), *_NOT_HEAD, null()
        ).where(
            col(UnbilledTicket.customer_id) == bindparam("customer_id"),
            col(UnbilledTicket.invoice_id).is_(None),
        ),
        select(
            literal("order"), col(OrderAuthorization.amount), null(), null(), *_NOT_HEAD, null()
        ).where(
            col(OrderAuthorization.customer_id) == bindparam("customer_id"),
            col(OrderAuthorization.approved).is_(True),
            col(OrderAuthorization.billed).is_(False),
            col(OrderAuthorization.expires_on) >= bindparam("today"),
        ),
        select(
            literal(_DISPUTE),
            col(CreditDispute.amount),
            null(),
            null(),
            *_NOT_HEAD,
            col(CreditDispute.invoice_id),
        ).where(
            col(CreditDispute.customer_id) == bindparam("customer_id"),
            col(CreditDispute.resolved_on).is_(None),
        ),
        select(
            literal("rental"), col(AccruedRental.amount), null(), null(), *_NOT_HEAD, null()
        ).where(
            col(AccruedRental.customer_id) == bindparam("customer_id"),
        ),
        select(
            literal(_PASS_THROUGH),
            col(AccruedRental.pass_through),
            null(),
            null(),
            *_NOT_HEAD,
            null(),
        ).where(
            col(AccruedRental.customer_id) == bindparam("customer_id"),
        ),
    )
)


def disputed_by_invoice(
    disputes: list[tuple[uuid.UUID | None, Decimal]],
) -> dict[uuid.UUID, Decimal]:
    """What is disputed of each invoice (disputes on account name none)."""
    disputed: dict[uuid.UUID, Decimal] = {}
    for invoice_id, amount in disputes:
        if invoice_id is not None:
            disputed[invoice_id] = disputed.get(invoice_id, ZERO) + amount
    return disputed


async def load_position(
    session: AsyncSession, customer_id: uuid.UUID, *, today: date, lock: bool = False
) -> CreditPosition | None:
    """The customer's position now, or None when credit has not heard of the customer. With
    `lock`, other decisions on the customer wait for this transaction to end. The position is
    read after the lock is held, by a statement of its own: a statement sees the database as it
    was when the statement began, so one that waited for the lock would miss what the
    transaction it waited for committed (an order, a hold)."""
    if lock and not await _LOCK.run(session, {"customer_id": customer_id}):
        return None
    rows = await _POSITION.run(session, {"customer_id": customer_id, "today": today})
    heads = [row for row in rows if row[0] == _HEAD]
    if not heads:
        return None
    _, limit, _, _, account_currency, line_currency, automatic, reasons, _ = heads[0]
    sums = dict.fromkeys(("ar", "ticket", "order", "rental", _PASS_THROUGH, _DISPUTE), ZERO)
    disputed = disputed_by_invoice(
        [(document, Decimal(amount)) for source, amount, *_, document in rows if source == _DISPUTE]
    )
    oldest_due: date | None = None
    for source, amount, due_date, kind, *_, document in rows:
        if source == _HEAD:
            continue
        amount = Decimal(amount)
        sums[source] += amount
        if kind == INVOICE and amount > disputed.get(document, ZERO) and due_date is not None:
            oldest_due = due_date if oldest_due is None else min(oldest_due, due_date)
    return CreditPosition(
        customer_id=customer_id,
        currency=line_currency or account_currency,
        credit_limit=limit,
        exposure=Exposure(
            sums["ar"],
            sums["ticket"],
            sums["order"],
            rentals_accrued=sums["rental"],
            pass_through_unbilled=sums[_PASS_THROUGH],
            disputed=sums[_DISPUTE],
        ),
        oldest_due_date=oldest_due,
        hold=None if automatic is None else OpenHold(automatic=automatic, reasons=list(reasons)),
    )
