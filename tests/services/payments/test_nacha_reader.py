"""NACHA files as banks send them: every standard entry class, no line breaks, trimmed blanks,
Latin-1 names, control totals checked both ways, returns, and remittance that does not read."""

from decimal import Decimal
from pathlib import Path

import pytest

from services.payments.domain.bank_files.model import MalformedFile
from services.payments.domain.bank_files.nacha_reader import RETURN_REASONS, read_nacha

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = (Path(__file__).parent / "files" / "ach.nacha").read_bytes()
EVERY_CLASS = (FIXTURES / "nacha_every_class.ach").read_bytes()


def _amounts(content: bytes) -> list[Decimal]:
    return [r.amount for r in read_nacha(content, "USD").receipts]


def test_credits_of_every_class_read_and_the_rest_is_said_once_per_batch() -> None:
    parsed = read_nacha(EVERY_CLASS, "USD")

    assert [(r.line, r.amount, r.payer_name, r.payer_account) for r in parsed.receipts] == [
        (3, Decimal("600.00"), "PERMIAN BASIN SV", "1123456789"),  # WEB
        (6, Decimal("1250.00"), "PERMIAN BASIN S", "C000001"),  # CIE: the payer's account
        (18, Decimal("300.00"), "Eagle Ford Hauling Inc", "1987654321"),  # IAT: addenda 711
        (36, Decimal("450.00"), "MÜLLER BAU GMBH", "1555000111"),  # a Latin-1 name
    ]
    assert [(p.line, p.message.split(" ")[1]) for p in parsed.problems] == [
        (9, "PPD"),  # three debits, one line
        (14, "TEL"),
        (28, "CCD"),  # a prenotification
        (31, "batch"),  # class XYZ is not read
    ]
    assert "3 entries of debits (75.00)" in parsed.problems[0].message
    assert "'XYZ' (2 entries) is not read" in parsed.problems[3].message


def test_remittance_and_the_individual_id_are_offered_to_cash_application() -> None:
    web, cie, iat, ccd = read_nacha(EVERY_CLASS, "USD").receipts

    assert (web.reference, web.memo) == ("INV-2026-000125", "INV-2026-000125")
    assert cie.memo == "INV 2026-000123"
    assert [(i.invoice_number, i.amount_paid) for i in iat.remittance] == [
        ("INV-2026-000126", Decimal("300.00"))
    ]
    assert ccd.memo == "INV-2026-000130"


def test_utf8_names_read_as_latin1_ones_do() -> None:
    utf8 = EVERY_CLASS.replace(b"M\xdcLLER BAU GMBH ", "MÜLLER BAU GMBH".encode())

    assert read_nacha(utf8, "USD").receipts[-1].payer_name == "MÜLLER BAU GMBH"


def test_a_file_without_line_breaks_and_with_trimmed_blanks_reads() -> None:
    records = SAMPLE.decode().splitlines()
    trimmed = [r.rstrip() for r in records[:11]] + [r[:40] for r in records[11:]]

    assert _amounts("".join(records).encode()) == _amounts(SAMPLE)
    assert _amounts("\r\n".join(trimmed).encode()) == _amounts(SAMPLE)
    assert _amounts(SAMPLE) == [Decimal("1250.00"), Decimal("900.00")]


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        # The first batch control overstates its credits: 1,250.00 declared as 1,350.00.
        (b"0000000000000000001250001123456789", b"0000000000000000001350001123456789", "batch"),
        # The file control's total credit (2,150.00) says 2,160.00.
        (b"0000000000000000215000 ", b"0000000000000000216000 ", "file control"),
        # The file control counts three batches.
        (b"9000002000002", b"9000003000002", "file control"),
    ],
)
def test_control_totals_are_checked_both_ways(old: bytes, new: bytes, reason: str) -> None:
    assert old in SAMPLE

    with pytest.raises(MalformedFile, match=reason):
        read_nacha(SAMPLE.replace(old, new, 1), "USD")


@pytest.mark.parametrize("drop", [4, 9])
def test_a_batch_without_its_control_record_is_refused(drop: int) -> None:
    records = SAMPLE.decode().splitlines()
    del records[drop]

    with pytest.raises(MalformedFile, match="batch control record"):
        read_nacha("\n".join(records).encode(), "USD")


def test_a_non_numeric_ctx_remittance_amount_is_an_entry_error() -> None:
    broken = SAMPLE.replace(b"*PI*600.00*612.00*12.00~", b"*PI*abc*612.00*12.00   ~")
    assert len(broken) == len(SAMPLE) and broken != SAMPLE

    parsed = read_nacha(broken, "USD")

    assert [r.amount for r in parsed.receipts] == [Decimal("1250.00")]
    [problem] = parsed.problems
    assert problem.line == 7 and "'abc' is not a number" in problem.message


def test_a_file_of_which_nothing_reads_is_refused_naming_each_line() -> None:
    broken = SAMPLE.replace(b"0000125000PBS", b"00001X5000PBS").replace(
        b"0000090000EFH", b"00000900X0EFH"
    )

    with pytest.raises(MalformedFile) as refused:
        read_nacha(broken, "USD")

    assert [line["line"] for line in refused.value.extensions["lines"]] == [3, 7]


def test_returns_are_reported_with_the_original_trace_and_reason() -> None:
    parsed = read_nacha((FIXTURES / "nacha_returns.ach").read_bytes(), "USD")

    assert parsed.receipts == []
    assert [
        (r.line, r.amount, r.original_trace, r.reason_code, r.reason) for r in parsed.returns
    ] == [
        (3, Decimal("1250.00"), "122000660000001", "R01", "insufficient funds"),
        (5, Decimal("900.00"), "122000660000002", "R29", RETURN_REASONS["R29"]),
    ]
    assert [p.line for p in parsed.problems] == [3, 5]
    assert "R01" in parsed.problems[0].message and "122000660000001" in parsed.problems[0].message
