"""Third-party costs: vendors; vendor bills entered or imported (each line coded by a person, or
by a suggestion at or above the threshold); approval and posting, rejection, reversal; the
pass-through charges a billing run adds to a job's invoice; cost adjustments for invoices
issued before the cost came in. Each runs in the caller's transaction, all or nothing."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.commands.credit_memos import issue_credit_memo
from services.invoicing.commands.invoices import build_draft, issue_invoices
from services.invoicing.commands.journal import post_entry
from services.invoicing.domain import costs as domain
from services.invoicing.domain.coding import Coding, CodingHistory, ticket_numbers_in
from services.invoicing.domain.costs import (
    AdjustmentKind,
    AdjustmentStatus,
    BillRefused,
    BillStatus,
    LineCoding,
    PassThrough,
    PostingLine,
)
from services.invoicing.domain.credit_memos import CreditRequest, partial_credit
from services.invoicing.domain.invoices import InvoiceStatus
from services.invoicing.domain.tax import tax_address
from services.invoicing.models.accounts import BillingAccount
from services.invoicing.models.costs import (
    CostAdjustment,
    Vendor,
    VendorBill,
    VendorBillDocument,
    VendorBillLine,
)
from services.invoicing.publishing.costs import publish_posted
from services.invoicing.publishing.rentals import publish_accrued
from services.invoicing.queries import costs as queries
from services.invoicing.queries.invoices import get_invoice
from services.invoicing.queries.tax import jurisdictions_on
from services.invoicing.schemas.costs import BillLineIn, LineCodingIn, VendorIn
from services.invoicing.settings import InvoicingSettings
from shared.api.files import content_type_of
from shared.api.problems import BusinessRuleViolation, Conflict, FieldError
from shared.audit import record_change, record_changes
from shared.auth import Principal, Role
from shared.clock import Clock, utc_now
from shared.db import insert_rows
from shared.events.customers import BillingProfile
from shared.events.invoicing import InvoiceLineFacts
from shared.money import check_minor_units
from shared.periods import ensure_open

PASS_THROUGH_SERVICE_LINE = "pass_through"


async def create_vendor(
    session: AsyncSession, data: VendorIn, actor: Principal, settings: InvoicingSettings
) -> Vendor:
    account = data.default_expense_account
    if account is not None and not settings.chart.active_cost_account(account):
        raise BusinessRuleViolation(
            f"account {account} is not an active expense or cost account of the chart"
        )
    vendor = Vendor(
        **data.model_dump(exclude={"remit_to"}),
        remit_to=data.remit_to.model_dump() if data.remit_to else None,
        created_by=actor.subject,
    )
    session.add(vendor)
    await session.flush()
    record_change(
        session,
        actor=actor,
        action="vendor_created",
        entity_type="vendor",
        entity_id=str(vendor.id),
        changes=data.model_dump(mode="json"),
    )
    return vendor


@dataclass
class BillDraft:
    """A bill as entered or read from an import, with how to name its parts in a refusal."""

    vendor: Vendor
    number: str
    bill_date: date
    currency: str
    total: Decimal
    lines: list[BillLineIn]
    names: list[str]  # each line's name: "lines[2]", or an import's "row 7"
    bill_name: str = "lines"


@dataclass
class _Jobs:
    tickets: dict[str, list[Row[Any]]] = field(default_factory=dict)
    sites: set[tuple[uuid.UUID, str]] = field(default_factory=set)

    def ticket(self, number: str | None) -> Row[Any] | None:
        found = self.tickets.get(number or "", [])
        # The same number from two source systems is not one job: code it by hand.
        return found[0] if len(found) == 1 else None


async def _jobs(session: AsyncSession, lines: Sequence[BillLineIn]) -> _Jobs:
    numbers = {line.ticket_number for line in lines if line.ticket_number}
    numbers.update(n for line in lines for n in ticket_numbers_in(line.description))
    sites = {
        (line.customer_id, line.job_site.casefold())
        for line in lines
        if line.job_site and line.customer_id
    }
    return _Jobs(
        await queries.tickets_by_number(session, numbers),
        await queries.known_job_sites(session, sites),
    )


async def _history(session: AsyncSession, vendor_ids: set[uuid.UUID]) -> CodingHistory:
    history = CodingHistory()
    for row in await queries.coding_history(session, vendor_ids):
        history.learn(row.vendor_id, row.description, Coding(row.account, row.cost_category))
    return history


def _coding(line: dict[str, Any], jobs: _Jobs, currency: str) -> tuple[LineCoding, Row[Any] | None]:
    ticket = jobs.ticket(line["ticket_number"])
    if line["ticket_number"]:
        has_job, known = True, ticket is not None
    elif line["job_site"]:
        site = (line["customer_id"], line["job_site"].casefold())
        has_job, known = True, line["customer_id"] is not None and site in jobs.sites
    else:
        has_job = known = False
    return (
        LineCoding(
            amount=line["amount"],
            account=line["account"],
            cost_category=line["cost_category"],
            has_job=has_job,
            job_known=known,
            billable=line["billable"],
            billable_job=ticket is not None and ticket.currency == currency,
        ),
        ticket,
    )


def _auto_code(line: dict[str, Any], suggestion: Any, threshold: Decimal) -> bool:
    """Fill what a line lacks from its suggestion when the suggestion is sure enough and agrees
    with whatever the person did code."""
    # The score is a float inside the suggester (as cash application's); the threshold is a
    # setting in Decimal, compared as payments compares its own.
    if suggestion.confidence < float(threshold) or suggestion.account is None:
        return False
    given = {k: line[k] for k in ("account", "cost_category") if line[k] is not None}
    if any(given[k] != getattr(suggestion, k) for k in given):
        return False
    line["account"], line["cost_category"] = suggestion.account, suggestion.cost_category
    if not line["ticket_number"] and not line["job_site"] and suggestion.ticket_number:
        line["ticket_number"] = suggestion.ticket_number
    return True


def _near_duplicates(
    draft: BillDraft, candidates: Sequence[tuple[Any, str, date, Decimal]], days: int
) -> list[str]:
    return [
        str(bill_id)
        for bill_id, number, bill_date, total in candidates
        if total == draft.total
        and domain.near_duplicate(
            draft.bill_date, bill_date, window_days=days, number=draft.number, other_number=number
        )
    ]


async def enter_bills(
    session: AsyncSession,
    drafts: Sequence[BillDraft],
    actor: Principal,
    *,
    settings: InvoicingSettings,
) -> "Entered":
    """Enter bills with their lines, all or none: the same vendor's number twice is a 409 naming
    the first; any coding problem of any line is a 422 naming every one. A line left uncoded is
    coded from its suggestion when that is at or above `coding_auto_threshold`."""
    first: dict[tuple[uuid.UUID, str], str] = {}
    for draft in drafts:
        key = (draft.vendor.id, draft.number)
        if key in first:
            raise Conflict(
                f"{draft.bill_name}: {draft.vendor.name} bill {draft.number} is entered twice "
                f"(first at {first[key]})"
            )
        first[key] = draft.bill_name
    existing = await queries.existing_numbers(session, list(first))
    for draft in drafts:
        if (bill_id := existing.get((draft.vendor.id, draft.number))) is not None:
            raise Conflict(
                f"{draft.vendor.name} already has a bill {draft.number}",
                vendor_bill_id=str(bill_id),
            )
    all_lines = [line for draft in drafts for line in draft.lines]
    jobs = await _jobs(session, all_lines)
    history = await _history(session, {draft.vendor.id for draft in drafts})
    candidates = await _candidates(session, drafts, settings.vendor_bill_duplicate_days)
    errors: list[FieldError] = []
    bills: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        bill_id = uuid.uuid4()
        codings = []
        for number, (name, given) in enumerate(zip(draft.names, draft.lines, strict=True), 1):
            line = given.model_dump()
            try:
                check_minor_units(draft.currency, line["amount"])
            except ValueError as error:
                errors.append(
                    FieldError(field=f"{name}.amount", message=str(error), code="minor_units")
                )
            suggestion, auto = None, False
            if (
                line["account"] is None
                or line["cost_category"] is None
                or not (line["ticket_number"] or line["job_site"])
            ):
                suggestion = history.suggest(
                    draft.vendor.id,
                    line["description"],
                    default_account=draft.vendor.default_expense_account,
                    known_ticket=lambda n: jobs.ticket(n) is not None,
                )
                auto = _auto_code(line, suggestion, settings.coding_auto_threshold)
            coding, ticket = _coding(line, jobs, draft.currency)
            codings.append(coding)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "bill_id": bill_id,
                    "line": number,
                    "description": line["description"],
                    "amount": line["amount"],
                    "account": line["account"],
                    "cost_category": line["cost_category"],
                    "ticket_id": ticket.id if ticket is not None else None,
                    "job_site": line["job_site"],
                    "customer_id": ticket.customer_id
                    if ticket is not None
                    else line["customer_id"],
                    "billable": line["billable"],
                    "auto_coded": auto,
                    "suggestion": suggestion.as_dict() if suggestion else None,
                    "pass_through_status": None,
                    "billed_amount": Decimal(0),
                    "invoice_id": None,
                    "invoice_line": None,
                }
            )
        errors.extend(
            domain.coding_errors(
                codings, draft.total, settings.chart, names=draft.names, bill_name=draft.bill_name
            )
        )
        duplicates = _near_duplicates(
            draft, candidates.get(draft.vendor.id, []), settings.vendor_bill_duplicate_days
        )
        candidates.setdefault(draft.vendor.id, []).append(
            (bill_id, draft.number, draft.bill_date, draft.total)
        )
        bills.append(
            {
                "id": bill_id,
                "vendor_id": draft.vendor.id,
                "number": draft.number,
                "bill_date": draft.bill_date,
                "currency": draft.currency,
                "total": draft.total,
                "status": BillStatus.ENTERED,
                "possible_duplicates": duplicates,
                "created_by": actor.subject,
                "created_at": utc_now(),
            }
        )
    if errors:
        raise BillRefused(
            f"{len(errors)} problem(s) in the bill lines; nothing was entered", errors=errors
        )
    # Plain rows, on PostgreSQL by COPY: an import of 10,000 lines builds no entities.
    await session.run_sync(insert_rows, VendorBill.__table__, bills)
    await session.run_sync(insert_rows, VendorBillLine.__table__, rows)
    await record_changes(
        session,
        actor=actor,
        action="vendor_bill_entered",
        entity_type="vendor_bill",
        changes={
            str(bill["id"]): {
                "number": bill["number"],
                "total": str(bill["total"]),
                "possible_duplicates": bill["possible_duplicates"],
            }
            for bill in bills
        },
    )
    return Entered([bill["id"] for bill in bills], len(rows), sum(r["auto_coded"] for r in rows))


@dataclass(frozen=True)
class Entered:
    bill_ids: list[uuid.UUID]
    lines: int
    auto_coded: int


async def _candidates(
    session: AsyncSession, drafts: Sequence[BillDraft], days: int
) -> dict[uuid.UUID, list[tuple[Any, str, date, Decimal]]]:
    """Per vendor, its bills dated near any of the drafts' dates (one read for all vendors)."""
    window = timedelta(days=days)
    windows: dict[uuid.UUID, tuple[date, date]] = {}
    for draft in drafts:
        first, last = windows.get(draft.vendor.id, (draft.bill_date, draft.bill_date))
        windows[draft.vendor.id] = (min(first, draft.bill_date), max(last, draft.bill_date))
    found = await queries.live_bills_near(
        session,
        {vendor: (first - window, last + window) for vendor, (first, last) in windows.items()},
    )
    return {
        vendor: [(r.id, r.number, r.bill_date, r.total) for r in rows]
        for vendor, rows in found.items()
    }


