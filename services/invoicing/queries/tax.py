"""Reading the tax database."""

from collections import defaultdict
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.tax import Jurisdiction, rate_on
from services.invoicing.models.tax import TaxJurisdiction, TaxRate
from shared.api.problems import NotFound


async def find_jurisdiction(session: AsyncSession, code: str) -> TaxJurisdiction | None:
    return await session.get(TaxJurisdiction, code)


async def get_jurisdiction(session: AsyncSession, code: str) -> TaxJurisdiction:
    jurisdiction = await find_jurisdiction(session, code)
    if jurisdiction is None:
        raise NotFound(f"no tax jurisdiction {code}")
    return jurisdiction


async def all_jurisdictions(session: AsyncSession) -> list[TaxJurisdiction]:
    """Every jurisdiction, by code."""
    return list(
        (await session.exec(select(TaxJurisdiction).order_by(col(TaxJurisdiction.code)))).all()
    )


async def rates_by_jurisdiction(session: AsyncSession) -> dict[str, list[TaxRate]]:
    rates: dict[str, list[TaxRate]] = defaultdict(list)
    for rate in (await session.exec(select(TaxRate).order_by(col(TaxRate.effective_from)))).all():
        rates[rate.jurisdiction_code].append(rate)
    return rates


async def jurisdictions_on(session: AsyncSession, day: date) -> list[Jurisdiction]:
    """Every jurisdiction with the rate in force on `day`: what taxing that day's invoices needs."""
    rates = await rates_by_jurisdiction(session)
    return [
        Jurisdiction(
            code=row.code,
            name=row.name,
            level=row.level,
            region=row.region,
            country=row.country,
            county=row.county,
            city=row.city,
            postal_codes=frozenset(row.postal_codes),
            taxable_classes=frozenset(row.taxable_classes),
            rate=rate_on(((r.effective_from, r.rate) for r in rates[row.code]), day),
        )
        for row in await all_jurisdictions(session)
    ]
