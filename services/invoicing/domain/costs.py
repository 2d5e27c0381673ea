"""Third-party cost rules in plain Python: coding a vendor bill's lines, ties, duplicates, the
entry a bill posts, the pass-through price of a billable line and the cost adjustment that
brings an invoice already issued to it (docs/domain.md#third-party-costs)."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from shared.api.problems import BusinessRuleViolation, FieldError, Forbidden
from shared.events.journal import JournalEntry
from shared.events.sales import Taxability
from shared.journal import ChartOfAccounts, JournalBuilder
from shared.money import round_money


class BillStatus(StrEnum):
    ENTERED = "entered"
    POSTED = "posted"
    REJECTED = "rejected"
    # Posted, then corrected by a reversing bill: its entry stands, and so does the reversal's.
    REVERSED = "reversed"


class CostCategory(StrEnum):
    LABOR = "labor"
    TRUCKING = "trucking"
    DISPOSAL = "disposal"
    PARTS = "parts"
    EQUIPMENT = "equipment"


class PassThrough(StrEnum):
    PENDING = "pending"  # waits for the job's next invoice
    BILLED = "billed"  # on an invoice (the job's, or a supplementary one)
    ADJUSTING = "adjusting"  # its job was invoiced already: a cost adjustment is proposed
    CANCELLED = "cancelled"  # reversed before it was billed


class AdjustmentKind(StrEnum):
    SUPPLEMENTARY_INVOICE = "supplementary_invoice"
    CREDIT_MEMO = "credit_memo"


class AdjustmentStatus(StrEnum):
    PROPOSED = "proposed"
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"  # its bill was reversed before the adjustment was issued


# The tax class a cost billed on to the customer takes, by what the cost was for.
CATEGORY_TAXABILITY = {
    CostCategory.LABOR: Taxability.LABOR,
    CostCategory.TRUCKING: Taxability.DELIVERY,
    CostCategory.DISPOSAL: Taxability.EXEMPT,
    CostCategory.PARTS: Taxability.GOODS,
    CostCategory.EQUIPMENT: Taxability.RENTAL,
}


class BillRefused(BusinessRuleViolation):
    slug = "vendor-bill-refused"


@dataclass(frozen=True)
class LineCoding:
    """One line as entered: its amount and whatever coding it already has."""

    amount: Decimal
    account: str | None
    cost_category: str | None
    has_job: bool
    job_known: bool
    billable: bool
    billable_job: bool


def coding_errors(
    lines: Sequence[LineCoding],
    total: Decimal,
    chart: ChartOfAccounts,
    *,
    names: Sequence[str],
    bill_name: str = "lines",
) -> list[FieldError]:
    """Everything wrong with the lines' coding and ties, each line named as `names` says
    (`lines[2]`, or an import's `row 7`): an account not in the chart or inactive, an unknown
    job, a billable line without a ticket, and lines that do not add up to the bill's total."""
    errors = []
    for where, line in zip(names, lines, strict=True):
        if line.account is not None and not chart.active_cost_account(line.account):
            known = line.account in chart.cost_accounts
            errors.append(
                FieldError(
                    field=f"{where}.account",
                    message=f"account {line.account} is "
                    + ("inactive" if known else "not an expense or cost account of the chart"),
                    code="inactive_account" if known else "unknown_account",
                )
            )
        if line.has_job and not line.job_known:
            errors.append(
                FieldError(field=f"{where}.job", message="no such job", code="unknown_job")
            )
        if line.billable and line.amount <= 0:
            errors.append(
                FieldError(
                    field=f"{where}.billable",
                    message="only a cost is billed on: a discount or credit line is not billable",
                    code="billable_not_a_cost",
                )
            )
        if line.billable and not line.billable_job:
            errors.append(
                FieldError(
                    field=f"{where}.billable",
                    message="a billable line is billed on with its ticket: code it to a ticket "
                    "of the bill's currency",
                    code="billable_needs_ticket",
                )
            )
    lines_total = sum((line.amount for line in lines), Decimal(0))
    if lines_total != total:
        errors.append(
            FieldError(
                field=bill_name,
                message=f"the lines add up to {lines_total}, the bill's total is {total}",
                code="does_not_tie",
            )
        )
    return errors


def uncoded(lines: Iterable[LineCoding]) -> list[int]:
    """The lines (from 1) still missing an account, a cost category or a job."""
    return [
        number
        for number, line in enumerate(lines, start=1)
        if line.account is None or line.cost_category is None or not line.has_job
    ]


def near_duplicate(
    bill_date: date, other_date: date, *, window_days: int, number: str, other_number: str
) -> bool:
    """Another number of the same vendor for the same amount dated within the window: perhaps
    the same bill sent twice, retyped; a person decides."""
    return number != other_number and abs(bill_date - other_date) <= timedelta(days=window_days)


def check_approver(
    *, total: Decimal, limit: Decimal, approver: str, entered_by: str, supervisor: bool
) -> None:
    """Above the limit only a supervisor approves, and never a bill they entered themselves."""
    if abs(total) <= limit:
        return
    if not supervisor:
        raise Forbidden(
            f"a bill above {limit} needs an ar_supervisor's approval", approval_limit=str(limit)
        )
    if approver == entered_by:
        raise Forbidden("a supervisor may not approve a bill they entered themselves")


@dataclass(frozen=True)
class PostingLine:
    amount: Decimal  # negative on a reversing bill
    account: str
    business_district: str | None
    memo: str


def bill_entry(
    *,
    bill_id: uuid.UUID,
    number: str,
    posted_on: date,
    currency: str,
    lines: Sequence[PostingLine],
    chart: ChartOfAccounts,
) -> JournalEntry:
    """Dr each line's expense or cost account / Cr accounts payable for the total (a reversing
    bill's negative lines turn both sides round), so it balances by construction."""
    entry = JournalBuilder(
        source="vendor_bill",
        document_id=bill_id,
        document_number=number,
        posted_on=posted_on,
        currency=currency,
    )
    by_account: dict[tuple[str, str | None], Decimal] = {}
    for line in lines:
        key = (line.account, line.business_district)
        by_account[key] = by_account.get(key, Decimal(0)) + line.amount
    for (account, district), amount in sorted(
        by_account.items(), key=lambda i: (i[0][0], i[0][1] or "")
    ):
        entry.post(account, amount, business_district=district)
    total = sum((line.amount for line in lines), Decimal(0))
    entry.post(chart.accounts_payable, -total, memo=number)
    return entry.build()


def pass_through_price(cost: Decimal, markup: Decimal, fee: Decimal, currency: str) -> Decimal:
    """What the customer is billed for a cost: cost x (1 + markup), rounded to the currency, plus
    the fixed fee (docs/domain.md#third-party-costs); a cost reversed to nothing bills nothing."""
    if cost <= 0:
        return round_money(Decimal(0), currency)
    return round_money(cost * (1 + markup), currency) + fee


@dataclass(frozen=True)
class Adjustment:
    kind: AdjustmentKind
    amount: Decimal  # positive: billed on a supplementary invoice, or credited
    target: Decimal
    billed: Decimal
    arithmetic: str


def cost_adjustment(
    *, cost: Decimal, markup: Decimal, fee: Decimal, billed: Decimal, currency: str
) -> Adjustment | None:
    """What brings the pass-through billed for a cost to its price: more on a supplementary
    invoice, less by a credit memo (never below zero: at most what was billed is credited);
    None when it is already right."""
    target = pass_through_price(cost, markup, fee, currency)
    difference = target - billed
    if not difference:
        return None
    shown = (
        f"cost {cost} x (1 + {markup.normalize():f}) + fee {fee} = {target}; "
        f"billed {billed}; difference {difference:+}"
    )
    if difference > 0:
        return Adjustment(AdjustmentKind.SUPPLEMENTARY_INVOICE, difference, target, billed, shown)
    # The target is never below zero, so neither is what stays billed after the credit.
    return Adjustment(AdjustmentKind.CREDIT_MEMO, -difference, target, billed, shown)