def _check_entered(bill: VendorBill, doing: str) -> None:
    if bill.status != BillStatus.ENTERED:
        raise BillRefused(
            f"only an entered bill can be {doing}; this one is {bill.status} "
            "(a posted bill is corrected by reversing it)"
        )


async def code_line(
    session: AsyncSession,
    bill: VendorBill,
    line: VendorBillLine,
    data: LineCodingIn,
    actor: Principal,
    *,
    settings: InvoicingSettings,
) -> None:
    """Code (or recode) one line of a bill not yet posted."""
    _check_entered(bill, "coded")
    values = data.model_dump() | {"amount": line.amount, "description": line.description}
    jobs = await _jobs(session, [BillLineIn(**values)])
    coding, ticket = _coding(values, jobs, bill.currency)
    name = f"lines[{line.line}]"
    errors = [
        e
        for e in domain.coding_errors([coding], line.amount, settings.chart, names=[name])
        if e.code != "does_not_tie"  # one line of several never ties alone
    ]
    if errors:
        raise BillRefused(f"line {line.line} cannot be coded so", errors=errors)
    before = {"account": line.account, "cost_category": line.cost_category}
    line.account, line.cost_category, line.billable = (
        data.account,
        data.cost_category,
        data.billable,
    )
    line.ticket_id = ticket.id if ticket is not None else None
    line.job_site = data.job_site
    line.customer_id = ticket.customer_id if ticket is not None else data.customer_id
    line.auto_coded = False
    record_change(
        session,
        actor=actor,
        action="vendor_bill_line_coded",
        entity_type="vendor_bill",
        entity_id=str(bill.id),
        changes={"line": line.line, "from": before, "to": data.model_dump(mode="json")},
    )


