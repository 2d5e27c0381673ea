"""The BAI2 reader against files written to the BAI2 specification: everyday formatting reads,
type codes follow the spec's table, and an impossible structure is refused naming its line."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.payments.domain.bank_files.bai2_reader import NotAReceipt, read_bai2
from services.payments.domain.bank_files.model import MalformedFile
from tests.services.payments.test_bank_file_fuzz import within

FIXTURES = Path(__file__).parent / "fixtures"
FILES = Path(__file__).parent / "files"
EVERYDAY = (FIXTURES / "everyday.bai2").read_text()


def test_a_file_cut_short_inside_an_account_is_refused_naming_the_account() -> None:
    lines = (FILES / "statement.bai2").read_text().splitlines()
    truncated = "\n".join(lines[:6])  # ends after the 88 of the second detail: no 49, 98, 99

    with within(2), pytest.raises(MalformedFile, match="opened on line 3: no 49 account trailer"):
        read_bai2(truncated)


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda ls: ls[:-1], "without its 99 file trailer"),
        (lambda ls: ls[:-2], "group opened on line 2: no 98"),
        (lambda ls: [ls[0], *ls[2:]], "line 2: a 03 account identifier cannot follow a 01"),
        (lambda ls: [*ls[:4], ls[1], *ls[4:]], "line 5: a 02 group header cannot follow a 16"),
        (lambda ls: [*ls, ls[-1]], "line 11: a 99 file trailer after the 99 file trailer"),
        (lambda ls: [ls[0], "17,1,2/", *ls[1:]], "line 2: '17' is not a BAI2 record code"),
    ],
)
def test_each_structural_impossibility_is_refused_at_its_line(
    cut: Callable[[list[str]], list[str]], message: str
) -> None:
    lines = (FILES / "statement.bai2").read_text().splitlines()

    with within(2), pytest.raises(MalformedFile, match=message):
        read_bai2("\n".join(cut(lines)))


def test_control_totals_and_counts_that_disagree_are_refused_at_the_trailer() -> None:
    text = (FILES / "statement.bai2").read_text()

    with pytest.raises(MalformedFile, match="line 8: account trailer control total 1694001"):
        read_bai2(text.replace("49,1694000,6/", "49,1694001,6/"))
    with pytest.raises(MalformedFile, match="line 9: group trailer counts 9 records"):
        read_bai2(text.replace("98,1694000,1,8/", "98,1694000,1,9/"))
    with pytest.raises(MalformedFile, match="line 10: file trailer: it counts 2 groups"):
        read_bai2(text.replace("99,1694000,1,10/", "99,1694000,2,10/"))


def test_everyday_formatting_reads() -> None:
    """Blanks after the slash, CRLF, records without a slash, 88s carrying on an 03's summaries,
    a 16's fields and a 16's text, S, V and D funds types with blank fields."""
    with within(2):
        parsed = read_bai2(EVERYDAY)

    got = [
        (r.line, r.method, r.amount, r.bank_reference, r.reference, r.payer_name)
        for r in parsed.receipts
    ]
    assert got == [
        (5, "ach", Decimal("1250.00"), "BR261104A1", "CUST-7001", "PERMIAN BASIN SERVICES"),
        (7, "ach", Decimal("640.00"), "BR261104A2", "INV-2026-000124", "EAGLE FORD HAULING INC"),
        (8, "wire", Decimal("300.00"), "BR261104A3", None, "Acme Holdings"),
        (10, "lockbox", Decimal("50.00"), "BR261104A4", "LBX77", None),
        (14, "check", Decimal("200.00"), "BR261104A8", "CHK9001", None),
        (16, "ach", Decimal("99.00"), "BR261104A9", None, "PERMIAN BASIN SERVICES LLC"),
    ]
    assert {r.received_on for r in parsed.receipts} == {date(2026, 11, 4)}
    assert {r.currency for r in parsed.receipts} == {"USD"}
    assert parsed.receipts[0].memo == (
        "ORIG CO NAME:PERMIAN BASIN SERVICES ORIG ID:1751234567 ENTRY DESCR:PAYMENT INV-2026-000123"
    )


def test_a_memo_carried_on_by_an_88_does_not_start_with_a_comma() -> None:
    [*_, last] = read_bai2(EVERYDAY).receipts

    assert last.memo == "OBI INV-2026-000125 DBNM:PERMIAN BASIN SERVICES LLC"
    assert last.payer_name == "PERMIAN BASIN SERVICES LLC"


def test_returns_concentration_and_interest_are_reported_not_received() -> None:
    parsed = read_bai2(EVERYDAY)

    assert [(p.line, p.message.split(" is ")[0]) for p in parsed.problems] == [
        (11, "type 257 (individual ACH return item)"),
        (12, "type 354 (interest credit)"),
        (20, "type 275 (ZBA credit)"),
    ]
    assert all(isinstance(p, NotAReceipt) for p in parsed.problems)


@pytest.mark.parametrize(
    ("type_code", "method"),
    [("142", "ach"), ("165", "ach"), ("195", "wire"), ("115", "lockbox"), ("175", "check")],
)
def test_type_codes_say_how_the_money_came(type_code: str, method: str) -> None:
    text = (FILES / "statement.bai2").read_text().replace("16,165,", f"16,{type_code},")

    assert read_bai2(text).receipts[0].method == method


@pytest.mark.parametrize("type_code", ["255", "257", "261", "266", "275", "354"])
def test_bank_side_credits_are_not_customer_receipts(type_code: str) -> None:
    text = (FILES / "statement.bai2").read_text().replace("16,165,", f"16,{type_code},")

    parsed = read_bai2(text)

    assert [r.line for r in parsed.receipts] == [5]
    assert [(p.line, type(p)) for p in parsed.problems] == [(4, NotAReceipt)]


def test_an_unreadable_detail_is_reported_and_the_rest_read() -> None:
    text = EVERYDAY.replace("16,195,30000,S,10000,,20000", "16,195,30000,Q,10000,,20000")

    parsed = read_bai2(text)

    assert [r.line for r in parsed.receipts] == [5, 7, 10, 14, 16]
    [bad] = [p for p in parsed.problems if not isinstance(p, NotAReceipt)]
    assert bad.line == 8 and "funds type 'Q'" in bad.message


def test_amounts_are_in_the_currencys_minor_unit() -> None:
    text = (
        (FILES / "statement.bai2").read_text().replace("03,4400123456,USD,", "03,4400123456,JPY,")
    )

    assert [r.amount for r in read_bai2(text).receipts] == [Decimal(125000), Decimal(64000)]
