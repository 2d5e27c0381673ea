"""Rental contracts: open one, put its lines on and off rent (moving their assets in the
register), and credit rent billed in advance for the days a line was not out."""

import uuid
from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.assets import move_asset
from services.invoicing.commands.credit_memos import issue_credit_memo
from services.invoicing.domain.credit_memos import CreditRequest, partial_credit
from services.invoicing.domain.invoices import InvoiceStatus
from services.invoicing.domain.rentals.assets import AssetStatus
from services.invoicing.domain.rentals.contracts import ChargeKind, early_return_credit
from services.invoicing.domain.rentals.cycles import Proration, check_proration
from services.invoicing.domain.rentals.rates import RentalRuleBroken
from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.models.rentals import RentalCharge, RentalContract, RentalLine
from services.invoicing.publishing.rentals import publish_accrued, publish_ended, publish_started
from services.invoicing.queries.accounts import find_billing_account
from services.invoicing.queries.assets import get_asset
from services.invoicing.queries.invoices import get_invoice
from services.invoicing.queries.rentals import (
    billed_of,
    charges_of,
    contract_by_number,
    get_line,
    terms_of,
)
from services.invoicing.schemas.assets import AssetMoveIn
from services.invoicing.schemas.rentals import RentalContractIn
from services.invoicing.settings import InvoicingSettings
from shared.api.problems import Conflict
from shared.audit import record_change
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.money import check_minor_units, round_money

# An early return's credit is computed by the rental rules, not chosen by a person, so the
# credit-memo approval limit (a check on discretionary credits) does not apply to it.
RENTAL_RULES = Principal(subject="rental-rules", roles=frozenset({Role.AR_SUPERVISOR}))


async def open_contract(
    session: AsyncSession, data: RentalContractIn, actor: Principal
) -> RentalContract:
    """A contract for a customer invoicing knows, in its billing currency, each line naming a
    registered asset or a class; amounts in whole cents."""
    if await contract_by_number(session, data.contract_number):
        raise Conflict(f"rental contract {data.contract_number} exists already")
    account = await find_billing_account(session, data.customer_id)
    if account is None:
        raise RentalRuleBroken(f"customer {data.customer_id} is unknown to invoicing")
    check_proration(data.cycle, Proration(data.proration_start, data.proration_end))
    currency = data.currency or account.currency
    if currency != account.currency:
        raise RentalRuleBroken(f"the customer is billed in {account.currency}, not {currency}")
    contract = RentalContract(
        contract_number=data.contract_number,
        customer_id=data.customer_id,
        currency=currency,
        business_district=data.business_district,
        job_site=data.job_site,
        job_site_address=data.job_site_address.model_dump() if data.job_site_address else None,
        po_number=data.po_number,
        sales_rep=data.sales_rep,
        cycle=data.cycle,
        timing=data.timing,
        proration_start=data.proration_start,
        proration_end=data.proration_end,
        damage_waiver_percent=data.damage_waiver_percent,
        created_by=actor.subject,
    )
    session.add(contract)
    await session.flush()
    for number, item in enumerate(data.lines, start=1):
        money = (item.daily, item.weekly, item.four_weeks, item.monthly, item.minimum)
        fees = (item.delivery_charge, item.pickup_charge, item.environmental_fee)
        check_minor_units(currency, *money, *fees)
        asset_class = item.asset_class
        if item.asset_id is not None:
            asset = await get_asset(session, item.asset_id)
            asset_class = asset_class or asset.asset_class
        assert asset_class is not None  # the schema asks for an asset or a class
        session.add(
            RentalLine(
                contract_id=contract.id,
                line_number=number,
                asset_id=item.asset_id,
                asset_class=asset_class,
                quantity=item.quantity,
                description=item.description or f"{asset_class} {item.asset_id or ''}".strip(),
                daily=item.daily,
                weekly=item.weekly,
                four_weeks=item.four_weeks,
                monthly=item.monthly,
                minimum=item.minimum,
                month_days=item.month_days,
                delivery_charge=item.delivery_charge,
                pickup_charge=item.pickup_charge,
                environmental_fee=item.environmental_fee,
                meter=item.meter.model_dump(mode="json") if item.meter else None,
            )
        )
    record_change(
        session,
        actor=actor,
        action="rental_contract_opened",
        entity_type="rental_contract",
        entity_id=str(contract.id),
        changes=data.model_dump(mode="json"),
    )
    await session.flush()
    return contract


