"""Reading vendors, vendor bills, their lines and files, the jobs lines are coded to, and cost
adjustments."""

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.costs import (
    AdjustmentKind,
    AdjustmentStatus,
    BillStatus,
    PassThrough,
    pass_through_price,
)
from services.invoicing.domain.invoices import InvoiceStatus
from services.invoicing.domain.margin import Amount, Job
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.costs import (
    CostAdjustment,
    Vendor,
    VendorBill,
    VendorBillDocument,
    VendorBillLine,
)
from services.invoicing.models.credit_memos import CreditMemo
from services.invoicing.models.invoices import Invoice
from services.invoicing.models.tickets import Ticket
from shared.api.problems import NotFound
from shared.db import chunks
from shared.events.customers import BillingProfile


async def get_vendor(session: AsyncSession, vendor_id: uuid.UUID) -> Vendor:
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound(f"no vendor {vendor_id}")
    return vendor


def vendors() -> Select:  # type: ignore[type-arg]
    return select(Vendor)


async def vendors_by_key(session: AsyncSession) -> dict[str, list[Vendor]]:
    """Every vendor under its id and its name (casefolded), for an import naming either."""
    found: dict[str, list[Vendor]] = {}
    for vendor in (await session.exec(select(Vendor))).all():
        found.setdefault(str(vendor.id), []).append(vendor)
        found.setdefault(vendor.name.casefold(), []).append(vendor)
    return found


async def get_bill(session: AsyncSession, bill_id: uuid.UUID, *, lock: bool = False) -> VendorBill:
    statement = select(VendorBill).where(VendorBill.id == bill_id)
    if lock:
        statement = statement.with_for_update()
    bill = (await session.exec(statement)).first()
    if bill is None:
        raise NotFound(f"no vendor bill {bill_id}")
    return bill


def bills(*, vendor_id: uuid.UUID | None, status: str | None) -> Select:  # type: ignore[type-arg]
    statement = select(VendorBill)
    if vendor_id is not None:
        statement = statement.where(VendorBill.vendor_id == vendor_id)
    if status is not None:
        statement = statement.where(VendorBill.status == status)
    return statement


async def bill_lines(
    session: AsyncSession, bill_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[VendorBillLine]]:
    found: dict[uuid.UUID, list[VendorBillLine]] = {bill_id: [] for bill_id in bill_ids}
    for some in chunks(list(bill_ids)):
        rows = await session.exec(
            select(VendorBillLine)
            .where(col(VendorBillLine.bill_id).in_(some))
            .order_by(col(VendorBillLine.bill_id), col(VendorBillLine.line))
        )
        for line in rows.all():
            found[line.bill_id].append(line)
    return found


