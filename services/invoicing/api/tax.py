"""The sales-tax database API: jurisdictions, their rates by effective date, and liability."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Path, Query, status

from services.invoicing.domain.tax import jurisdictions_for
from services.invoicing.domain.terms import end_of_month
from services.invoicing.models.tax import TaxJurisdiction, TaxRate
from services.invoicing.queries.credit_memos import credit_memos_issued_between
from services.invoicing.queries.invoices import invoices_taxed_between
from services.invoicing.queries.tax import (
    all_jurisdictions,
    find_jurisdiction,
    get_jurisdiction,
    jurisdictions_on,
    rates_by_jurisdiction,
)
from services.invoicing.schemas.tax import (
    JurisdictionIn,
    JurisdictionOnDay,
    JurisdictionOut,
    Liability,
    LiabilityLine,
    RateIn,
    RateOut,
)
from shared.api.access import AnyRole, ARStaff
from shared.api.dates import BoundedMonth
from shared.api.problems import Conflict
from shared.api.routing import service_router
from shared.api.transaction import SessionDep
from shared.audit import record_change

router = service_router("/v1/tax", "sales tax")

Code = Annotated[
    str, Path(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", examples=["TX-MIDLAND-CO"])
]


def _out(row: TaxJurisdiction, rates: list[TaxRate]) -> JurisdictionOut:
    return JurisdictionOut(
        **JurisdictionIn.model_validate(row, from_attributes=True).model_dump(),
        code=row.code,
        rates=[RateOut.model_validate(r) for r in rates],
    )


@router.get("/jurisdictions", summary="List tax jurisdictions")
async def list_jurisdictions(session: SessionDep, _: AnyRole) -> list[JurisdictionOut]:
    """Every jurisdiction with its address criteria, taxable classes and rates, by code."""
    rates = await rates_by_jurisdiction(session)
    return [_out(row, rates[row.code]) for row in await all_jurisdictions(session)]


@router.put("/jurisdictions/{code}", summary="Create or change a jurisdiction")
async def put_jurisdiction(
    code: Code, data: JurisdictionIn, session: SessionDep, actor: ARStaff
) -> JurisdictionOut:
    """Set a jurisdiction's name, level, the addresses it covers and the line classes it
    taxes (audited). Rates are added separately, each from its effective date."""
    row = await find_jurisdiction(session, code)
    before = (
        JurisdictionIn.model_validate(row, from_attributes=True).model_dump(mode="json")
        if row
        else None
    )
    values = data.model_dump(mode="json")
    if row is None:
        row = TaxJurisdiction(code=code, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    record_change(
        session,
        actor=actor,
        action="tax_jurisdiction_set",
        entity_type="tax_jurisdiction",
        entity_id=code,
        changes={"from": before, "to": values},
    )
    await session.flush()
    return _out(row, (await rates_by_jurisdiction(session))[code])


@router.post(
    "/jurisdictions/{code}/rates", status_code=status.HTTP_201_CREATED, summary="Add a rate"
)
async def add_rate(
    code: Code, data: RateIn, session: SessionDep, actor: ARStaff
) -> JurisdictionOut:
    """A new rate from its effective date on (audited). A date already carrying a rate is a 409:
    invoices may have been taxed at it."""
    row = await get_jurisdiction(session, code)
    existing = (await rates_by_jurisdiction(session))[code]
    if any(rate.effective_from == data.effective_from for rate in existing):
        raise Conflict(f"{code} already has a rate from {data.effective_from}")
    session.add(TaxRate(jurisdiction_code=code, effective_from=data.effective_from, rate=data.rate))
    record_change(
        session,
        actor=actor,
        action="tax_rate_added",
        entity_type="tax_jurisdiction",
        entity_id=code,
        changes={"rate": data.model_dump(mode="json")},
    )
    await session.flush()
    return _out(row, (await rates_by_jurisdiction(session))[code])


@router.get("/lookup", summary="The jurisdictions of an address on a day")
async def lookup(
    session: SessionDep,
    _: AnyRole,
    region: Annotated[str, Query(min_length=1, max_length=10, examples=["TX"])],
    on: date,
    county: Annotated[str | None, Query(max_length=100)] = None,
    city: Annotated[str | None, Query(max_length=100)] = None,
    postal_code: Annotated[str | None, Query(max_length=20)] = None,
    country: Annotated[str, Query(min_length=2, max_length=2)] = "US",
) -> list[JurisdictionOnDay]:
    """Which jurisdictions tax work at this address, at what rate on the day and which line
    classes: the explanation of an invoice's tax lines."""
    address = {
        "region": region,
        "county": county,
        "city": city,
        "postal_code": postal_code,
        "country": country,
    }
    return [
        JurisdictionOnDay(
            code=j.code,
            name=j.name,
            level=j.level,
            rate=j.rate,
            taxable_classes=sorted(j.taxable_classes),
        )
        for j in jurisdictions_for(address, await jurisdictions_on(session, on))
    ]


@router.get("/liability", summary="Sales tax invoiced per jurisdiction in a month")
async def tax_liability(
    session: SessionDep,
    _: AnyRole,
    period: Annotated[BoundedMonth, Query()],
    currency: Annotated[str, Query(min_length=3, max_length=3)] = "USD",
) -> Liability:
    """Tax invoiced in the month (issued invoices by invoice date) less tax credited in it
    (credit memos and voids), per jurisdiction. Imported legacy invoices were reported by the
    legacy system and are left out."""
    first = date.fromisoformat(f"{period}-01")
    last = end_of_month(first)
    invoices = await invoices_taxed_between(session, currency, first, last)
    memos = await credit_memos_issued_between(session, currency, first, last)
    lines: dict[str, LiabilityLine] = {}

    def add(taxes: list[dict], *, invoiced: bool) -> None:
        for tax in taxes:
            line = lines.setdefault(
                tax["jurisdiction"],
                LiabilityLine(
                    jurisdiction=tax["jurisdiction"],
                    name=tax["name"],
                    invoiced_taxable=Decimal(0),
                    invoiced_tax=Decimal(0),
                    credited_tax=Decimal(0),
                    net_tax=Decimal(0),
                ),
            )
            amount = Decimal(tax["amount"])
            if invoiced:
                line.invoiced_taxable += Decimal(tax["taxable_amount"])
                line.invoiced_tax += amount
                line.net_tax += amount
            else:
                line.credited_tax += amount
                line.net_tax -= amount

    for invoice in invoices:
        if first <= invoice.invoice_date <= last:
            add(invoice.taxes, invoiced=True)
        if invoice.voided_on and first <= invoice.voided_on <= last:
            add(invoice.taxes, invoiced=False)
    for memo in memos:
        add(memo.taxes, invoiced=False)
    return Liability(
        period=period, currency=currency, jurisdictions=[lines[c] for c in sorted(lines)]
    )
