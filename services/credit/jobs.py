"""The periodic hold sweep: time alone can put an account on hold (an invoice ageing past the
threshold, an authorization expiring), so holds are re-evaluated on a clock as well as on events."""

import asyncio
import logging
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import union
from sqlmodel import col, select

from services.credit.commands.holds import reevaluate_hold
from services.credit.domain.holds import HoldAction
from services.credit.models import CreditHold, ReceivableItem
from services.credit.queries.position import INVOICE
from services.credit.settings import CreditSettings
from shared.clock import Clock
from shared.db import Database
from shared.service import Service

log = logging.getLogger(__name__)


def _candidates(today: date, settings: CreditSettings) -> Any:
    """Customers whose hold the passing of time alone could change: an open invoice now past
    the threshold and no hold yet, or an automatic hold (an authorization expiring may cure it).
    Everything else changes only with an event, and events re-evaluate as they arrive."""
    cutoff = today - timedelta(days=settings.hold_days_past_due)
    open_hold = select(CreditHold.customer_id).where(col(CreditHold.released_at).is_(None))
    return union(
        select(ReceivableItem.customer_id).where(
            col(ReceivableItem.is_open).is_(True),
            ReceivableItem.kind == INVOICE,
            col(ReceivableItem.due_date) < cutoff,
            col(ReceivableItem.customer_id).not_in(open_hold),
        ),
        select(CreditHold.customer_id).where(
            col(CreditHold.released_at).is_(None), col(CreditHold.automatic).is_(True)
        ),
    )


async def sweep_once(
    db: Database, settings: CreditSettings, *, clock: Clock
) -> dict[HoldAction, int]:
    """Re-evaluate every customer the date could have moved; count what happened. One short
    transaction per customer, so the sweep never keeps an authorization waiting for long."""
    today = clock.today()
    async with db.transaction() as session:
        customer_ids = [row[0] for row in (await session.exec(_candidates(today, settings))).all()]
    counts = dict.fromkeys(HoldAction, 0)
    for customer_id in customer_ids:
        async with db.transaction() as session:
            counts[await reevaluate_hold(session, customer_id, settings, clock=clock)] += 1
    return counts


async def sweep_holds(service: Service) -> None:
    """Sweep at the configured interval until the service stops."""
    settings = cast(CreditSettings, service.settings)
    while True:
        try:
            counts = await sweep_once(service.db, settings, clock=service.clock)
            if counts[HoldAction.PLACE] or counts[HoldAction.RELEASE]:
                log.info("credit hold sweep: %s", {str(k): v for k, v in counts.items()})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("credit hold sweep failed; trying again at the next interval")
        await asyncio.sleep(settings.hold_sweep_interval_seconds)
