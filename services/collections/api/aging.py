"""Aging routes: totals and rows as of any date, drill-down to the items, CSV and XLSX."""

import uuid
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Query, Response

from services.collections.domain.aging import DEFAULT_EDGES, Basis, InvalidEdges, parse_edges
from services.collections.queries.aging import (
    AgedItem,
    AgingLine,
    AgingQuery,
    GroupBy,
    aged_items,
    aging,
)
from services.collections.queries.export import XLSX_MEDIA_TYPE, aging_csv, aging_xlsx
from services.collections.schemas import AgedItemOut, AgingLineOut, AgingOut
from shared.api.access import ScopedAnyRole
from shared.api.dates import BoundedDate
from shared.api.problems import Problem
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.clock import ClockDep

router = service_router("/v1/aging", "aging")


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def aging_query(
    clock: ClockDep,
    actor: ScopedAnyRole,
    as_of: Annotated[
        BoundedDate | None,
        Query(description="Count only what is dated on or before it; default today"),
    ] = None,
    basis: Basis = Basis.DUE,
    group_by: GroupBy | None = None,
    edges: Annotated[
        str,
        Query(
            description="Bucket edges in days past due",
            examples=["0,30,60,90,120"],
            max_length=100,
        ),
    ] = ",".join(map(str, DEFAULT_EDGES)),
    customer_id: uuid.UUID | None = None,
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
) -> AgingQuery:
    try:
        buckets = parse_edges(edges)
    except InvalidEdges as exc:
        raise Problem(str(exc), slug="invalid-bucket-edges", title="Invalid bucket edges") from exc
    return AgingQuery(
        as_of=as_of or clock.today(),
        basis=basis,
        buckets=buckets,
        group_by=group_by,
        customer_id=customer_id,
        currency=currency,
        scope=actor.scope,
    )


AgingParams = Annotated[AgingQuery, Depends(aging_query)]


def aged_item_out(a: AgedItem, labels: list[str]) -> AgedItemOut:
    return AgedItemOut(
        id=a.item.id,
        customer_id=a.item.customer_id,
        kind=a.item.kind,
        number=a.item.number,
        currency=a.item.currency,
        document_date=a.item.document_date,
        due_date=a.item.due_date,
        business_district=a.item.business_district,
        sales_rep=a.item.sales_rep,
        original_amount=a.item.original_amount,
        balance=a.balance,
        days_past_due=a.days_past_due,
        bucket=labels[a.bucket] if a.bucket is not None else None,
    )


def _line_out(line: AgingLine, labels: list[str]) -> AgingLineOut:
    return AgingLineOut(
        currency=line.currency,
        group=line.group,
        name=line.name,
        buckets=dict(zip(labels, line.buckets, strict=True)),
        open_ar=line.open_ar,
        unapplied_credits=line.credits,
        net=line.net,
    )


@router.get("", summary="Aging as of a date", response_model=AgingOut)
async def read_aging(
    session: SessionDep, q: AgingParams, format: Format = Format.JSON
) -> AgingOut | Response:
    """Open AR by bucket of days past due (or days since the invoice date with `basis=invoice`),
    as of any date: only documents and applications dated on or before it count. Totals per
    currency, and a row per customer, district or sales rep with `group_by`. Unapplied credits
    are their own column, never netted into a bucket. `format=csv` or `xlsx` gives the same
    numbers as a file. A token limited to districts or a customer counts only their items."""
    report = await aging(session, q)
    if format is Format.CSV:
        return Response(aging_csv(report), media_type="text/csv")
    if format is Format.XLSX:
        return Response(aging_xlsx(report), media_type=XLSX_MEDIA_TYPE)
    labels = q.buckets.labels
    return AgingOut(
        as_of=q.as_of,
        basis=q.basis,
        group_by=q.group_by,
        bucket_labels=labels,
        totals=[_line_out(line, labels) for line in report.totals],
        rows=[_line_out(line, labels) for line in report.rows],
    )


@router.get("/items", summary="The items behind an aging")
async def read_aged_items(
    session: SessionDep,
    q: AgingParams,
    business_district: Annotated[str | None, Query(max_length=50)] = None,
    sales_rep: Annotated[str | None, Query(max_length=100)] = None,
    bucket: Annotated[str | None, Query(description="A bucket label, e.g. 31-60")] = None,
) -> list[AgedItemOut]:
    """Drill down: each open item with its balance as of the date, its days past due and its
    bucket, oldest first, filtered like the aging row it explains (at most 500)."""
    labels = q.buckets.labels
    if bucket is not None and bucket not in labels:
        raise Problem(
            f"bucket must be one of {', '.join(labels)}",
            slug="invalid-bucket",
            title="Invalid bucket",
        )
    found = await aged_items(
        session,
        q,
        business_district=business_district,
        sales_rep=sales_rep,
        bucket=labels.index(bucket) if bucket else None,
    )
    return [aged_item_out(a, labels) for a in found]
