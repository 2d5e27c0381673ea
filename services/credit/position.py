"""A customer's credit position read from credit's own tables: limit, open hold and exposure.

Two queries whatever the customer's history: the authorization answer depends on nothing else.
Both are built once with bound parameters and run as `Prepared` statements, straight on the
driver on PostgreSQL (the authorization path is the busiest in the service). Amounts are summed
in Python because SQLite keeps decimals as text.
"""

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, bindparam, literal, null, union_all
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.credit.domain.exposure import ZERO, CreditPosition, Exposure, OpenHold
from services.credit.models import (
    CreditAccount,
    CreditHold,
    CreditLine,
    OrderAuthorization,
    ReceivableItem,
    UnbilledTicket,
)
from shared.db import Prepared

INVOICE = "invoice"

_HEAD = (
    select(
        CreditAccount.currency,
        CreditLine.credit_limit,
        CreditLine.currency,
        CreditHold.automatic,
        CreditHold.reasons,
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
    .where(col(CreditAccount.id) == bindparam("customer_id"))
)
# Decisions on one customer (holds, authorizations) queue behind each other until the
# transaction ends, so two of them never both act on the same exposure.
_HEAD_LOCKED = Prepared(_HEAD.with_for_update(of=CreditAccount))  # type: ignore[arg-type]
_HEAD_READ = Prepared(_HEAD)

_EXPOSURE = Prepared(
    union_all(
        select(
            literal("ar"),
            col(ReceivableItem.balance),
            col(ReceivableItem.due_date),
            col(ReceivableItem.kind),
        ).where(
            col(ReceivableItem.customer_id) == bindparam("customer_id"),
            col(ReceivableItem.is_open).is_(True),
        ),
        select(literal("ticket"), col(UnbilledTicket.amount), null(), null()).where(
            col(UnbilledTicket.customer_id) == bindparam("customer_id"),
            col(UnbilledTicket.invoice_id).is_(None),
        ),
        select(literal("order"), col(OrderAuthorization.amount), null(), null()).where(
            col(OrderAuthorization.customer_id) == bindparam("customer_id"),
            col(OrderAuthorization.approved).is_(True),
            col(OrderAuthorization.billed).is_(False),
            col(OrderAuthorization.expires_on) >= bindparam("today"),
        ),
    )
)


async def load_position(
    session: AsyncSession, customer_id: uuid.UUID, *, today: date, lock: bool = False
) -> CreditPosition | None:
    """The customer's position now, or None when credit has not heard of the customer. With
    `lock`, other decisions on the customer wait for this transaction to end."""
    heads = await (_HEAD_LOCKED if lock else _HEAD_READ).run(session, {"customer_id": customer_id})
    if not heads:
        return None
    account_currency, limit, line_currency, automatic, reasons = heads[0]
    exposure, oldest_due = await _exposure(session, customer_id, today)
    return CreditPosition(
        customer_id=customer_id,
        currency=line_currency or account_currency,
        credit_limit=limit,
        exposure=exposure,
        oldest_due_date=oldest_due,
        hold=None if automatic is None else OpenHold(automatic=automatic, reasons=list(reasons)),
    )


async def _exposure(
    session: AsyncSession, customer_id: uuid.UUID, today: date
) -> tuple[Exposure, date | None]:
    rows = await _EXPOSURE.run(session, {"customer_id": customer_id, "today": today})
    sums = {"ar": ZERO, "ticket": ZERO, "order": ZERO}
    oldest_due: date | None = None
    for source, amount, due_date, kind in rows:
        amount = Decimal(amount)
        sums[source] += amount
        if kind == INVOICE and amount > 0 and due_date is not None:
            oldest_due = due_date if oldest_due is None else min(oldest_due, due_date)
    return Exposure(sums["ar"], sums["ticket"], sums["order"]), oldest_due
