"""ISO 20022 camt.053 (statement) and camt.054 (debit/credit notification) through lxml. Elements
are found by local name, so any version of the schemas (and any namespace prefix) reads the same.
Each credit entry is a receipt; an entry booking several transactions gives one per transaction."""

from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from services.payments.domain.bank_files.model import (
    BankReceipt,
    LineProblem,
    MalformedFile,
    ParsedFile,
    RemittanceItem,
)

# Bank transaction sub-families of received credit transfers that are wires, not ACH.
WIRES = {"DMCT", "XBCT", "FICT"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _path(path: str) -> str:
    steps = path.split("/")
    return "./" + "/".join("*" if s == "*" else f"*[local-name()='{s}']" for s in steps)


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    return element.xpath(_path(path))


def _text(element: etree._Element, *paths: str) -> str | None:
    for path in paths:
        found = _all(element, path)
        if found and found[0].text and found[0].text.strip():
            return found[0].text.strip()
    return None


class BadElement(ValueError):
    """An element that cannot be read, with the line it is on."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


def _amount(element: etree._Element, *paths: str) -> Decimal | None:
    for path in paths:
        found = [e for e in _all(element, path) if e.text and e.text.strip()]
        if found:
            try:
                return Decimal(found[0].text.strip())
            except InvalidOperation as exc:
                raise BadElement(
                    found[0].sourceline, f"amount {found[0].text!r} is not a number"
                ) from exc
    return None


def _currency(element: etree._Element, *paths: str) -> str | None:
    for path in paths:
        found = _all(element, path)
        if found and found[0].get("Ccy"):
            return found[0].get("Ccy")
    return None


def _remittance(details: etree._Element) -> list[RemittanceItem]:
    items = []
    for structured in _all(details, "RmtInf/Strd"):
        items.append(
            RemittanceItem(
                invoice_number=_text(structured, "RfrdDocInf/Nb"),
                amount_paid=_amount(structured, "RfrdDocAmt/RmtdAmt", "RfrdDocAmt/DuePyblAmt"),
                discount=_amount(
                    structured, "RfrdDocAmt/DscntApldAmt/Amt", "RfrdDocAmt/DscntApldAmt"
                ),
            )
        )
    return items


def _receipt(entry: etree._Element, details: etree._Element | None, several: bool) -> BankReceipt:
    scope = details if details is not None else entry
    amount_paths = ("AmtDtls/TxAmt/Amt", "Amt") if several else ("Amt",)
    amount = _amount(scope if several else entry, *amount_paths)
    currency = _currency(scope if several else entry, *amount_paths)
    booked = _text(entry, "BookgDt/Dt", "ValDt/Dt") or (_text(entry, "BookgDt/DtTm") or "")[:10]
    if amount is None or currency is None or not booked:
        raise ValueError("a credit entry needs an amount with its currency and a booking date")
    unstructured = " ".join(e.text.strip() for e in _all(scope, "RmtInf/Ustrd") if e.text) or None
    return BankReceipt(
        line=scope.sourceline or entry.sourceline or 0,
        amount=amount,
        currency=currency,
        received_on=date.fromisoformat(booked),
        method="wire" if _text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd") in WIRES else "ach",
        bank_reference=_text(scope, "Refs/AcctSvcrRef") or _text(entry, "AcctSvcrRef", "NtryRef"),
        reference=_text(scope, "Refs/EndToEndId", "Refs/InstrId"),
        payer_name=_text(scope, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm"),
        payer_account=_text(scope, "RltdPties/DbtrAcct/Id/IBAN", "RltdPties/DbtrAcct/Id/Othr/Id"),
        memo=unstructured,
        remittance=_remittance(scope),
    )


def read_camt(content: bytes) -> ParsedFile:
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedFile(f"not well-formed XML: {exc}") from exc
    kinds = {"BkToCstmrStmt": "camt.053", "BkToCstmrDbtCdtNtfctn": "camt.054"}
    kind = next((k for tag, k in kinds.items() if root.xpath(f"//*[local-name()='{tag}']")), None)
    if kind is None:
        raise MalformedFile(
            "an ISO 20022 file here is a camt.053 statement or a camt.054 notification"
        )
    parsed = ParsedFile(kind)
    for entry in root.xpath("//*[local-name()='Ntry']"):
        if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd") == "true":
            continue  # debits and reversals are not receipts
        if (_text(entry, "Sts/Cd", "Sts") or "BOOK") != "BOOK":
            continue  # pending or information-only: the money is not booked yet
        transactions = _all(entry, "NtryDtls/TxDtls")
        several = len(transactions) > 1
        for details in transactions if several else [transactions[0] if transactions else None]:
            try:
                parsed.receipts.append(_receipt(entry, details, several))
            except ValueError as exc:
                line = (
                    getattr(exc, "line", None)
                    or (details if details is not None else entry).sourceline
                )
                parsed.problems.append(LineProblem(line or 0, str(exc)))
    return parsed
