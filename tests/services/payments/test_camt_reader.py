"""camt.052/053/054 as banks send them: batch-booked entries, dates with a time zone, the
creditor reference, end-to-end id and ultimate debtor, and the files that are refused."""

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.payments.domain.bank_files.camt_reader import read_camt
from services.payments.domain.bank_files.model import MalformedFile
from tests.services.payments.camt_files import Credit, camt053

FIXTURES = Path(__file__).parent / "fixtures"
BATCH = (FIXTURES / "camt_053_001_02_batch.xml").read_bytes()


def _minimal(namespace: str, message: str, statement: str, entry: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<Document xmlns="{namespace}"><{message}>'
        f"<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-05T06:00:00</CreDtTm></GrpHdr>"
        f"<{statement}><Id>S1</Id><Acct><Id><Othr><Id>4400123456</Id></Othr></Id></Acct>\n"
        f"{entry}\n</{statement}></{message}></Document>"
    ).encode()


ENTRY = (
    '<Ntry><Amt Ccy="USD">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
    "<BookgDt><Dt>2026-11-04</Dt></BookgDt><AcctSvcrRef>R-1</AcctSvcrRef></Ntry>"
)


def test_a_batch_booked_entry_gives_one_payment_per_transaction() -> None:
    parsed = read_camt(BATCH)

    assert parsed.problems == []
    assert [(r.amount, r.bank_reference) for r in parsed.receipts[:3]] == [
        (Decimal("1250.00"), "BATCH-20261104-77/1"),
        (Decimal("600.00"), "BATCH-20261104-77/2"),
        (Decimal("300.00"), "BATCH-20261104-77/3"),
    ]


def test_dates_with_a_time_zone_read_and_the_booking_date_is_the_receipt_date() -> None:
    # Entry 1 is booked 2026-11-04+02:00 with value 11-05; entry 2 booked at a date-time.
    receipts = read_camt(BATCH).receipts

    assert {r.received_on for r in receipts} == {date(2026, 11, 4)}


def test_creditor_reference_end_to_end_id_and_ultimate_debtor_are_kept() -> None:
    rf, end_to_end, wrapped, wire = read_camt(BATCH).receipts

    assert [i.invoice_number for i in rf.remittance] == ["INV2026000123"]
    assert rf.payer_name == "Permian Basin Services LLC"  # the ultimate debtor
    assert "PBS Shared Services GmbH" in (rf.memo or "")
    assert (end_to_end.reference, end_to_end.memo) == ("INV-2026-000125", "INV-2026-000125")
    assert wrapped.memo == "#INV-2026-000126#" and wrapped.reference == "EFH-PAY-88"
    assert wire.memo == "WIRE FROM EAGLE FORD HAULING INV 2026-124"
    # NONREF is no reference; the entry number is one only within its statement.
    assert wire.bank_reference == "STMT-DE44500105175407324931-20261104/2"


def test_transactions_that_do_not_add_up_to_the_entry_are_refused() -> None:
    broken = BATCH.replace(b'<Amt Ccy="USD">300.00</Amt>', b'<Amt Ccy="USD">310.00</Amt>')

    parsed = read_camt(broken)

    assert [r.amount for r in parsed.receipts] == [Decimal("640.00")]
    [problem] = parsed.problems
    assert "2150.00" in problem.message and "2160.00" in problem.message


@pytest.mark.parametrize(
    ("version", "message", "statement"),
    [
        ("camt.052.001.08", "BkToCstmrAcctRpt", "Rpt"),
        ("camt.053.001.04", "BkToCstmrStmt", "Stmt"),
        ("camt.054.001.06", "BkToCstmrDbtCdtNtfctn", "Ntfctn"),
    ],
)
def test_each_message_and_version_reads(version: str, message: str, statement: str) -> None:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{version}"

    parsed = read_camt(_minimal(namespace, message, statement, ENTRY.format(amount="75.10")))

    assert parsed.format == version[:8]
    assert [(r.amount, r.received_on) for r in parsed.receipts] == [
        (Decimal("75.10"), date(2026, 11, 4))
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            _minimal(
                "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
                "BkToCstmrStmt",
                "Stmt",
                ENTRY.format(amount="10.00").replace("USD", "XXX"),
            ),
            "'XXX'",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            b"<GrpHdr><MsgId>M1</MsgId></GrpHdr></BkToCstmrStmt></Document>",
            "no statement",
        ),
        (
            _minimal("urn:example:bank:statement", "BkToCstmrStmt", "Stmt", ENTRY),
            "urn:example:bank:statement",
        ),
        (
            _minimal(
                "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03", "BkToCstmrStmt", "Stmt", ENTRY
            ),
            "pain.001",
        ),
        (
            _minimal(
                "urn:iso:std:iso:20022:tech:xsd:camt.053.001.01", "BkToCstmrStmt", "Stmt", ENTRY
            ),
            ".001.01 is not read",
        ),
    ],
)
def test_files_that_are_not_camt_statements_are_refused_with_a_reason(
    content: bytes, reason: str
) -> None:
    with pytest.raises(MalformedFile, match=reason):
        read_camt(content)


def test_a_non_numeric_amount_is_refused_naming_its_line_and_entry() -> None:
    content = _minimal(
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
        "BkToCstmrStmt",
        "Stmt",
        ENTRY.format(amount="abc"),
    )

    with pytest.raises(MalformedFile) as refused:
        read_camt(content)

    assert refused.value.extensions["lines"] == [
        {"line": 3, "message": "entry 1: amount 'abc' is not a number"}
    ]
    assert "line 3" in refused.value.detail


def test_a_long_statement_reads_in_time_proportional_to_its_entries() -> None:
    # Looking up the statement's id and account once per entry walked every entry each time: a
    # 50,000-transaction statement then took longer than any read bound.
    statement = camt053([Credit(Decimal("12.34"), f"REF-{n}") for n in range(8_000)])
    started = time.process_time()

    parsed = read_camt(statement)

    assert len(parsed.receipts) == 8_000
    assert {r.bank_account for r in parsed.receipts} == {"4400123456"}
    assert time.process_time() - started < 15
