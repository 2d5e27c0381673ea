"""The sales-tax database API: jurisdictions, their rates by effective date, and liability."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Path, Query, status
from sqlalchemy import or_
from sqlmodel import col, select

from services.invoicing.api_kit import Biller, Reader, invoicing_router
from services.invoicing.credit_memos.models import CreditMemo
from services.invoicing.invoices.domain import InvoiceStatus
from services.invoicing.invoices.models import Invoice
from services.invoicing.invoices.terms import end_of_month
from services.invoicing.tax.domain import jurisdictions_for
from services.invoicing.tax.models import TaxJurisdiction, TaxRate
from services.invoicing.tax.repository import (
    get_jurisdiction,
    jurisdictions_on,
    rates_by_jurisdiction,
)
from services.invoicing.tax.schemas import (
    JurisdictionIn,
    JurisdictionOnDay,
    JurisdictionOut,
    Liability,
    LiabilityLine,
    RateIn,
    RateOut,
)
from shared.api.problems import Conflict
from shared.api.transaction import SessionDep
from shared.audit import record_change

router = invoicing_router("/v1/tax", "sales tax")

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
async def list_jurisdictions(session: SessionDep, _: Reader) -> list[JurisdictionOut]:
    """Every jurisdiction with its address criteria, taxable classes and rates, by code."""
    rates = await rates_by_jurisdiction(session)
    rows = (await session.exec(select(TaxJurisdiction).order_by(col(TaxJurisdiction.code)))).all()
    return [_out(row, rates[row.code]) for row in rows]


@router.put("/jurisdictions/{code}", summary="Create or change a jurisdiction")
async def put_jurisdiction(
    code: Code, data: JurisdictionIn, session: SessionDep, actor: Biller
) -> JurisdictionOut:
    """Set a jurisdiction's name, level, the addresses it covers and the line classes it
    taxes (audited). Rates are added separately, each from its effective date."""
    row = await session.get(TaxJurisdiction, code)
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
async def add_rate(code: Code, data: RateIn, session: SessionDep, actor: Biller) -> JurisdictionOut:
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
    _: Reader,
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
    _: Reader,
    period: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])],
    currency: Annotated[str, Query(min_length=3, max_length=3)] = "USD",
) -> Liability:
    """Tax invoiced in the month (issued invoices by invoice date) less tax credited in it
    (credit memos and voids), per jurisdiction. Imported legacy invoices were reported by the
    legacy system and are left out."""
    first = date.fromisoformat(f"{period}-01")
    last = end_of_month(first)
    invoices = (
        await session.exec(
            select(Invoice).where(
                Invoice.currency == currency,
                col(Invoice.imported).is_(False),
                col(Invoice.status) != InvoiceStatus.DRAFT,
                or_(
                    col(Invoice.invoice_date).between(first, last),
                    col(Invoice.voided_on).between(first, last),
                ),
            )
        )
    ).all()
    memos = (
        await session.exec(
            select(CreditMemo).where(
                CreditMemo.currency == currency, col(CreditMemo.issued_on).between(first, last)
            )
        )
    ).all()
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
