"""The cost-adjustments API: corrections of invoices issued before a third-party cost came in,
proposed with their arithmetic and issued after review."""

import uuid
from typing import Annotated

from fastapi import Query
from sqlmodel import col

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands.costs import issue_adjustment
from services.invoicing.domain.costs import AdjustmentStatus
from services.invoicing.models.costs import CostAdjustment
from services.invoicing.queries.costs import adjustments, get_adjustment
from services.invoicing.schemas.costs import CostAdjustmentOut
from shared.api.access import AnyRole, ARStaff
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/cost-adjustments", "cost adjustments")


@router.get("", summary="List cost adjustments")
async def list_adjustments(
    session: SessionDep,
    _: AnyRole,
    page: PageQuery,
    status_: Annotated[AdjustmentStatus | None, Query(alias="status")] = None,
    customer_id: uuid.UUID | None = None,
) -> Page[CostAdjustmentOut]:
    """`status=proposed` is the review queue, oldest first."""
    return await page_of(
        session,
        adjustments(status=status_, customer_id=customer_id),
        order_by=[col(CostAdjustment.created_at), col(CostAdjustment.id)],
        params=page,
        item=CostAdjustmentOut.model_validate,
    )


@router.get("/{adjustment_id}", summary="Read a cost adjustment")
async def read_adjustment(
    adjustment_id: uuid.UUID, session: SessionDep, _: AnyRole
) -> CostAdjustmentOut:
    return CostAdjustmentOut.model_validate(await get_adjustment(session, adjustment_id))


@router.post("/{adjustment_id}/issue", summary="Issue a reviewed cost adjustment")
async def issue(
    clock: ClockDep,
    adjustment_id: uuid.UUID,
    session: SessionDep,
    actor: ARStaff,
    settings: SettingsDep,
) -> CostAdjustmentOut:
    """A supplementary invoice for more (the pass-through line naming the original invoice and
    the vendor bill), or a credit memo on the invoice line that billed it for less: above
    `AR_INVOICING_CREDIT_MEMO_APPROVAL_LIMIT` only an ar_supervisor issues that (403)."""
    adjustment = await get_adjustment(session, adjustment_id, lock=True)
    await issue_adjustment(session, adjustment, actor, settings=settings, clock=clock)
    await session.flush()
    return CostAdjustmentOut.model_validate(adjustment)
