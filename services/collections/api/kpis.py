"""KPI routes: DSO (standard, countback), best possible DSO, ADD, CEI, their trend and targets."""

from typing import Annotated

from fastapi import Query

from services.collections.api.dependencies import SettingsDep
from services.collections.queries.aging import GroupBy
from services.collections.queries.kpis import Month, MonthKpis, monthly_kpis
from services.collections.schemas import KpisOut, MonthKpisOut
from services.collections.settings import CollectionsSettings
from shared.api.access import AnyRole
from shared.api.dates import BoundedMonth
from shared.api.routing import service_router
from shared.api.transaction import SessionDep

router = service_router("/v1/kpis", "kpis")


def _out(kpis: MonthKpis, group_by: GroupBy | None, settings: CollectionsSettings) -> MonthKpisOut:
    out = MonthKpisOut.model_validate(kpis, from_attributes=True)
    if group_by is GroupBy.DISTRICT and kpis.group in settings.dso_targets:
        target = settings.dso_targets[kpis.group]
        on_target = None if kpis.dso_standard is None else kpis.dso_standard <= target
        out = out.model_copy(update={"dso_target": target, "on_target": on_target})
    return out


@router.get("", summary="Collection KPIs for a month, with a trend")
async def read_kpis(
    session: SessionDep,
    _: AnyRole,
    settings: SettingsDep,
    period: Annotated[BoundedMonth, Query()],
    group_by: GroupBy | None = None,
    trend: Annotated[
        int, Query(ge=1, le=24, description="How many months, ending with `period`")
    ] = 6,
) -> KpisOut:
    """Per currency (and group): credit sales, beginning/ending/current AR, DSO by the standard
    and countback methods, best possible DSO, average days delinquent and CEI, exactly as
    docs/domain.md#kpis defines them, for `period` and the months before it. Grouped by
    district, each row shows the district's DSO target and whether the standard DSO is on target."""
    found = await monthly_kpis(session, Month.parse(period), months=trend, group_by=group_by)
    return KpisOut(
        period=period, group_by=group_by, months=[_out(k, group_by, settings) for k in found]
    )
