"""The asset register: assets, their dated moves and status changes, and where each was on
any day."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import File, Query, Response, UploadFile, status

from services.invoicing.api.dependencies import SettingsDep
from services.invoicing.commands import assets as commands
from services.invoicing.domain.rentals.assets import AssetStatus
from services.invoicing.models.rentals import AssetEvent, RentalAsset
from services.invoicing.queries.assets import asset_history, event_as_of, get_asset, places_as_of
from services.invoicing.schemas.assets import (
    AssetEventOut,
    AssetId,
    AssetImportResult,
    AssetIn,
    AssetMoveIn,
    AssetOut,
    AssetPlaceOut,
)
from shared.api.access import AnyRole, ARStaffAndIntegration
from shared.api.files import TOO_LARGE, read_upload
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep, check_not_ahead

router = service_router("/v1/assets", "assets on rent")

AssetPath = Annotated[str, AssetId]


def _place(asset: RentalAsset, event: AssetEvent) -> AssetPlaceOut:
    return AssetPlaceOut(
        asset_id=asset.asset_id,
        asset_class=asset.asset_class,
        description=asset.description,
        owning_district=asset.owning_district,
        status=AssetStatus(event.status),
        since=event.effective_on,
        district=event.district,
        customer_id=event.customer_id,
        job_site=event.job_site,
        contract_id=event.contract_id,
    )


def _out(asset: RentalAsset, event: AssetEvent | None) -> AssetOut:
    return AssetOut(
        asset_id=asset.asset_id,
        serial=asset.serial,
        asset_class=asset.asset_class,
        description=asset.description,
        owning_district=asset.owning_district,
        registered_on=asset.registered_on,
        place=_place(asset, event) if event else None,
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register an asset")
async def register_asset(
    data: AssetIn,
    session: SessionDep,
    actor: ARStaffAndIntegration,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
) -> AssetOut:
    """A new asset in its owning district, available unless said otherwise (audited). An asset
    id registered already is a 409."""
    today = clock.today()
    if data.registered_on:
        check_not_ahead(
            data.registered_on,
            today=today,
            tolerance_days=settings.max_future_days,
            what="the registration date",
        )
    asset = await commands.register_asset(session, data, today, actor)
    response.headers["Location"] = f"{router.prefix}/{asset.asset_id}"
    return _out(asset, await event_as_of(session, asset.asset_id, asset.registered_on))


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    summary="Import assets from CSV or XLSX",
    responses=TOO_LARGE,
)
async def import_assets(
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, a header row first")],
    session: SessionDep,
    actor: ARStaffAndIntegration,
    clock: ClockDep,
    settings: SettingsDep,
) -> AssetImportResult:
    """Columns `asset_id`, `class`, `district` (required), `serial`, `description`, `status`,
    `on` (the registration date). All or nothing: any bad row refuses the file with a 422 that
    lists every problem by row number and column."""
    content = await read_upload(file, settings.max_document_bytes)
    assets = await commands.import_assets(
        session, content, file.filename or "assets", clock.today(), actor
    )
    return AssetImportResult(imported=len(assets), asset_ids=[a.asset_id for a in assets])


@router.get("", summary="Where every asset was on a day")
async def list_assets(
    session: SessionDep,
    _: AnyRole,
    clock: ClockDep,
    as_of: date | None = None,
    status_: Annotated[AssetStatus | None, Query(alias="status")] = None,
    customer_id: uuid.UUID | None = None,
    job_site: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    district: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    asset_class: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> list[AssetPlaceOut]:
    """Each asset's state and place as of the day (today when left out), matching every
    filter, by asset id: e.g. `status=on_rent&customer_id=...` is what that customer has out."""
    rows = await places_as_of(
        session,
        as_of or clock.today(),
        status=status_,
        customer_id=customer_id,
        job_site=job_site,
        district=district,
        asset_class=asset_class,
    )
    return [AssetPlaceOut.model_validate(row, from_attributes=True) for row in rows]


@router.get("/{asset_id}", summary="Read an asset as of a day")
async def read_asset(
    asset_id: AssetPath, session: SessionDep, _: AnyRole, clock: ClockDep, as_of: date | None = None
) -> AssetOut:
    """The asset and where it was, in what state, on the day (today when left out)."""
    asset = await get_asset(session, asset_id)
    return _out(asset, await event_as_of(session, asset_id, as_of or clock.today()))


@router.get("/{asset_id}/history", summary="Every move and status change of an asset")
async def read_history(asset_id: AssetPath, session: SessionDep, _: AnyRole) -> list[AssetEventOut]:
    """Oldest first, each with its date and who recorded it."""
    await get_asset(session, asset_id)
    return [
        AssetEventOut.model_validate(e, from_attributes=True)
        for e in await asset_history(session, asset_id)
    ]


@router.post(
    "/{asset_id}/moves", status_code=status.HTTP_201_CREATED, summary="Move or change an asset"
)
async def move_asset(
    asset_id: AssetPath,
    data: AssetMoveIn,
    session: SessionDep,
    actor: ARStaffAndIntegration,
    clock: ClockDep,
    settings: SettingsDep,
) -> AssetEventOut:
    """The asset's next state from its date on (audited): to a district, in transit, in repair,
    on rent at a customer's job site, retired. Dated before its last change, or a retired
    asset, is a 422: the register's past never changes."""
    today = clock.today()
    if data.effective_on:
        check_not_ahead(
            data.effective_on,
            today=today,
            tolerance_days=settings.max_future_days,
            what="the move date",
        )
    event = await commands.move_asset(session, asset_id, data, today, actor)
    return AssetEventOut.model_validate(event, from_attributes=True)
