"""`VendorBillPosted` as invoicing publishes it, built from the stored bill and its lines."""

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.models.costs import Vendor, VendorBill, VendorBillLine
from services.invoicing.publishing import outbox
from shared.events.invoicing import VendorBillLineFacts, VendorBillPosted
from shared.events.journal import JournalEntry


def _facts(line: VendorBillLine) -> VendorBillLineFacts:
    assert line.account and line.cost_category  # approval refuses a bill with uncoded lines
    return VendorBillLineFacts(
        line=line.line,
        description=line.description,
        amount=line.amount,
        account=line.account,
        cost_category=line.cost_category,
        ticket_id=line.ticket_id,
        job_site=line.job_site,
        customer_id=line.customer_id,
        billable=line.billable,
    )


def publish_posted(
    session: AsyncSession,
    bill: VendorBill,
    vendor: Vendor,
    lines: Sequence[VendorBillLine],
    journal: JournalEntry,
) -> None:
    """Keyed by the vendor: a bill owes no customer, and one vendor's bills stay in order."""
    outbox.add(
        session,
        VendorBillPosted(
            vendor_bill_id=bill.id,
            vendor_id=vendor.id,
            vendor_name=vendor.name,
            number=bill.number,
            bill_date=bill.bill_date,
            currency=bill.currency,
            total=bill.total,
            reverses=bill.reverses,
            lines=[_facts(line) for line in lines],
            journal=journal,
        ),
        customer_id=str(vendor.id),
        aggregate_id=str(bill.id),
    )