async def existing_numbers(
    session: AsyncSession, keys: Collection[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    """The bills already entered under these (vendor, number) pairs: read by number (a few
    reads for a whole import), matched to the vendor here."""
    wanted = set(keys)
    found = {}
    for some in chunks(sorted({number for _, number in wanted})):
        rows = await session.exec(
            select(VendorBill.id, VendorBill.vendor_id, VendorBill.number).where(
                col(VendorBill.number).in_(some)
            )
        )
        found.update(
            {
                (vendor_id, number): bill_id
                for bill_id, vendor_id, number in rows.all()
                if (vendor_id, number) in wanted
            }
        )
    return found


async def live_bills_near(
    session: AsyncSession, windows: Mapping[uuid.UUID, tuple[date, date]]
) -> dict[uuid.UUID, list[Row[Any]]]:
    """Per vendor, its bills not rejected dated within its (first, last) window: near-duplicate
    candidates, read for all the vendors at once."""
    found: dict[uuid.UUID, list[Row[Any]]] = {vendor_id: [] for vendor_id in windows}
    if not windows:
        return found
    first = min(window[0] for window in windows.values())
    last = max(window[1] for window in windows.values())
    for some in chunks(sorted(windows)):
        rows = await session.exec(
            select(
                VendorBill.vendor_id,
                VendorBill.id,
                VendorBill.number,
                VendorBill.bill_date,
                VendorBill.total,
            ).where(
                col(VendorBill.vendor_id).in_(some),
                col(VendorBill.bill_date).between(first, last),
                VendorBill.status != BillStatus.REJECTED,
            )
        )
        for row in rows.all():
            since, until = windows[row.vendor_id]
            if since <= row.bill_date <= until:
                found[row.vendor_id].append(row)
    return found


async def bill_vendors(
    session: AsyncSession, bill_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """Each bill's number and its vendor's name, for the lines that bill them on."""
    found = {}
    for some in chunks(sorted(bill_ids)):
        rows = await session.exec(
            select(VendorBill.id, VendorBill.number, Vendor.name)
            .join(Vendor, col(Vendor.id) == col(VendorBill.vendor_id))
            .where(col(VendorBill.id).in_(some))
        )
        found.update({bill_id: (number, name) for bill_id, number, name in rows.all()})
    return found


async def tickets_by_number(
    session: AsyncSession, numbers: Collection[str]
) -> dict[str, list[Row[Any]]]:
    """The tickets of these numbers (any source system), with what coding and billing need."""
    found: dict[str, list[Row[Any]]] = {}
    for some in chunks(sorted(numbers)):
        rows = await session.exec(
            select(
                Ticket.id,
                Ticket.ticket_number,
                Ticket.customer_id,
                Ticket.business_district,
                Ticket.currency,
                Ticket.invoice_id,
            ).where(col(Ticket.ticket_number).in_(some))
        )
        for row in rows.all():
            found.setdefault(row.ticket_number, []).append(row)
    return found


async def tickets_by_id(
    session: AsyncSession, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Row[Any]]:
    found = {}
    for some in chunks(sorted(ids)):
        rows = await session.exec(
            select(
                Ticket.id,
                Ticket.ticket_number,
                Ticket.customer_id,
                Ticket.business_district,
                Ticket.currency,
                Ticket.invoice_id,
            ).where(col(Ticket.id).in_(some))
        )
        found.update({row.id: row for row in rows.all()})
    return found


async def known_job_sites(
    session: AsyncSession, pairs: Collection[tuple[uuid.UUID, str]]
) -> set[tuple[uuid.UUID, str]]:
    """Which (customer, job site) pairs a ticket of that customer was done at (casefolded)."""
    found = set()
    for some in chunks(sorted({customer for customer, _ in pairs})):
        rows = await session.exec(
            select(Ticket.customer_id, func.lower(Ticket.job_site))
            .where(col(Ticket.customer_id).in_(some), col(Ticket.job_site).is_not(None))
            .distinct()
        )
        found.update((customer_id, site) for customer_id, site in rows.all())
    return found


async def coding_history(
    session: AsyncSession, vendor_ids: Collection[uuid.UUID]
) -> list[Row[Any]]:
    """Every coded line of these vendors' bills not rejected: what suggestions learn from."""
    rows: list[Row[Any]] = []
    for some in chunks(sorted(vendor_ids)):
        result = await session.exec(
            select(
                VendorBill.vendor_id,
                VendorBillLine.description,
                VendorBillLine.account,
                VendorBillLine.cost_category,
            )
            .join(VendorBill, col(VendorBill.id) == col(VendorBillLine.bill_id))
            .where(
                col(VendorBill.vendor_id).in_(some),
                VendorBill.status != BillStatus.REJECTED,
                col(VendorBillLine.account).is_not(None),
                col(VendorBillLine.cost_category).is_not(None),
            )
        )
        rows.extend(result.all())
    return rows


async def pending_pass_through(
    session: AsyncSession, ticket_ids: Collection[uuid.UUID]
) -> list[VendorBillLine]:
    """Billable lines of posted bills waiting for these tickets' next invoice, oldest first.
    Read whole and filtered here: few lines wait at a time, and a run may bill 100,000 tickets."""
    rows = await session.exec(
        select(VendorBillLine)
        .where(VendorBillLine.pass_through_status == PassThrough.PENDING)
        .order_by(col(VendorBillLine.bill_id), col(VendorBillLine.line))
    )
    wanted = set(ticket_ids)
    return [line for line in rows.all() if line.ticket_id in wanted]


async def unbilled_pass_through(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[Decimal, str | None]]:
    """What each customer's billable third-party costs will still bill: a line waiting for its
    job's invoice at its price, a proposed supplementary invoice at its amount, a charge on a
    draft at what the draft bills; and their currency (None: never any). A proposed credit
    lowers nothing until it is issued: exposure errs on the side of more. Read for all the
    customers at once."""
    found: dict[uuid.UUID, tuple[Decimal, str | None]] = {
        customer_id: (Decimal(0), None) for customer_id in customer_ids
    }
    for chunk in range(0, len(customer_ids), 5000):
        wanted = customer_ids[chunk : chunk + 5000]
        rows = await session.exec(
            select(
                VendorBillLine.customer_id,
                VendorBillLine.pass_through_status,
                VendorBillLine.amount,
                VendorBillLine.billed_amount,
                VendorBill.currency,
                Invoice.status,
            )
            .join(VendorBill, col(VendorBill.id) == col(VendorBillLine.bill_id))
            .outerjoin(Invoice, col(Invoice.id) == col(VendorBillLine.invoice_id))
            .where(
                col(VendorBillLine.customer_id).in_(wanted),
                col(VendorBillLine.pass_through_status).is_not(None),
            )
        )
        lines = rows.all()
        accounts = {
            a.id: a
            for a in await session.exec(
                select(BillingAccount).where(
                    col(BillingAccount.id).in_({line[0] for line in lines})
                )
            )
        }
        for customer_id, status, cost, billed, currency, invoice_status in lines:
            assert customer_id is not None  # asked for by customer
            unbilled = found[customer_id][0]
            if status == PassThrough.PENDING:
                account = accounts.get(customer_id)
                profile = BillingProfile.model_validate(account.billing_profile if account else {})
                unbilled += pass_through_price(
                    cost, profile.pass_through_markup, profile.pass_through_fee, currency
                )
            elif status == PassThrough.BILLED and invoice_status == InvoiceStatus.DRAFT:
                unbilled += billed
            found[customer_id] = (unbilled, currency)
        proposed = await session.exec(
            select(CostAdjustment.customer_id, func.sum(CostAdjustment.amount))
            .where(
                col(CostAdjustment.customer_id).in_(wanted),
                CostAdjustment.status == AdjustmentStatus.PROPOSED,
                CostAdjustment.kind == AdjustmentKind.SUPPLEMENTARY_INVOICE,
            )
            .group_by(col(CostAdjustment.customer_id))
        )
        for customer_id, amount in proposed.all():
            unbilled, currency = found[customer_id]
            found[customer_id] = (unbilled + Decimal(amount), currency)
    return found


async def customers_pass_through_in_run(session: AsyncSession, run_id: uuid.UUID) -> set[uuid.UUID]:
    """Customers whose pass-through charges the run billed."""
    rows = await session.exec(
        select(VendorBillLine.customer_id)
        .join(Invoice, col(Invoice.id) == col(VendorBillLine.invoice_id))
        .where(Invoice.billing_run_id == run_id, col(VendorBillLine.customer_id).is_not(None))
        .distinct()
    )
    return {customer_id for customer_id in rows.all() if customer_id is not None}


async def get_document(
    session: AsyncSession, bill_id: uuid.UUID, document_id: uuid.UUID
) -> VendorBillDocument:
    document = await session.get(VendorBillDocument, document_id)
    if document is None or document.bill_id != bill_id:
        raise NotFound(f"no document {document_id} on vendor bill {bill_id}")
    return document


async def list_documents(session: AsyncSession, bill_id: uuid.UUID) -> list[VendorBillDocument]:
    rows = await session.exec(
        select(VendorBillDocument)
        .where(VendorBillDocument.bill_id == bill_id)
        .order_by(col(VendorBillDocument.uploaded_at), col(VendorBillDocument.id))
    )
    return list(rows.all())


async def open_adjustments(session: AsyncSession, line_id: uuid.UUID) -> list[CostAdjustment]:
    rows = await session.exec(
        select(CostAdjustment).where(
            CostAdjustment.line_id == line_id, CostAdjustment.status == AdjustmentStatus.PROPOSED
        )
    )
    return list(rows.all())


async def get_adjustment(
    session: AsyncSession, adjustment_id: uuid.UUID, *, lock: bool = False
) -> CostAdjustment:
    statement = select(CostAdjustment).where(CostAdjustment.id == adjustment_id)
    if lock:
        statement = statement.with_for_update()
    adjustment = (await session.exec(statement)).first()
    if adjustment is None:
        raise NotFound(f"no cost adjustment {adjustment_id}")
    return adjustment


def adjustments(*, status: str | None, customer_id: uuid.UUID | None) -> Select:  # type: ignore[type-arg]
    statement = select(CostAdjustment)
    if status is not None:
        statement = statement.where(CostAdjustment.status == status)
    if customer_id is not None:
        statement = statement.where(CostAdjustment.customer_id == customer_id)
    return statement


async def margin_amounts(
    session: AsyncSession, first: date, last: date, district: str | None
) -> tuple[list[Amount], list[Amount], list[Amount], dict[uuid.UUID, Job]]:
    """Revenue, cost and unbilled pass-through of jobs (tickets) dated from `first` to `last`,
    and those jobs: what the job-margin report adds up."""
    revenue: list[Amount] = []
    invoices = await session.exec(
        select(Invoice.invoice_date, Invoice.lines).where(
            Invoice.status == InvoiceStatus.ISSUED,
            col(Invoice.invoice_date).between(first, last),
        )
    )
    for on, lines in invoices.all():
        revenue.extend(_job_amounts(lines, on, Decimal(1)))
    memos = await session.exec(
        select(CreditMemo.issued_on, CreditMemo.lines).where(
            col(CreditMemo.issued_on).between(first, last)
        )
    )
    for on, lines in memos.all():
        revenue.extend(_job_amounts(lines, on, Decimal(-1)))
    costs = await session.exec(
        select(VendorBill.posted_on, VendorBillLine.ticket_id, VendorBillLine.amount)
        .join(VendorBill, col(VendorBill.id) == col(VendorBillLine.bill_id))
        .where(
            col(VendorBill.posted_on).between(first, last),
            col(VendorBillLine.ticket_id).is_not(None),
        )
    )
    cost = [Amount(ticket, on, amount) for on, ticket, amount in costs.all()]
    waiting = await session.exec(
        select(VendorBill.posted_on, VendorBillLine.ticket_id, VendorBillLine.amount)
        .join(VendorBill, col(VendorBill.id) == col(VendorBillLine.bill_id))
        .where(
            col(VendorBill.posted_on).between(first, last),
            col(VendorBillLine.pass_through_status).in_(
                [PassThrough.PENDING, PassThrough.ADJUSTING]
            ),
        )
    )
    unbilled = [Amount(ticket, on, amount) for on, ticket, amount in waiting.all()]
    ids = {a.ticket_id for a in [*revenue, *cost, *unbilled]}
    jobs = {}
    for some in chunks(sorted(ids)):
        statement = select(
            Ticket.id,
            Ticket.ticket_number,
            Ticket.job_site,
            Ticket.business_district,
            Ticket.currency,
        ).where(col(Ticket.id).in_(some))
        if district is not None:
            statement = statement.where(Ticket.business_district == district)
        for ticket_id, number, site, in_district, currency in (await session.exec(statement)).all():
            jobs[ticket_id] = Job(number, site, in_district, currency)
    return (
        [a for a in revenue if a.ticket_id in jobs],
        [a for a in cost if a.ticket_id in jobs],
        [a for a in unbilled if a.ticket_id in jobs],
        jobs,
    )


def _job_amounts(lines: Sequence[Mapping[str, Any]], on: date, sign: Decimal) -> list[Amount]:
    return [
        Amount(uuid.UUID(line["ticket_id"]), on, sign * Decimal(line["amount"]))
        for line in lines
        if line.get("ticket_id")
    ]