def _codings(lines: Sequence[VendorBillLine]) -> list[LineCoding]:
    return [
        LineCoding(
            amount=line.amount,
            account=line.account,
            cost_category=line.cost_category,
            has_job=line.ticket_id is not None or line.job_site is not None,
            job_known=True,
            billable=line.billable,
            billable_job=not line.billable or line.ticket_id is not None,
        )
        for line in lines
    ]


async def approve_bill(
    session: AsyncSession,
    bill: VendorBill,
    actor: Principal,
    *,
    duplicate_reviewed: bool,
    settings: InvoicingSettings,
    clock: Clock,
) -> None:
    """Approve and post: every line coded and tied, a possible duplicate looked at, and above the
    limit a supervisor who did not enter it. The bill is immutable afterwards."""
    _check_entered(bill, "approved")
    lines = (await queries.bill_lines(session, [bill.id]))[bill.id]
    codings = _codings(lines)
    missing = domain.uncoded(codings)
    if missing:
        raise BillRefused(
            f"code line(s) {', '.join(map(str, missing))} before approving", uncoded_lines=missing
        )
    errors = domain.coding_errors(
        codings, bill.total, settings.chart, names=[f"lines[{line.line}]" for line in lines]
    )
    if errors:  # the chart changed since the lines were coded
        raise BillRefused("the bill's coding no longer holds", errors=errors)
    if bill.possible_duplicates and not duplicate_reviewed:
        raise BillRefused(
            "the bill may duplicate "
            + ", ".join(bill.possible_duplicates)
            + ": approve with duplicate_reviewed once checked",
            possible_duplicates=bill.possible_duplicates,
        )
    domain.check_approver(
        total=bill.total,
        limit=settings.vendor_bill_approval_limit,
        approver=actor.subject,
        entered_by=bill.created_by,
        supervisor=actor.has(Role.AR_SUPERVISOR),
    )
    bill.approved_by = actor.subject
    await _post(session, bill, lines, actor, settings=settings, clock=clock)
    await _pass_through_on_post(session, bill, lines)
    await _publish_unbilled(session, lines, clock)


