"""Reading the asset register, as of any date."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.rentals import AssetEvent, RentalAsset
from shared.api.problems import NotFound


async def get_asset(session: AsyncSession, asset_id: str) -> RentalAsset:
    asset = await session.get(RentalAsset, asset_id)
    if asset is None:
        raise NotFound(f"no asset {asset_id}")
    return asset


async def existing_asset_ids(session: AsyncSession, asset_ids: list[str]) -> set[str]:
    found = await session.exec(
        select(RentalAsset.asset_id).where(col(RentalAsset.asset_id).in_(asset_ids))
    )
    return set(found.all())


async def asset_history(session: AsyncSession, asset_id: str) -> list[AssetEvent]:
    events = await session.exec(
        select(AssetEvent).where(AssetEvent.asset_id == asset_id).order_by(col(AssetEvent.sequence))
    )
    return list(events.all())


async def last_event(session: AsyncSession, asset_id: str) -> AssetEvent | None:
    events = await session.exec(
        select(AssetEvent)
        .where(AssetEvent.asset_id == asset_id)
        .order_by(col(AssetEvent.sequence).desc())
        .limit(1)
    )
    return events.first()


async def event_as_of(session: AsyncSession, asset_id: str, day: date) -> AssetEvent | None:
    """The asset's last change dated on or before `day`: where it was and in what state."""
    events = await session.exec(
        select(AssetEvent)
        .where(AssetEvent.asset_id == asset_id, col(AssetEvent.effective_on) <= day)
        .order_by(col(AssetEvent.sequence).desc())
        .limit(1)
    )
    return events.first()


# What the as-of answer reads: plain rows, so 20,000 assets load quickly.
PLACE_COLUMNS: tuple[Any, ...] = (
    RentalAsset.asset_id,
    RentalAsset.asset_class,
    RentalAsset.description,
    RentalAsset.owning_district,
    AssetEvent.status,
    col(AssetEvent.effective_on).label("since"),
    AssetEvent.district,
    AssetEvent.customer_id,
    AssetEvent.job_site,
    AssetEvent.contract_id,
)


async def places_as_of(
    session: AsyncSession,
    day: date,
    *,
    status: str | None = None,
    customer_id: uuid.UUID | None = None,
    job_site: str | None = None,
    district: str | None = None,
    asset_class: str | None = None,
) -> list[Row[Any]]:
    """Every asset's place on `day` (its last change dated by then), matching every filter, by
    asset id. One pass: each asset's latest event by then, joined to the asset."""
    latest = (
        select(
            AssetEvent.asset_id,
            func.max(AssetEvent.sequence).label("sequence"),
        )
        .where(col(AssetEvent.effective_on) <= day)
        .group_by(col(AssetEvent.asset_id))
        .subquery()
    )
    statement = (
        select(*PLACE_COLUMNS)
        .join(latest, col(latest.c.asset_id) == col(AssetEvent.asset_id))
        .join(RentalAsset, col(RentalAsset.asset_id) == col(AssetEvent.asset_id))
        .where(col(AssetEvent.sequence) == latest.c.sequence)
        .order_by(col(RentalAsset.asset_id))
    )
    if status is not None:
        statement = statement.where(AssetEvent.status == status)
    if customer_id is not None:
        statement = statement.where(AssetEvent.customer_id == customer_id)
    if job_site is not None:
        statement = statement.where(func.lower(AssetEvent.job_site) == job_site.casefold())
    if district is not None:
        statement = statement.where(AssetEvent.district == district)
    if asset_class is not None:
        statement = statement.where(RentalAsset.asset_class == asset_class)
    return list((await session.exec(statement)).all())
