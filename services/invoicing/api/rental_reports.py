"""Rental reports: on rent where as of a day (JSON or XLSX, the same numbers), utilization per
asset class, and the rental leakage report."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from fastapi import Query, Response

from services.invoicing.queries.rental_reports import (
    XLSX_MEDIA_TYPE,
    OnRentGrouping,
    leakage,
    on_rent,
    on_rent_xlsx,
    utilization,
)
from services.invoicing.schemas.rental_reports import (
    LeakageOut,
    LeakOut,
    OnRentGroupOut,
    UtilizationOut,
)
from shared.api.access import AnyRole, ARStaffAndAuditors
from shared.api.problems import BusinessRuleViolation
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/rental-reports", "assets on rent")


class Format(StrEnum):
    JSON = "json"
    XLSX = "xlsx"


@router.get(
    "/on-rent",
    summary="Assets on rent per customer, job site or district",
    response_model=list[OnRentGroupOut],
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
async def read_on_rent(
    session: SessionDep,
    _: AnyRole,
    clock: ClockDep,
    as_of: date | None = None,
    group_by: OnRentGrouping = OnRentGrouping.CUSTOMER,
    format: Format = Format.JSON,
) -> list[OnRentGroupOut] | Response:
    """What the register shows on rent on the day (today when left out), per group and asset
    class; `format=xlsx` gives the same numbers as a workbook."""
    day = as_of or clock.today()
    groups = await on_rent(session, day, group_by)
    if format is Format.XLSX:
        return Response(on_rent_xlsx(groups, day, group_by), media_type=XLSX_MEDIA_TYPE)
    return [
        OnRentGroupOut(
            key=g.key,
            assets_on_rent=len(g.asset_ids),
            asset_classes=g.asset_classes,
            asset_ids=g.asset_ids,
        )
        for g in groups
    ]


@router.get("/utilization", summary="Utilization per asset class over a period")
async def read_utilization(
    session: SessionDep,
    _: AnyRole,
    from_: Annotated[date, Query(alias="from")],
    to: date,
) -> list[UtilizationOut]:
    """Per class: days on rent ÷ days owned (registered and not retired) from `from` to `to`,
    both counted."""
    if to < from_:
        raise BusinessRuleViolation(f"the period ends ({to}) before it starts ({from_})")
    return [
        UtilizationOut(
            asset_class=u.asset_class,
            assets=u.assets,
            days_owned=u.days_owned,
            days_on_rent=u.days_on_rent,
            utilization=u.ratio,
        )
        for u in await utilization(session, from_, to)
    ]


@router.get("/leakage", summary="Rental leakage: rent at risk of never being billed")
async def read_leakage(
    session: SessionDep, _: ARStaffAndAuditors, clock: ClockDep, as_of: date | None = None
) -> LeakageOut:
    """Lines on rent whose rent is due but not billed through their last cycle end, lines billed
    while the register shows their asset back, and assets on rent with no contract, each with
    the dollars at risk (charge to date less billed)."""
    leaks = await leakage(session, as_of or clock.today())
    return LeakageOut(
        leaks=[LeakOut.model_validate(leak, from_attributes=True) for leak in leaks],
        dollars_at_risk=sum((leak.dollars_at_risk or Decimal(0) for leak in leaks), Decimal(0)),
    )
