"""Rules of tickets, grouping, journal entries and credits, in plain Python."""

import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.invoicing.domain.billing import TicketToBill, group_tickets
from services.invoicing.domain.credit_memos import CreditRequest, partial_credit
from services.invoicing.domain.journal import document_entry
from services.invoicing.domain.tickets import line_amount, required_documents, review
from services.invoicing.settings import ChartOfAccounts
from shared.events.customers import BillingProfile, InvoiceGrouping, TicketDocumentKind
from shared.events.invoicing import InvoiceLineFacts, TaxLineFacts
from shared.events.sales import ClosedTicketLine


def _line(**changes) -> ClosedTicketLine:
    values = {
        "kind": "parts",
        "description": "x",
        "quantity": "1",
        "unit": "ea",
        "unit_price": "10",
        "taxability": "goods",
        "service_line": "parts",
    }
    return ClosedTicketLine.model_validate(values | changes)


def test_line_extension_rounds_half_up_to_the_currency() -> None:
    assert line_amount(Decimal("2.5"), Decimal("0.333"), "USD") == Decimal("0.83")  # 0.8325
    assert line_amount(Decimal("1"), Decimal("0.125"), "USD") == Decimal("0.13")
    assert line_amount(Decimal("3"), Decimal("99.5"), "JPY") == Decimal("299")  # 298.5


def test_lines_call_for_their_documents_on_top_of_the_profile() -> None:
    profile = BillingProfile(required_documents=[TicketDocumentKind.CUSTOMER_SIGNOFF])
    lines = [_line(kind="labor"), _line(kind="trucking"), _line(change_order=True)]
    assert required_documents(profile, lines) == [
        TicketDocumentKind.CHANGE_ORDER_APPROVAL,
        TicketDocumentKind.CUSTOMER_SIGNOFF,
        TicketDocumentKind.DELIVERY_TICKET,
        TicketDocumentKind.TIME_SHEET,
    ]


def test_a_ticket_with_everything_on_file_and_agreed_prices_is_ready() -> None:
    reasons = review(
        lines=[_line(kind="labor", rate_code="T1")],
        po_number="PO",
        profile=BillingProfile(po_required=True),
        credit_hold=False,
        documents_on_file={"time_sheet"},
        card={"T1": Decimal("10.000000")},
    )
    assert reasons == []


def test_grouping_follows_each_customers_profile() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    tickets = [
        TicketToBill(uuid.uuid4(), cid, "USD", po, site)
        for cid in (a, b)
        for po, site in (("P1", "S1"), ("P1", "S2"), ("P2", "S1"))
    ]
    groups = group_tickets(tickets, {a: InvoiceGrouping.PER_JOB_SITE, b: InvoiceGrouping.PER_PO})
    assert sorted((cid == a, key, len(ts)) for (cid, key), ts in groups.items()) == [
        (False, "po:P1", 2),
        (False, "po:P2", 1),
        (True, "job_site:s1", 2),
        (True, "job_site:s2", 1),
    ]


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2)
service_lines = st.sampled_from(["pumping", "rentals", "parts", "trucking"])
jurisdictions = st.sampled_from(["TX", "TX-MID-CO", "TX-MID-CITY"])


@given(
    st.lists(st.tuples(money, service_lines), min_size=1, max_size=20),
    st.lists(st.tuples(money, jurisdictions), max_size=5),
    st.booleans(),
)
def test_every_document_entry_balances(lines, taxes, reverse) -> None:
    chart = ChartOfAccounts(
        revenue_by_service_line={"pumping": "4100"}, sales_tax_by_jurisdiction={"TX": "2310"}
    )
    entry = document_entry(
        source="invoice",
        document_id=uuid.uuid4(),
        document_number="INV-1",
        posted_on=date(2026, 1, 1),
        currency="USD",
        business_district="permian",
        lines=[
            InvoiceLineFacts(
                description="x",
                quantity=1,
                unit="ea",
                unit_price=a,
                amount=a,
                taxability="goods",
                service_line=s,
            )
            for a, s in lines
        ],
        taxes=[
            TaxLineFacts(jurisdiction=j, name=j, rate=Decimal("0.01"), taxable_amount=a, amount=a)
            for a, j in taxes
        ],
        chart=chart,
        reverse=reverse,
    )
    debits = sum(p.debit for p in entry.postings)
    assert debits == sum(p.credit for p in entry.postings)
    assert debits == sum(a for a, _ in lines) + sum(a for a, _ in taxes)
    ar = [p for p in entry.postings if p.account == "1200"]
    assert [bool(p.credit) for p in ar] == [reverse]


def test_partial_credit_taxes_the_credited_part_in_the_jurisdictions_that_taxed_it() -> None:
    lines = [
        {
            "description": "Pump rental",
            "quantity": "3",
            "unit": "day",
            "unit_price": "150",
            "amount": "450.00",
            "taxability": "rental",
            "service_line": "rentals",
            "taxed_in": ["TX"],
        },
        {
            "description": "Labor",
            "quantity": "2",
            "unit": "hr",
            "unit_price": "80",
            "amount": "160.00",
            "taxability": "labor",
            "service_line": "services",
            "taxed_in": [],
        },
    ]
    taxes = [
        {
            "jurisdiction": "TX",
            "name": "Texas",
            "rate": "0.0625",
            "taxable_amount": "450.00",
            "amount": "28.13",
        }
    ]
    credit = partial_credit(
        lines,
        taxes,
        [CreditRequest(1, quantity=Decimal(1)), CreditRequest(2, amount=Decimal(30))],
        "USD",
    )
    assert [(line.amount, line.unit) for line in credit.lines] == [
        (Decimal("150"), "day"),
        (Decimal(30), "adj"),
    ]
    assert [(t.taxable_amount, t.amount) for t in credit.taxes] == [
        (Decimal("150"), Decimal("9.38"))
    ]
    assert credit.total == Decimal("189.38")
