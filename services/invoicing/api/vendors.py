"""The vendors API: the third-party service providers whose bills are coded to jobs."""

import uuid

from fastapi import status
from sqlmodel import col

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands.costs import create_vendor
from services.invoicing.models.costs import Vendor
from services.invoicing.queries.costs import get_vendor, vendors
from services.invoicing.schemas.costs import VendorIn, VendorOut
from shared.api.access import AnyRole, ARStaff
from shared.api.pagination import Page, PageQuery, page_of
from shared.api.routing import service_router
from shared.api.transaction import SessionDep

router = service_router("/v1/vendors", "vendors")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Add a vendor")
async def add_vendor(
    data: VendorIn, session: SessionDep, actor: ARStaff, settings: SettingsDep
) -> VendorOut:
    """A vendor with its tax id, remit-to address and the expense account its lines default to
    (an active expense or cost account of the chart, else a 422)."""
    return VendorOut.model_validate(await create_vendor(session, data, actor, settings))


@router.get("", summary="List vendors")
async def list_vendors(session: SessionDep, _: AnyRole, page: PageQuery) -> Page[VendorOut]:
    """Every vendor, by name."""
    return await page_of(
        session,
        vendors(),
        order_by=[col(Vendor.name), col(Vendor.id)],
        params=page,
        item=VendorOut.model_validate,
    )


@router.get("/{vendor_id}", summary="Read a vendor")
async def read_vendor(vendor_id: uuid.UUID, session: SessionDep, _: AnyRole) -> VendorOut:
    return VendorOut.model_validate(await get_vendor(session, vendor_id))