async def put_on_rent(
    session: AsyncSession,
    contract: RentalContract,
    line: RentalLine,
    on: date,
    today: date,
    actor: Principal | None,
) -> bool:
    """The line is on rent from `on`; its asset shows on rent at the job site from then. The
    same date again changes nothing (False); another date is refused."""
    if line.on_rent_date is not None:
        if line.on_rent_date == on:
            return False
        raise RentalRuleBroken(f"line {line.line_number} is on rent since {line.on_rent_date}")
    line.on_rent_date = on
    if line.asset_id is not None:
        move = AssetMoveIn(
            status=AssetStatus.ON_RENT,
            effective_on=on,
            district=contract.business_district,
            customer_id=contract.customer_id,
            job_site=contract.job_site,
            note=f"on rent, contract {contract.contract_number}",
        )
        await move_asset(session, line.asset_id, move, today, actor, contract_id=contract.id)
    publish_started(session, contract, line)
    await publish_accrued(session, contract.customer_id, today)
    record_change(
        session,
        actor=actor,
        action="rental_line_on_rent",
        entity_type="rental_contract",
        entity_id=str(contract.id),
        changes={"line": line.line_number, "on_rent_date": on.isoformat()},
    )
    await session.flush()
    return True


async def _credit_early_return(
    session: AsyncSession,
    contract: RentalContract,
    line: RentalLine,
    settings: InvoicingSettings,
    clock: Clock,
) -> CreditMemo | None:
    """Rent billed in advance past the off-rent date, credited on the invoice of the line's
    last cycle (with its damage waiver), linked to it; none when nothing was billed ahead."""
    charges = (await charges_of(session, [line.id]))[line.id]
    billed = (await billed_of(session, [line.id]))[line.id]
    credit = early_return_credit(terms_of(line, contract), billed.rent)
    if not credit:
        return None
    last_rent = next(
        c for c in reversed(charges) if c.kind == ChargeKind.RENT and c.invoice_id is not None
    )
    invoice = await get_invoice(session, last_rent.invoice_id, lock=True)  # type: ignore[arg-type]
    if invoice.status != InvoiceStatus.ISSUED:
        raise Conflict(
            f"invoice {invoice.id} billing this line is {invoice.status}: issue its run first"
        )
    waiver = next(
        (
            c
            for c in charges
            if c.cycle_number == last_rent.cycle_number and c.kind == ChargeKind.DAMAGE_WAIVER
        ),
        None,
    )
    requests = []
    for index, facts in enumerate(invoice.lines, start=1):
        if facts["description"] == last_rent.description:
            requests.append(CreditRequest(line=index, amount=credit))
        elif waiver is not None and facts["description"] == waiver.description:
            part = round_money(credit * contract.damage_waiver_percent / 100, invoice.currency)
            if part:
                requests.append(CreditRequest(line=index, amount=part))
    memo = await issue_credit_memo(
        session,
        invoice,
        partial_credit(invoice.lines, invoice.taxes, requests, invoice.currency),
        reason_code="rental_early_return",
        reason=f"{line.description} back on {line.off_rent_date}, billed in advance",
        settings=settings,
        actor=RENTAL_RULES,
        clock=clock,
    )
    session.add(
        RentalCharge(
            line_id=line.id,
            contract_id=contract.id,
            customer_id=contract.customer_id,
            cycle_number=last_rent.cycle_number,
            kind=ChargeKind.CREDIT,
            amount=-credit,
            description=f"credit {credit:,.2f}: back on {line.off_rent_date}",
            billed_through=line.off_rent_date,  # type: ignore[arg-type]
            invoice_id=invoice.id,
            credit_memo_id=memo.id,
        )
    )
    return memo


