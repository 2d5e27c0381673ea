"""Reading the asset register, as of any date."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.rentals import AssetEvent, RentalAsset
from shared.api.problems import NotFound
from shared.db import on_postgres


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


# An asset's changes in the order they took effect: by date, then as recorded on one day. A
# change recorded after a later-dated one still takes its place by its own date.
IN_EFFECT_ORDER = (col(AssetEvent.effective_on), col(AssetEvent.sequence))
LATEST_FIRST = (col(AssetEvent.effective_on).desc(), col(AssetEvent.sequence).desc())


async def asset_history(session: AsyncSession, asset_id: str) -> list[AssetEvent]:
    events = await session.exec(
        select(AssetEvent).where(AssetEvent.asset_id == asset_id).order_by(*IN_EFFECT_ORDER)
    )
    return list(events.all())


async def last_event(session: AsyncSession, asset_id: str) -> AssetEvent | None:
    """The change in effect last, and the highest sequence (the next one is numbered after it)."""
    events = await session.exec(
        select(AssetEvent).where(AssetEvent.asset_id == asset_id).order_by(*LATEST_FIRST).limit(1)
    )
    return events.first()


async def last_sequence(session: AsyncSession, asset_id: str) -> int:
    found = await session.exec(
        select(func.max(AssetEvent.sequence)).where(AssetEvent.asset_id == asset_id)
    )
    return found.one() or 0


async def event_as_of(session: AsyncSession, asset_id: str, day: date) -> AssetEvent | None:
    """The change in effect on `day` (the latest dated by then): where it was, in what state."""
    events = await session.exec(
        select(AssetEvent)
        .where(AssetEvent.asset_id == asset_id, col(AssetEvent.effective_on) <= day)
        .order_by(*LATEST_FIRST)
        .limit(1)
    )
    return events.first()


# An asset's place as the as-of answers read it.
PLACE_COLUMNS: tuple[Any, ...] = (
    AssetEvent.id,
    AssetEvent.status,
    AssetEvent.effective_on,
    AssetEvent.district,
    AssetEvent.customer_id,
    AssetEvent.job_site,
    AssetEvent.contract_id,
)


def select_from_assets(place: Any) -> Select[Any]:
    """Each asset with the place columns of `place` (a lateral probe or an aliased change)."""
    return select(
        RentalAsset.asset_id,
        RentalAsset.asset_class,
        RentalAsset.description,
        RentalAsset.owning_district,
        place.status,
        place.effective_on.label("since"),
        place.district,
        place.customer_id,
        place.job_site,
        place.contract_id,
    ).select_from(RentalAsset)


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
    """Every asset's place on `day` (the change in effect then), matching every filter, by
    asset id. One statement: per asset, its latest change dated by then (by date, then
    sequence) is one probe of the (asset, date, sequence) index; ranking or grouping every
    change up to the day instead reads and sorts the whole year of moves."""
    latest = (
        select(*PLACE_COLUMNS)
        .where(
            col(AssetEvent.asset_id) == col(RentalAsset.asset_id),
            col(AssetEvent.effective_on) <= day,
        )
        .order_by(*LATEST_FIRST)
        .limit(1)
    )
    if on_postgres(session):
        place: Any = latest.lateral("place")
        source = select_from_assets(place.c).join(place, true())
    else:
        # SQLite has no LATERAL: the same probe, as the id of the change to join.
        place = AssetEvent.__table__.alias("place")  # type: ignore[attr-defined]
        change = latest.with_only_columns(col(AssetEvent.id)).correlate(RentalAsset)
        source = select_from_assets(place.c).join(place, place.c.id == change.scalar_subquery())
    statement = source.order_by(col(RentalAsset.asset_id))
    columns = place.c
    if status is not None:
        statement = statement.where(columns.status == status)
    if customer_id is not None:
        statement = statement.where(columns.customer_id == customer_id)
    if job_site is not None:
        statement = statement.where(func.lower(columns.job_site) == job_site.casefold())
    if district is not None:
        statement = statement.where(columns.district == district)
    if asset_class is not None:
        statement = statement.where(RentalAsset.asset_class == asset_class)
    return list((await session.exec(statement)).all())
