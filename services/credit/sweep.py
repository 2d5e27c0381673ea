"""The periodic hold sweep: time alone can put an account on hold (an invoice ageing past the
threshold, an authorization expiring), so holds are re-evaluated on a clock as well as on events."""

import asyncio
import logging
from typing import cast

from sqlalchemy import union
from sqlmodel import col, select

from services.credit.domain.holds import HoldAction
from services.credit.holding import reevaluate_hold
from services.credit.models import CreditHold, OrderAuthorization, ReceivableItem
from services.credit.position import INVOICE
from services.credit.settings import CreditSettings
from shared.db import Database
from shared.service import Service

log = logging.getLogger(__name__)

BATCH = 200


async def sweep_once(db: Database, settings: CreditSettings) -> dict[HoldAction, int]:
    """Re-evaluate every customer whose hold could change with the date; count what happened."""
    today = settings.current_date()
    candidates = union(
        select(ReceivableItem.customer_id).where(
            col(ReceivableItem.is_open).is_(True), ReceivableItem.kind == INVOICE
        ),
        select(CreditHold.customer_id).where(
            col(CreditHold.released_at).is_(None), col(CreditHold.automatic).is_(True)
        ),
        select(OrderAuthorization.customer_id).where(
            col(OrderAuthorization.approved).is_(True), col(OrderAuthorization.billed).is_(False)
        ),
    )
    async with db.transaction() as session:
        customer_ids = [row[0] for row in (await session.exec(candidates)).all()]
    counts = dict.fromkeys(HoldAction, 0)
    for start in range(0, len(customer_ids), BATCH):
        async with db.transaction() as session:
            for customer_id in customer_ids[start : start + BATCH]:
                counts[await reevaluate_hold(session, customer_id, settings, today=today)] += 1
    return counts


async def sweep_holds(service: Service) -> None:
    """Sweep at the configured interval until the service stops."""
    settings = cast(CreditSettings, service.settings)
    while True:
        try:
            counts = await sweep_once(service.db, settings)
            if counts[HoldAction.PLACE] or counts[HoldAction.RELEASE]:
                log.info("credit hold sweep: %s", {str(k): v for k, v in counts.items()})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("credit hold sweep failed; trying again at the next interval")
        await asyncio.sleep(settings.hold_sweep_interval_seconds)