async def take_off_rent(
    session: AsyncSession,
    contract: RentalContract,
    line: RentalLine,
    on: date,
    meter_hours: Decimal | None,
    today: date,
    actor: Principal | None,
    *,
    settings: InvoicingSettings,
    clock: Clock,
) -> tuple[bool, CreditMemo | None]:
    """The line is back on `on` (not charged); its asset is available in the district again;
    rent billed in advance beyond it is credited. The same date again changes nothing."""
    if line.on_rent_date is None:
        raise RentalRuleBroken(f"line {line.line_number} never went on rent")
    if line.off_rent_date is not None:
        if line.off_rent_date == on:
            return False, None
        raise RentalRuleBroken(f"line {line.line_number} came off rent on {line.off_rent_date}")
    if on < line.on_rent_date:
        raise RentalRuleBroken(f"line {line.line_number} went on rent on {line.on_rent_date}")
    line.off_rent_date = on
    if meter_hours is not None:
        line.meter_hours = meter_hours
    if line.asset_id is not None:
        move = AssetMoveIn(
            status=AssetStatus.AVAILABLE,
            effective_on=on,
            district=contract.business_district,
            note=f"off rent, contract {contract.contract_number}",
        )
        await move_asset(session, line.asset_id, move, today, actor)
    memo = await _credit_early_return(session, contract, line, settings, clock)
    await session.flush()
    publish_ended(session, contract, line, memo.id if memo else None)
    await publish_accrued(session, contract.customer_id, today)
    record_change(
        session,
        actor=actor,
        action="rental_line_off_rent",
        entity_type="rental_contract",
        entity_id=str(contract.id),
        changes={
            "line": line.line_number,
            "off_rent_date": on.isoformat(),
            "credit_memo": memo.number if memo else None,
        },
    )
    await session.flush()
    return True, memo


async def read_meter(
    session: AsyncSession,
    contract: RentalContract,
    line: RentalLine,
    read_on: date,
    hours: Decimal,
    actor: Principal | None,
) -> None:
    """Hours on the line's meter since on-rent, read between cycles: the next cycle billed
    charges the hours beyond what its periods include. A meter never runs back."""
    if line.meter is None:
        raise RentalRuleBroken(f"line {line.line_number} has no meter allowance")
    if line.on_rent_date is None or read_on < line.on_rent_date:
        raise RentalRuleBroken(f"line {line.line_number} was not on rent on {read_on}")
    if line.off_rent_date is not None and read_on > line.off_rent_date:
        raise RentalRuleBroken(f"line {line.line_number} came off rent on {line.off_rent_date}")
    if line.meter_hours is not None and hours < line.meter_hours:
        raise RentalRuleBroken(
            f"the meter read {line.meter_hours} hours before; it cannot read {hours} now"
        )
    before, line.meter_hours = line.meter_hours, hours
    record_change(
        session,
        actor=actor,
        action="rental_meter_read",
        entity_type="rental_contract",
        entity_id=str(contract.id),
        changes={
            "line": line.line_number,
            "read_on": read_on.isoformat(),
            "hours": str(hours),
            "before": None if before is None else str(before),
        },
    )
    await session.flush()


async def contract_line(
    session: AsyncSession, number: str, line_number: int, customer_id: uuid.UUID
) -> tuple[RentalContract, RentalLine]:
    """The contract line an inbound event names, refused when it names another customer."""
    contract = await contract_by_number(session, number)
    if contract is None or contract.customer_id != customer_id:
        raise RentalRuleBroken(f"no rental contract {number} of customer {customer_id}")
    return contract, await get_line(session, contract.id, line_number, lock=True)
