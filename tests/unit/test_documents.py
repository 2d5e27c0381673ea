"""shared.documents: money as printed, text that never breaks a PDF, templates, the company."""

import io
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from shared.company import CompanyProfile
from shared.documents import (
    Document,
    format_money,
    format_money_with_code,
    latin1,
    text_environment,
)


@pytest.mark.parametrize(
    ("amount", "currency", "printed"),
    [
        ("1234.5", "USD", "1,234.50"),
        ("1234.005", "USD", "1,234.01"),  # half-up, not banker's rounding
        ("1234.5", "JPY", "1,235"),
        ("1.5", "BHD", "1.500"),
        ("-1234.5", "USD", "-1,234.50"),
        ("-0.001", "USD", "0.00"),
    ],
)
def test_money_prints_in_the_currency_minor_unit(amount: str, currency: str, printed: str) -> None:
    assert format_money(Decimal(amount), currency) == printed


def test_money_follows_the_locale_and_can_carry_its_code() -> None:
    assert format_money(Decimal("1234.5"), "EUR", locale="de_DE") == "1.234,50"
    assert format_money_with_code(Decimal("1234.5"), "USD") == "1,234.50 USD"


def test_text_outside_latin1_is_folded() -> None:
    assert latin1("Łódź Drilling 🚀") == "Lódz Drilling ?"
    assert latin1("Œuvre – “Straße” … ő") == 'OEuvre - "Straße" ... o'
    assert latin1(None) == ""


def test_a_pdf_prints_any_customer_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_COMPANY__LEGAL_NAME", "Żuraw Services")
    company = CompanyProfile()
    document = Document(company, title="Statement", footer_label="statement", page_format="A4")
    document.add_page()
    document.heading("Łódź Drilling 🚀")
    document.paragraph("Dear Łódź Drilling 🚀,\nyour balance is below.")
    document.simple_table(
        [("Invoice", 60, "L"), ("Amount", 40, "R")],
        [["INV-1 – Łódź", format_money(Decimal("-12.5"), "USD")]],
    )
    text = pypdf.PdfReader(io.BytesIO(document.render())).pages[0].extract_text()
    assert "Lódz Drilling ?" in text
    assert "INV-1 - Lódz" in text and "-12.50" in text
    assert "Zuraw Services" in text  # the header and footer print the profile
    assert "statement - page 1" in text


def test_company_profile_reads_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_COMPANY__REMIT_TO", '["PO Box 7", "Odessa, TX 79760"]')
    monkeypatch.setenv("AR_COMPANY__PHONE", "")
    company = CompanyProfile()
    assert company.remit_to == ["PO Box 7", "Odessa, TX 79760"]
    assert company.legal_entity == "main"
    assert company.contact == ["billing@example.com"]


def test_letter_templates_format_money_like_documents(tmp_path: Path) -> None:
    (tmp_path / "reminder.txt").write_text(
        "You owe {{ balance | money(currency) }} ({{ balance | money_with_code(currency) }})."
    )
    environment = text_environment(tmp_path)
    letter = environment.get_template("reminder.txt").render(
        balance=Decimal("1234.5"), currency="JPY"
    )
    assert letter == "You owe 1,235 (1,235 JPY)."
