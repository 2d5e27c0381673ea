"""Issue 15 point 9: X12 820 remittance, read to the published segment layout (ISA, GS, ST*820,
BPR, TRN, N1, ENT, RMR, ADX, SE, GE, IEA). A bad segment is a line-numbered entry, never a 500;
each transaction set is an advice, used for the payment its TRN reference names."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.payments.domain.remittance.model import MalformedRemittance
from services.payments.domain.remittance.x12_820 import read_820
from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.advices import upload_advice
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.payments.events import deliver_invoicing, invoice

FIXTURE = (Path(__file__).parent / "fixtures" / "remittance.820").read_bytes()


def _lines(advice: Any) -> list[tuple[Any, ...]]:
    return [
        (line.invoice_number, line.amount_paid, line.deduction, line.deduction_reason)
        for line in advice.lines
    ]


def test_each_transaction_set_is_an_advice_with_its_payment_facts_and_lines() -> None:
    read = read_820(FIXTURE)

    assert read.problems == []
    first, second = read.advices
    assert (first.line, first.reference, first.payer_name, str(first.paid_on)) == (
        3,
        "PBS-EFT-0042",
        "PERMIAN BASIN SERVICES LLC",
        "2026-11-05",
    )
    assert (str(first.total), first.currency, first.payment_method) == ("2150.00", "USD", "ACH")
    assert [(n, str(p), d and str(d), r) for n, p, d, r in _lines(first)] == [
        ("INV-2026-000123", "1250.00", None, None),
        ("INV-2026-000124", "600.00", "12.00", "ADX reason code CS"),
        ("INV-2026-000126", "300.00", None, None),
    ]
    assert (second.reference, str(second.total), second.currency) == ("EFH-WIRE-88", "640.00", None)


def test_segments_without_line_breaks_are_numbered_by_position() -> None:
    one_line = FIXTURE.replace(b"~\n", b"~").replace(b"RMR04", b"")
    broken = one_line.replace(b"INV-2026-000126*PI*300.00", b"INV-2026-000126*PI*abc")

    read = read_820(broken)

    assert [(p.line, p.message) for p in read.problems] == [
        (15, "RMR: RMR04 'abc' is not an amount"),
        (3, "the remittance adds up to 1850.00, the payment (BPR02) is 2150.00"),
    ]
    assert [line.invoice_number for line in read.advices[0].lines] == [
        "INV-2026-000123",
        "INV-2026-000124",
    ]


def test_a_discount_and_an_adjustment_of_the_whole_payment_are_kept() -> None:
    content = FIXTURE.replace(
        b"ENT*1~\nRMR*IV*INV-2026-000125*PI*640.00*640.00~\nSE*7",
        b"ENT*1~\nADX*-25.00*22~\nRMR*IV*INV-2026-000125*PI*665.00*677.80*12.80~\nSE*8",
    )

    read = read_820(content)

    adjustment, paid = read.advices[1].lines
    assert (adjustment.invoice_number, adjustment.deduction, adjustment.deduction_reason) == (
        None,
        Decimal("25.00"),
        "ADX reason code 22",
    )
    assert (paid.amount_paid, paid.discount, paid.deduction) == (
        Decimal("665.00"),
        Decimal("12.80"),
        None,
    )
    assert read.problems == []  # 665.00 less the 25.00 adjustment is the 640.00 paid


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (b"SE*14*0001", b"SE*13*0001"),
            (16, "SE01 says '13' segments, the transaction set has 14"),
        ),
        ((b"SE*14*0001", b"SE*14*0009"), (16, "SE02 '0009' does not close ST02 '0001'")),
        ((b"GE*2*905", b"GE*3*905"), (24, "GE01 says '3' sets, the group has 2")),
        (
            (b"IEA*1*000000905", b"IEA*1*000000906"),
            (25, "IEA02 '000000906' does not close ISA13 '000000905'"),
        ),
        ((b"GS*RA*", b"GS*IN*"), (2, "GS: functional group 'IN' is not RA")),
    ],
)
def test_envelope_counts_and_control_numbers_are_checked(
    change: tuple[bytes, bytes], message: tuple[int, str]
) -> None:
    read = read_820(FIXTURE.replace(*change))

    assert message in [(p.line, p.message) for p in read.problems]


def test_a_set_without_its_bpr_is_left_out_and_a_file_of_nothing_is_refused_with_every_line() -> (
    None
):
    no_bpr = FIXTURE.split(b"\n")
    no_bpr = [s for s in no_bpr if not s.startswith(b"BPR*I")]
    read = read_820(b"\n".join(no_bpr).replace(b"SE*14*0001", b"SE*13*0001"))
    assert [a.reference for a in read.advices] == ["EFH-WIRE-88"]
    assert (3, "the transaction set has no BPR: left out") in [
        (p.line, p.message) for p in read.problems
    ]

    cut = FIXTURE[: FIXTURE.index(b"SE*14")]
    with pytest.raises(MalformedRemittance) as refused:
        read_820(cut)
    assert refused.value.extensions["lines"] == [
        {"line": 3, "message": "the transaction set ends without its SE: left out"},
        {"line": 15, "message": "the interchange ends without its IEA"},
    ]
    for garbage in (b"ISA*00", b"ISA" + b"0" * 200, b"ST*820*1~"):
        with pytest.raises(MalformedRemittance):
            read_820(garbage)


@pytest.fixture
async def open_invoices(
    bus: InProcessBus, acme: CustomerSnapshot, other_customer: CustomerSnapshot
) -> None:
    await deliver_invoicing(
        bus,
        invoice(acme, "INV-2026-000123", "1250.00"),
        invoice(acme, "INV-2026-000124", "612.00"),
        invoice(acme, "INV-2026-000126", "300.00"),
        invoice(acme, "INV-2026-000223", "1250.00"),
        invoice(other_customer, "INV-2026-000125", "640.00"),
        invoice(other_customer, "INV-2026-000225", "640.00"),
    )


def _applied(payment: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((a["invoice_number"], a["amount"]) for a in payment["applications"])


async def test_an_820_is_used_for_the_payments_its_trn_references_name(
    api: httpx.AsyncClient,
    auth: AuthHeaders,
    open_invoices: None,
    other_customer: CustomerSnapshot,
) -> None:
    before = await post_payment(
        api, auth, payment_body(None, "2150.00", method="ach", reference="PBS-EFT-0042")
    )
    assert before["applications"] == []

    response = await upload_advice(api, auth, "remittance.820", FIXTURE)

    assert response.status_code == 201, response.text
    document = response.json()
    assert (document["format"], document["problems"]) == ("x12_820", [])
    first, second = document["advices"]
    assert (first["status"], first["payment_id"]) == ("used", before["id"])
    assert second["status"] == "waiting"
    paid = (await api.get(f"/v1/payments/{before['id']}", headers=auth(Role.AUDITOR))).json()
    assert _applied(paid) == [
        ("INV-2026-000123", "1250.00"),
        ("INV-2026-000124", "600.00"),
        ("INV-2026-000126", "300.00"),
    ]
    assert all("820 TRN PBS-EFT-0042" in a["explanation"] for a in paid["applications"])

    wire = await post_payment(
        api,
        auth,
        payment_body(
            None, "640.00", method="wire", reference="EFH-WIRE-88", received_on="2026-11-06"
        ),
    )
    assert _applied(wire) == [("INV-2026-000125", "640.00")]
    assert wire["customer_id"] == str(other_customer.id)


async def test_a_bad_segment_is_listed_by_line_and_the_rest_is_kept(
    api: httpx.AsyncClient, auth: AuthHeaders, open_invoices: None
) -> None:
    content = FIXTURE.replace(b"RMR*IV*INV-2026-000126*PI*300.00", b"RMR*IV*INV-2026-000126*PI*1e3")

    response = await upload_advice(api, auth, "remittance.820", content)

    assert response.status_code == 201, response.text
    problems = response.json()["problems"]
    assert {"line": 15, "message": "RMR: RMR04 '1e3' is not an amount"} in problems


async def test_an_820_nothing_can_be_read_from_is_a_422_naming_each_line(
    api: httpx.AsyncClient, auth: AuthHeaders
) -> None:
    content = FIXTURE.replace(b"BPR*I*2150.00", b"BPR*I*abc").replace(b"BPR*C*640.00", b"BPR*C*")

    response = await upload_advice(api, auth, "remittance.820", content)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:ar-platform:problem:malformed-remittance"
    assert {"line": 4, "message": "BPR: BPR02 'abc' is not an amount"} in problem["lines"]
