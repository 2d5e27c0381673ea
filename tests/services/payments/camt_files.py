"""camt.053 statements written to the ISO 20022 message definition, for tests and the bench."""

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass
class Credit:
    amount: Decimal
    reference: str  # the bank's AcctSvcrRef; NONREF is none
    debtor: str = "Permian Basin Services LLC"
    booked: str = "2026-11-04"
    remittance: str = ""


def camt053(
    credits: list[Credit],
    *,
    statement_id: str = "STMT-4400123456-20261104",
    account: str = "4400123456",
    created: str = "2026-11-05T06:00:00",
) -> bytes:
    entries = "".join(
        f"""<Ntry><Amt Ccy="USD">{c.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{c.booked}</Dt></BookgDt>
<AcctSvcrRef>{escape(c.reference)}</AcctSvcrRef><NtryDtls><TxDtls>
<Amt Ccy="USD">{c.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>{escape(c.debtor)}</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Ustrd>{escape(c.remittance)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
"""
        for c in credits
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>
<Stmt><Id>{statement_id}</Id><CreDtTm>{created}</CreDtTm>
<Acct><Id><Othr><Id>{account}</Id></Othr></Id><Ccy>USD</Ccy></Acct>
{entries}</Stmt></BkToCstmrStmt></Document>
""".encode()
