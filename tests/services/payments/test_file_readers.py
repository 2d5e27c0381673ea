"""The bank-file readers on their own: layouts, control totals, line numbers."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.payments.domain.bank_files.camt_reader import read_camt
from services.payments.domain.bank_files.lockbox_reader import read_lockbox
from services.payments.domain.bank_files.model import LockboxLayout, MalformedFile
from services.payments.domain.bank_files.nacha_reader import read_nacha
from services.payments.domain.bank_files.reading import BankFileFormat, recognise

FILES = Path(__file__).parent / "files"


def test_lockbox_columns_delimiter_and_date_format_come_from_the_layout() -> None:
    layout = LockboxLayout(
        delimiter=";",
        date_format="%m/%d/%Y",
        batch="Lot",
        check_number="Item",
        check_amount="Remit",
        deposit_date="Posted",
        payer_name="Remitter",
        payer_account="DDA",
        invoice_number="Doc",
        amount_paid="Applied",
        currency=None,
    )
    text = (
        "Lot;Item;Remit;Posted;Remitter;DDA;Doc;Applied\n"
        "7;88;1,200.50;11/05/2026;Acme;123;A-1;1,200.50\n"
    )

    [check] = read_lockbox(text, layout, "CAD").receipts

    assert (check.amount, check.currency, check.received_on) == (
        Decimal("1200.50"),
        "CAD",
        date(2026, 11, 5),
    )
    assert [(r.invoice_number, r.amount_paid) for r in check.remittance] == [
        ("A-1", Decimal("1200.50"))
    ]


def test_lockbox_without_the_layouts_columns_is_refused() -> None:
    with pytest.raises(MalformedFile, match="check_amount"):
        read_lockbox("batch,check_number,deposit_date\n1,2,2026-11-05\n", LockboxLayout(), "USD")


def test_nacha_batch_whose_control_total_disagrees_is_refused() -> None:
    text = (FILES / "ach.nacha").read_text()
    # The first batch control declares 1,250.00 of credits; make it 12.50.
    tampered = text.replace("000000000000000000125000", "000000000000000000001250", 1)
    assert tampered != text

    with pytest.raises(MalformedFile, match="batch control"):
        read_nacha(tampered, "USD")


def test_nacha_record_of_the_wrong_length_is_reported_and_its_batch_still_read() -> None:
    lines = (FILES / "ach.nacha").read_text().splitlines()
    lines[3] = lines[3][:80]  # the CCD+ addenda is cut short

    parsed = read_nacha("\n".join(lines), "USD")

    assert [(p.line, "94" in p.message) for p in parsed.problems] == [(4, True)]
    assert [r.amount for r in parsed.receipts] == [Decimal("1250.00"), Decimal("900.00")]


def test_formats_are_recognised_from_their_first_bytes() -> None:
    found = {
        name: recognise((FILES / name).read_bytes())
        for name in ("statement.bai2", "statement.camt053.xml", "ach.nacha", "lockbox.csv")
    }
    assert found == {
        "statement.bai2": BankFileFormat.BAI2,
        "statement.camt053.xml": BankFileFormat.CAMT,
        "ach.nacha": BankFileFormat.NACHA,
        "lockbox.csv": BankFileFormat.LOCKBOX,
    }


def test_camt_entries_not_yet_booked_are_not_receipts() -> None:
    content = (FILES / "statement.camt053.xml").read_bytes()
    pending = content.replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts><Cd>PDNG</Cd></Sts>", 1)

    assert [r.amount for r in read_camt(content).receipts] == [
        Decimal("1250.00"),
        Decimal("640.00"),
    ]
    assert [r.amount for r in read_camt(pending).receipts] == [Decimal("640.00")]