async def _publish_unbilled(
    session: AsyncSession, lines: Sequence[VendorBillLine], clock: Clock
) -> None:
    """Credit and collections see what the customers' billable lines will still bill."""
    for customer_id in sorted({line.customer_id for line in lines if line.billable}, key=str):
        if customer_id is not None:
            await publish_accrued(session, customer_id, clock.today())


def _posting(line: VendorBillLine, tickets: Mapping[uuid.UUID, Row[Any]]) -> PostingLine:
    assert line.account is not None  # approval refuses a bill with uncoded lines
    ticket = tickets.get(line.ticket_id) if line.ticket_id else None
    return PostingLine(
        amount=line.amount,
        account=line.account,
        business_district=ticket.business_district if ticket is not None else None,
        memo=line.description,
    )


async def _post(
    session: AsyncSession,
    bill: VendorBill,
    lines: Sequence[VendorBillLine],
    actor: Principal,
    *,
    settings: InvoicingSettings,
    clock: Clock,
) -> None:
    today = clock.today()
    await ensure_open(session, today)
    tickets = await queries.tickets_by_id(
        session, {line.ticket_id for line in lines if line.ticket_id}
    )
    entry = domain.bill_entry(
        bill_id=bill.id,
        number=bill.number,
        posted_on=today,
        currency=bill.currency,
        lines=[_posting(line, tickets) for line in lines],
        chart=settings.chart,
    )
    post_entry(session, entry)
    bill.status, bill.entry_id, bill.posted_on = BillStatus.POSTED, entry.entry_id, today
    vendor = await queries.get_vendor(session, bill.vendor_id)
    publish_posted(session, bill, vendor, lines, entry)
    record_change(
        session,
        actor=actor,
        action="vendor_bill_posted",
        entity_type="vendor_bill",
        entity_id=str(bill.id),
        changes={"entry_id": str(entry.entry_id), "total": str(bill.total)},
    )


