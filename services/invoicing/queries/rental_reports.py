"""Rental reports: what is on rent where as of a day, utilization per asset class over a
period, and the leakage report (rent due but not billed, rent billed on assets the register
shows back, assets on rent with no contract), with the dollars at risk."""

import io
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from openpyxl import Workbook
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.rentals.assets import AssetStatus
from services.invoicing.domain.rentals.contracts import (
    ChargeKind,
    accrued_unbilled,
    due_charges,
    earned,
)
from services.invoicing.models.rentals import AssetEvent, RentalAsset, RentalContract, RentalLine
from services.invoicing.queries.assets import IN_EFFECT_ORDER, places_as_of
from services.invoicing.queries.rentals import billed_of, terms_of


@dataclass
class Utilization:
    asset_class: str
    assets: int
    days_owned: int
    days_on_rent: int

    @property
    def ratio(self) -> Decimal:
        if not self.days_owned:
            return Decimal(0)
        return (Decimal(self.days_on_rent) / self.days_owned).quantize(Decimal("0.0001"))


async def utilization(session: AsyncSession, first: date, last: date) -> list[Utilization]:
    """Per class: days on rent ÷ days owned (registered and not retired) in [first, last]."""
    classes = dict(
        (await session.exec(select(RentalAsset.asset_id, RentalAsset.asset_class))).all()
    )
    events = await session.exec(
        select(AssetEvent.asset_id, AssetEvent.effective_on, AssetEvent.status)
        .where(col(AssetEvent.effective_on) <= last)
        .order_by(col(AssetEvent.asset_id), *IN_EFFECT_ORDER)
    )
    by_asset: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for asset_id, day, status in events.all():
        by_asset[asset_id].append((day, status))
    found: dict[str, Utilization] = {}
    end = last + timedelta(days=1)
    for asset_id, changes in by_asset.items():
        row = found.setdefault(classes[asset_id], Utilization(classes[asset_id], 0, 0, 0))
        owned = rented = 0
        for index, (day, status) in enumerate(changes):
            until = changes[index + 1][0] if index + 1 < len(changes) else end
            days = (min(until, end) - max(day, first)).days
            if days <= 0 or status == AssetStatus.RETIRED:
                continue
            owned += days
            rented += days if status == AssetStatus.ON_RENT else 0
        if owned:
            row.assets += 1
            row.days_owned += owned
            row.days_on_rent += rented
    return [found[name] for name in sorted(found)]


@dataclass
class Leak:
    kind: str
    asset_id: str | None
    contract_number: str | None
    line_number: int | None
    customer_id: uuid.UUID | None
    reason: str
    dollars_at_risk: Decimal | None


async def leakage(session: AsyncSession, as_of: date) -> list[Leak]:
    """Rent due by `as_of` not billed through its last cycle end; rent billed on a line whose
    asset the register shows back (not on rent); an asset on rent with no contract."""
    lines = (
        await session.exec(
            select(RentalLine, RentalContract)
            .join(RentalContract, col(RentalContract.id) == col(RentalLine.contract_id))
            .where(col(RentalLine.on_rent_date).is_not(None), col(RentalLine.on_rent_date) <= as_of)
            .order_by(col(RentalContract.contract_number), col(RentalLine.line_number))
        )
    ).all()
    billed_by_line = await billed_of(session, [line.id for line, _ in lines])
    places = {p.asset_id: p for p in await places_as_of(session, as_of)}
    leaks: list[Leak] = []
    for line, contract in lines:
        terms, billed = terms_of(line, contract), billed_by_line[line.id]
        common = dict(
            asset_id=line.asset_id,
            contract_number=contract.contract_number,
            line_number=line.line_number,
            customer_id=contract.customer_id,
        )
        due = [c for c in due_charges(terms, billed, as_of) if c.kind == ChargeKind.RENT]
        if due:
            through = max(c.billed_through for c in due) - timedelta(days=1)
            leaks.append(
                Leak(
                    kind="unbilled",
                    reason=f"rent due through {through} not billed",
                    dollars_at_risk=accrued_unbilled(terms, billed.rent, as_of),
                    **common,
                )
            )
        place = places.get(line.asset_id) if line.asset_id else None
        still_out = line.off_rent_date is None or line.off_rent_date > as_of
        if still_out and place is not None and place.status != AssetStatus.ON_RENT:
            # Billed as if out after the day the register shows it back: what was billed beyond.
            beyond = billed.rent - earned(terms, place.since)
            if beyond > 0:
                leaks.append(
                    Leak(
                        kind="billed_but_back",
                        reason=f"billed on rent; the register shows it {place.status} "
                        f"since {place.since}",
                        dollars_at_risk=beyond,
                        **common,
                    )
                )
    on_contract = {line.asset_id for line, _ in lines if line.asset_id}
    for place in places.values():
        if place.status == AssetStatus.ON_RENT and place.contract_id is None:
            if place.asset_id in on_contract:
                continue
            leaks.append(
                Leak(
                    kind="no_contract",
                    asset_id=place.asset_id,
                    contract_number=None,
                    line_number=None,
                    customer_id=place.customer_id,
                    reason=f"on rent at {place.job_site} since {place.since} with no contract",
                    dollars_at_risk=None,
                )
            )
    return leaks


class OnRentGrouping(StrEnum):
    CUSTOMER = "customer"
    JOB_SITE = "job_site"
    DISTRICT = "district"


@dataclass
class OnRentGroup:
    key: str
    asset_classes: dict[str, int]
    asset_ids: list[str]


async def on_rent(session: AsyncSession, as_of: date, by: OnRentGrouping) -> list[OnRentGroup]:
    """The assets on rent on `as_of`, per customer, job site or district, by key."""
    groups: dict[str, OnRentGroup] = {}
    for place in await places_as_of(session, as_of, status=AssetStatus.ON_RENT):
        if by == OnRentGrouping.CUSTOMER:
            key = str(place.customer_id)
        elif by == OnRentGrouping.JOB_SITE:
            key = f"{place.customer_id}/{place.job_site}"
        else:
            key = place.district
        group = groups.setdefault(key, OnRentGroup(key, {}, []))
        group.asset_classes[place.asset_class] = group.asset_classes.get(place.asset_class, 0) + 1
        group.asset_ids.append(place.asset_id)
    return [groups[key] for key in sorted(groups)]


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def on_rent_xlsx(groups: list[OnRentGroup], as_of: date, by: OnRentGrouping) -> bytes:
    """The same numbers as the JSON answer: one row per group and asset class."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"On rent {as_of.isoformat()}"
    sheet.append([by.value, "asset class", "assets on rent"])
    for group in groups:
        for asset_class in sorted(group.asset_classes):
            sheet.append([group.key, asset_class, group.asset_classes[asset_class]])
    sheet.append(["TOTAL", "", sum(len(g.asset_ids) for g in groups)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
