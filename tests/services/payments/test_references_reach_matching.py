"""Point 8 of issue 15: every reference a bank passes on reaches cash application. Each file below
names its invoice in one place only (a BAI2 customer reference, a NACHA CCD or PPD individual id, a
camt end-to-end id or plain creditor reference, a reference wrapped in punctuation), and a twin
invoice of the same amount makes the reference, not the amount, decide."""

from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bus import InProcessBus
from shared.events.customers import CustomerSnapshot
from tests.conftest import AuthHeaders
from tests.services.payments.conftest import payment_body, post_payment
from tests.services.payments.events import deliver_invoicing, invoice
from tests.services.payments.uploads import upload_bank_file


@pytest.fixture
async def twins(bus: InProcessBus, acme: CustomerSnapshot) -> None:
    await deliver_invoicing(
        bus,
        invoice(acme, "INV-2026-000125", "600.00"),
        invoice(acme, "INV-2026-000127", "600.00"),
        invoice(acme, "83738AB", "410.00"),
        invoice(acme, "INV-2026-000900", "410.00"),
    )


async def _applied_from_file(api: httpx.AsyncClient, auth: AuthHeaders, content: bytes) -> Any:
    response = await upload_bank_file(api, auth, "bank-file", content)
    assert response.status_code == 201, response.text
    imported = response.json()
    assert (imported["errors"], len(imported["payments"])) == ([], 1), imported
    payment = (
        await api.get(f"/v1/payments/{imported['payments'][0]}", headers=auth(Role.AUDITOR))
    ).json()
    return [(a["invoice_number"], a["amount"]) for a in payment["applications"]]


def _bai2(customer_reference: str, text: str) -> bytes:
    lines = [
        "01,122000661,ARPLATFORM,261105,0700,1,,,2/",
        "02,ARPLATFORM,122000661,1,261104,2400,USD,2/",
        "03,4400123456,USD,010,0,,/",
        f"16,165,60000,Z,BR26110477,{customer_reference},{text}/",
        "49,60000,3/",
        "98,60000,1,5/",
        "99,60000,1,7/",
    ]
    return "\n".join(lines).encode()


async def test_a_bai2_customer_reference_names_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, twins: None
) -> None:
    content = _bai2("INV-2026-000125", "DBNM:PERMIAN BASIN SERVICES LLC")

    assert await _applied_from_file(api, auth, content) == [("INV-2026-000125", "600.00")]


def _nacha(sec_code: str, individual_id: str) -> bytes:
    """One batch of one 600.00 credit, the invoice number only in the entry's individual id."""
    records = [
        "101 122000661 9876543212611050700A094101FIRST BANK             AR PLATFORM             "
        "       ",
        f"5220PERMIAN BASIN SV                    1123456789{sec_code}AR PAYMNT       261105   "
        "1122000660000001",
        f"6221220006614400123456       0000060000{individual_id:<15}PERMIAN BASIN SERVICES"
        "  0122000660000001",
        "822000000100122000660000000000000000000600001123456789                         "
        "122000660000001",
        "9000001000001000000010012200066000000000000000000060000" + " " * 39,
    ]
    assert all(len(record) == 94 for record in records)
    return "\n".join(records).encode()


@pytest.mark.parametrize("sec_code", ["CCD", "PPD"])
async def test_a_nacha_individual_id_names_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, twins: None, sec_code: str
) -> None:
    content = _nacha(sec_code, "INV-2026-000125")

    assert await _applied_from_file(api, auth, content) == [("INV-2026-000125", "600.00")]


def _camt(transaction: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2026-11-05T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-1</Id><CreDtTm>2026-11-05T06:00:00</CreDtTm>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>USD</Ccy></Acct>
<Ntry><Amt Ccy="USD">600.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-04</Dt></BookgDt><AcctSvcrRef>AS-77</AcctSvcrRef>
<NtryDtls><TxDtls>{transaction}
<RltdPties><Dbtr><Nm>Permian Basin Services LLC</Nm></Dbtr></RltdPties>
</TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>""".encode()


@pytest.mark.parametrize(
    "transaction",
    [
        "<Refs><EndToEndId>INV-2026-000125</EndToEndId></Refs>",
        "<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RmtInf><Strd><CdtrRefInf>"
        "<Ref>INV-2026-000125</Ref></CdtrRefInf></Strd></RmtInf>",
    ],
    ids=["end-to-end id", "creditor reference"],
)
async def test_a_camt_reference_names_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, twins: None, transaction: str
) -> None:
    assert await _applied_from_file(api, auth, _camt(transaction)) == [
        ("INV-2026-000125", "600.00")
    ]


async def test_a_reference_wrapped_in_punctuation_names_the_invoice(
    api: httpx.AsyncClient, auth: AuthHeaders, twins: None, acme: CustomerSnapshot
) -> None:
    payment = await post_payment(
        api,
        auth,
        payment_body(None, "410.00", payer_name="Permian Basin Services LLC", memo="#83738AB#"),
    )

    assert [(a["invoice_number"], a["amount"]) for a in payment["applications"]] == [
        ("83738AB", "410.00")
    ]