async def _markups(
    session: AsyncSession, customer_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
    """Each customer's pass-through markup and fee, from its billing profile."""
    found = {}
    for customer_id in customer_ids:
        account = await session.get(BillingAccount, customer_id)
        profile = BillingProfile.model_validate(account.billing_profile if account else {})
        found[customer_id] = (profile.pass_through_markup, profile.pass_through_fee)
    return found


async def _pass_through_on_post(
    session: AsyncSession, bill: VendorBill, lines: Sequence[VendorBillLine]
) -> None:
    """A billable line of a job not yet invoiced waits for its next invoice; of a job invoiced
    already, it proposes a cost adjustment of that invoice."""
    billable = [line for line in lines if line.billable and line.ticket_id]
    tickets = await queries.tickets_by_id(
        session, {line.ticket_id for line in billable if line.ticket_id}
    )
    markups = await _markups(session, {line.customer_id for line in billable if line.customer_id})
    for line in billable:
        ticket = tickets[line.ticket_id]  # type: ignore[index]
        if ticket.invoice_id is None:
            line.pass_through_status = PassThrough.PENDING
            continue
        markup, fee = markups[ticket.customer_id]
        _propose(session, line, bill, ticket.invoice_id, cost=line.amount, markup=markup, fee=fee)


def _propose(
    session: AsyncSession,
    line: VendorBillLine,
    bill: VendorBill,
    invoice_id: uuid.UUID,
    *,
    cost: Decimal,
    markup: Decimal,
    fee: Decimal,
) -> None:
    adjustment = domain.cost_adjustment(
        cost=cost, markup=markup, fee=fee, billed=line.billed_amount, currency=bill.currency
    )
    if adjustment is None:
        return
    assert line.customer_id is not None  # a billable line is coded to a ticket
    line.pass_through_status = PassThrough.ADJUSTING
    session.add(
        CostAdjustment(
            status=AdjustmentStatus.PROPOSED,
            kind=adjustment.kind,
            invoice_id=invoice_id,
            vendor_bill_id=bill.id,
            line_id=line.id,
            customer_id=line.customer_id,
            currency=bill.currency,
            cost=cost,
            markup=markup,
            fee=fee,
            target=adjustment.target,
            billed=adjustment.billed,
            amount=adjustment.amount,
            arithmetic=adjustment.arithmetic,
        )
    )


async def reject_bill(
    session: AsyncSession, bill: VendorBill, reason: str, actor: Principal
) -> None:
    """A rejected bill posts nothing and no longer counts as a duplicate's first."""
    _check_entered(bill, "rejected")
    bill.status, bill.rejected_by, bill.reject_reason = BillStatus.REJECTED, actor.subject, reason
    record_change(
        session,
        actor=actor,
        action="vendor_bill_rejected",
        entity_type="vendor_bill",
        entity_id=str(bill.id),
        changes={"status": BillStatus.REJECTED.value},
        reason=reason,
    )


async def reverse_bill(
    session: AsyncSession,
    bill: VendorBill,
    actor: Principal,
    *,
    settings: InvoicingSettings,
    clock: Clock,
) -> VendorBill:
    """Correct a posted bill by a reversing bill: the same lines negated, posted today (Dr AP /
    Cr expense). What its billable lines billed the customer is proposed back as credit memos;
    what they had not billed yet will not be."""
    if bill.status != BillStatus.POSTED or bill.reverses is not None:
        raise BillRefused(f"only a posted bill can be reversed; this one is {bill.status}")
    domain.check_approver(
        total=bill.total,
        limit=settings.vendor_bill_approval_limit,
        approver=actor.subject,
        entered_by=bill.created_by,
        supervisor=actor.has(Role.AR_SUPERVISOR),
    )
    lines = (await queries.bill_lines(session, [bill.id]))[bill.id]
    reversal = VendorBill(
        vendor_id=bill.vendor_id,
        number=f"{bill.number}-REV",
        bill_date=clock.today(),
        currency=bill.currency,
        total=-bill.total,
        status=BillStatus.ENTERED,
        reverses=bill.id,
        created_by=actor.subject,
        approved_by=actor.subject,
    )
    session.add(reversal)
    negated = [
        VendorBillLine(
            bill_id=reversal.id,
            line=line.line,
            description=line.description,
            amount=-line.amount,
            account=line.account,
            cost_category=line.cost_category,
            ticket_id=line.ticket_id,
            job_site=line.job_site,
            customer_id=line.customer_id,
        )
        for line in lines
    ]
    session.add_all(negated)
    await session.flush()
    await _post(session, reversal, negated, actor, settings=settings, clock=clock)
    bill.status, bill.reversed_by = BillStatus.REVERSED, reversal.id
    for line in lines:
        if not line.billable:
            continue
        for open_one in await queries.open_adjustments(session, line.id):
            open_one.status = AdjustmentStatus.WITHDRAWN
        if line.billed_amount and line.invoice_id is not None:
            _propose(
                session,
                line,
                bill,
                line.invoice_id,
                cost=Decimal(0),
                markup=Decimal(0),
                fee=Decimal(0),
            )
        else:
            line.pass_through_status = PassThrough.CANCELLED
    await _publish_unbilled(session, lines, clock)
    record_change(
        session,
        actor=actor,
        action="vendor_bill_reversed",
        entity_type="vendor_bill",
        entity_id=str(bill.id),
        changes={"reversed_by": str(reversal.id)},
    )
    return reversal


async def attach_document(
    session: AsyncSession,
    bill: VendorBill,
    *,
    filename: str,
    content: bytes,
    actor: Principal,
) -> VendorBillDocument:
    """The bill's PDF (or a scan): PDF, PNG or JPEG by its first bytes, as tickets' documents."""
    document = VendorBillDocument(
        bill_id=bill.id,
        filename=filename,
        content_type=content_type_of(content),
        size=len(content),
        content=content,
        uploaded_by=actor.subject,
    )
    session.add(document)
    await session.flush()
    record_change(
        session,
        actor=actor,
        action="vendor_bill_document_attached",
        entity_type="vendor_bill",
        entity_id=str(bill.id),
        changes={"document_id": str(document.id), "filename": filename},
    )
    return document


@dataclass(frozen=True)
class Charge:
    """A pending pass-through line as it goes on its job's invoice."""

    line_id: uuid.UUID
    ticket_id: uuid.UUID
    facts: InvoiceLineFacts


def _charge_facts(
    line: VendorBillLine,
    *,
    bill_number: str,
    vendor_name: str,
    ticket_number: str | None,
    amount: Decimal,
    markup: Decimal,
    fee: Decimal,
    prefix: str = "",
) -> InvoiceLineFacts:
    """The invoice line of a cost billed on, naming the vendor bill it rests on."""
    added = f" + {markup * 100:.4g}%" if markup else ""
    added += f" + fee {fee}" if fee else ""
    return InvoiceLineFacts(
        description=(
            f"{prefix}{line.description} ({vendor_name} bill {bill_number}, "
            f"cost {line.amount}{added})"
        )[:500],
        quantity=Decimal(1),
        unit="ea",
        unit_price=amount,
        amount=amount,
        taxability=domain.CATEGORY_TAXABILITY[domain.CostCategory(line.cost_category)],
        service_line=PASS_THROUGH_SERVICE_LINE,
        ticket_id=line.ticket_id,
        ticket_number=ticket_number,
    )


async def pass_through_charges(
    session: AsyncSession,
    tickets: Mapping[uuid.UUID, str],
    accounts: Mapping[uuid.UUID, BillingAccount],
) -> dict[uuid.UUID, list[Charge]]:
    """The billing run's hook: the pending pass-through charges of these tickets (id: number),
    each at its customer's markup, to go on the ticket's invoice after its own lines."""
    pending = await queries.pending_pass_through(session, list(tickets))
    names = await queries.bill_vendors(session, {line.bill_id for line in pending})
    charges: dict[uuid.UUID, list[Charge]] = {}
    for line in pending:
        assert line.ticket_id is not None and line.customer_id is not None
        profile = BillingProfile.model_validate(accounts[line.customer_id].billing_profile)
        markup, fee = profile.pass_through_markup, profile.pass_through_fee
        currency = accounts[line.customer_id].currency
        number, vendor = names[line.bill_id]
        facts = _charge_facts(
            line,
            bill_number=number,
            vendor_name=vendor,
            ticket_number=tickets[line.ticket_id],
            amount=domain.pass_through_price(line.amount, markup, fee, currency),
            markup=markup,
            fee=fee,
        )
        charges.setdefault(line.ticket_id, []).append(Charge(line.id, line.ticket_id, facts))
    return charges


async def mark_charges_billed(
    session: AsyncSession, billed: Sequence[tuple[Charge, uuid.UUID, int]]
) -> None:
    """In the drafting transaction: each charge is on its draft (invoice, line from 1)."""
    if billed:
        await session.exec(
            update(VendorBillLine),
            params=[
                {
                    "id": charge.line_id,
                    "pass_through_status": PassThrough.BILLED,
                    "billed_amount": charge.facts.amount,
                    "invoice_id": invoice_id,
                    "invoice_line": invoice_line,
                }
                for charge, invoice_id, invoice_line in billed
            ],
        )


async def issue_adjustment(
    session: AsyncSession,
    adjustment: CostAdjustment,
    actor: Principal,
    *,
    settings: InvoicingSettings,
    clock: Clock,
) -> None:
    """Issue a reviewed cost adjustment: a supplementary invoice linked to the original for more,
    or a credit memo on the line that billed it for less (the credit-memo approval limit holds:
    above it only an ar_supervisor issues it)."""
    if adjustment.status != AdjustmentStatus.PROPOSED:
        raise BusinessRuleViolation(f"the cost adjustment is {adjustment.status}, not proposed")
    line = await session.get(VendorBillLine, adjustment.line_id, with_for_update=True)
    assert line is not None
    if adjustment.kind == AdjustmentKind.SUPPLEMENTARY_INVOICE:
        document_id = await _supplementary_invoice(
            session, adjustment, line, actor, settings=settings, clock=clock
        )
        line.billed_amount += adjustment.amount
        line.invoice_id, line.invoice_line = document_id, 1
    else:
        assert line.invoice_id is not None and line.invoice_line is not None
        invoice = await get_invoice(session, line.invoice_id, lock=True)
        credit = partial_credit(
            invoice.lines,
            invoice.taxes,
            [CreditRequest(line=line.invoice_line, amount=adjustment.amount)],
            invoice.currency,
        )
        memo = await issue_credit_memo(
            session,
            invoice,
            credit,
            reason_code="cost_adjustment",
            reason=adjustment.arithmetic,
            settings=settings,
            actor=actor,
            clock=clock,
        )
        document_id = memo.id
        line.billed_amount -= adjustment.amount
    line.pass_through_status = PassThrough.BILLED
    adjustment.status, adjustment.document_id = AdjustmentStatus.ISSUED, document_id
    await publish_accrued(session, adjustment.customer_id, clock.today())
    adjustment.issued_by = actor.subject
    record_change(
        session,
        actor=actor,
        action="cost_adjustment_issued",
        entity_type="cost_adjustment",
        entity_id=str(adjustment.id),
        changes={
            "kind": adjustment.kind,
            "amount": str(adjustment.amount),
            "document_id": str(document_id),
        },
        reason=adjustment.arithmetic,
    )


async def _supplementary_invoice(
    session: AsyncSession,
    adjustment: CostAdjustment,
    line: VendorBillLine,
    actor: Principal,
    *,
    settings: InvoicingSettings,
    clock: Clock,
) -> uuid.UUID:
    original = await get_invoice(session, adjustment.invoice_id)
    if original.status != InvoiceStatus.ISSUED:
        raise BusinessRuleViolation(
            f"the job's invoice is {original.status}: issue it before its cost adjustment"
        )
    account = await session.get(BillingAccount, original.customer_id)
    assert account is not None  # it was billed before
    number, vendor = (await queries.bill_vendors(session, {line.bill_id}))[line.bill_id]
    tickets = await queries.tickets_by_id(session, {line.ticket_id} if line.ticket_id else set())
    ticket = tickets.get(line.ticket_id) if line.ticket_id else None
    facts = _charge_facts(
        line,
        bill_number=number,
        vendor_name=vendor,
        ticket_number=ticket.ticket_number if ticket is not None else None,
        amount=adjustment.amount,
        markup=adjustment.markup,
        fee=adjustment.fee,
        prefix=f"Cost adjustment to {original.number}: ",
    )
    today = clock.today()
    draft = build_draft(
        account=account,
        lines=[(facts, tax_address(None, original.job_site, account.addresses))],
        jurisdictions=await jurisdictions_on(session, today),
        invoice_date=today,
        created_by=actor.subject,
        po_number=original.po_number,
        job_site=original.job_site,
        job_site_address=original.job_site_address,
        sales_rep=original.sales_rep,
    )
    session.add(draft)
    await session.flush()
    await issue_invoices(session, [draft], settings=settings, actor=actor, clock=clock)
    return draft.id
