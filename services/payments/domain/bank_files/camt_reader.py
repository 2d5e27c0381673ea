"""ISO 20022 camt.052 (account report), camt.053 (statement) and camt.054 (debit/credit
notification), versions .001.02 to .001.08, through lxml. Elements are found by local name under
a root checked to be a camt `Document`, so every version (and any namespace prefix) reads the
same. Each booked credit entry is a receipt; an entry booking several transactions (a batch)
gives one per transaction."""

import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from lxml import etree

from services.payments.domain.bank_files.model import (
    BankReceipt,
    LineProblem,
    MalformedFile,
    ParsedFile,
    RemittanceItem,
    memo_of,
)
from services.payments.domain.matching.references import creditor_reference, references_in

# Bank transaction sub-families of received credit transfers that are wires, not ACH.
WIRES = {"DMCT", "XBCT", "FICT"}
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.05([234])\.001\.(\d{2})")
VERSIONS = range(2, 9)
# Each message, its element and the element of each statement (report, notification) in it.
MESSAGES = {
    "2": ("camt.052", "BkToCstmrAcctRpt", "Rpt"),
    "3": ("camt.053", "BkToCstmrStmt", "Stmt"),
    "4": ("camt.054", "BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}
# What banks write where a reference is required and they have none: not references.
PLACEHOLDERS = {"NONREF", "NOTPROVIDED", "NOT PROVIDED"}
# ActiveOrHistoricCurrencyAndAmount: at most 18 digits, 5 of them decimals, never negative.
_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?|\d{0,17}\.\d{1,5}")
# ISODate or ISODateTime, with or without a time zone: the date is the one written.
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    """The elements along `path` by local names ("*" any), whatever the namespace: a walk over
    the few children of each step, many times faster than an XPath query per element read."""
    found = [element]
    for step in path.split("/"):
        found = [
            child
            for parent in found
            for child in parent
            if isinstance(child.tag, str) and (step == "*" or child.tag.rpartition("}")[2] == step)
        ]
        if not found:
            break
    return found


def _text(element: etree._Element, *paths: str) -> str | None:
    for path in paths:
        found = _all(element, path)
        if found and found[0].text and found[0].text.strip():
            return found[0].text.strip()
    return None


def _reference(element: etree._Element, *paths: str) -> str | None:
    """The first real reference among `paths`, placeholders such as NONREF left out."""
    for path in paths:
        value = _text(element, path)
        if value and value.upper() not in PLACEHOLDERS:
            return value
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
            raw = found[0].text.strip()
            if not _AMOUNT.fullmatch(raw):
                raise BadElement(found[0].sourceline, f"amount {raw!r} is not a number")
            return Decimal(raw)
    return None


def _currency(element: etree._Element, *paths: str) -> str | None:
    for path in paths:
        found = _all(element, path)
        if found and found[0].get("Ccy"):
            code = found[0].get("Ccy").strip()
            if code == "XXX" or not re.fullmatch(r"[A-Z]{3}", code):
                raise BadElement(
                    found[0].sourceline,
                    f"currency {code!r} is not a currency money can be booked in",
                )
            return code
    return None


def _date(element: etree._Element, *paths: str) -> date | None:
    """The first date found along `paths`; a date-time's date is the one written in it."""
    for path in paths:
        found = [e for e in _all(element, path) if e.text and e.text.strip()]
        if found:
            raw = found[0].text.strip()
            written = _DATE.fullmatch(raw)
            try:
                if written:
                    return date.fromisoformat(written.group(1))
            except ValueError:
                pass  # a day that does not exist, as 2026-02-30
            raise BadElement(found[0].sourceline, f"date {raw!r} is not a date")
    return None


def _remittance(details: etree._Element) -> list[RemittanceItem]:
    """Structured remittance: each referred document, or the creditor reference the payer quoted
    (the payee's own reference, out of an RF reference)."""
    items = []
    for structured in _all(details, "RmtInf/Strd"):
        quoted = _text(structured, "CdtrRefInf/Ref")
        number = _text(structured, "RfrdDocInf/Nb") or (
            (creditor_reference(quoted) or quoted) if quoted else None
        )
        if number is None:
            continue
        items.append(
            RemittanceItem(
                invoice_number=number,
                amount_paid=_amount(structured, "RfrdDocAmt/RmtdAmt", "RfrdDocAmt/DuePyblAmt"),
                discount=_amount(
                    structured, "RfrdDocAmt/DscntApldAmt/Amt", "RfrdDocAmt/DscntApldAmt"
                ),
            )
        )
    return items


def _party_name(scope: etree._Element, party: str) -> str | None:
    return _text(scope, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm")


def _entry_reference(entry: etree._Element, statement_id: str | None) -> str | None:
    """The bank's reference of the entry; an entry number is unique only in its statement."""
    number = _reference(entry, "NtryRef")
    return _reference(entry, "AcctSvcrRef") or (
        f"{statement_id}/{number}" if statement_id and number else None
    )


def _receipt(
    entry: etree._Element,
    entry_reference: str | None,
    details: etree._Element | None,
    position: int | None,
) -> BankReceipt:
    """One receipt: the entry's own, or (`position` given) the transaction at that position of
    a batch-booked entry."""
    scope = details if details is not None else entry
    batch = position is not None
    amount_paths = ("Amt", "AmtDtls/TxAmt/Amt") if batch else ("Amt",)
    amount = _amount(scope if batch else entry, *amount_paths)
    currency = _currency(scope if batch else entry, *amount_paths)
    # The booking date is when the money reached the account; the value date only when it is
    # the one date given.
    received_on = _date(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
    if amount is None or currency is None or received_on is None:
        raise ValueError("a credit entry needs an amount with its currency and a booking date")
    if amount == 0:
        raise ValueError("the amount is zero")
    end_to_end = _reference(scope, "Refs/EndToEndId")
    bank_reference = _reference(scope, "Refs/AcctSvcrRef") or (
        f"{entry_reference}/{position}" if batch and entry_reference else entry_reference
    )
    debtor, ultimate = _party_name(scope, "Dbtr"), _party_name(scope, "UltmtDbtr")
    remittance = _remittance(scope)
    memo = memo_of(
        *(e.text for e in _all(scope, "RmtInf/Ustrd")),
        _text(scope, "AddtlTxInf"),
        None if batch else _text(entry, "AddtlNtryInf"),
        f"(paid by {debtor})" if ultimate and debtor and debtor != ultimate else None,
    )
    if end_to_end and not remittance and not references_in(memo):
        # The payer's own reference often is the invoice number: offer it to cash application.
        memo = memo_of(memo, end_to_end)
    sub_family = _text(scope, "BkTxCd/Domn/Fmly/SubFmlyCd") or _text(
        entry, "BkTxCd/Domn/Fmly/SubFmlyCd"
    )
    return BankReceipt(
        line=scope.sourceline or entry.sourceline or 0,
        amount=amount,
        currency=currency,
        received_on=received_on,
        method="wire" if sub_family in WIRES else "ach",
        bank_reference=bank_reference,
        reference=end_to_end or _reference(scope, "Refs/InstrId"),
        # The ultimate debtor is who owes the money; the debtor may pay on its behalf.
        payer_name=ultimate or debtor,
        payer_account=_text(scope, "RltdPties/DbtrAcct/Id/IBAN", "RltdPties/DbtrAcct/Id/Othr/Id"),
        memo=memo,
        remittance=remittance,
    )


def _entry_receipts(entry: etree._Element, statement_id: str | None) -> list[BankReceipt]:
    reference = _entry_reference(entry, statement_id)
    transactions = _all(entry, "NtryDtls/TxDtls")
    if len(transactions) <= 1:
        return [_receipt(entry, reference, transactions[0] if transactions else None, None)]
    receipts, total = [], Decimal(0)
    for position, details in enumerate(transactions, start=1):
        if _text(details, "CdtDbtInd") == "DBIT":  # a debit netted into the credit entry
            total -= _amount(details, "Amt", "AmtDtls/TxAmt/Amt") or Decimal(0)
            continue
        receipts.append(_receipt(entry, reference, details, position))
        total += receipts[-1].amount
    booked = _amount(entry, "Amt")
    if booked is not None and total != booked:
        raise ValueError(
            f"the entry books {booked} but its {len(transactions)} transactions add up to {total}"
        )
    return receipts


def _kind(root: etree._Element) -> tuple[str, str, str]:
    """The message's name ("camt.053") and the local names of its message and statement
    elements; any other document is refused with the reason."""
    namespace, _, localname = root.tag.rpartition("}")
    known = _NAMESPACE.fullmatch(namespace.removeprefix("{"))
    if localname != "Document" or known is None:
        raise MalformedFile(
            f"the root element is {root.tag!r}; a camt file's root is Document in the namespace "
            "urn:iso:std:iso:20022:tech:xsd:camt.052, .053 or .054"
        )
    kind, message, statement = MESSAGES[known.group(1)]
    if int(known.group(2)) not in VERSIONS:
        raise MalformedFile(
            f"{kind}.001.{known.group(2)} is not read; versions .001.02 to .001.08 are"
        )
    return kind, message, statement


class _Entries:
    """The file's entries as they are parsed, each with the statement it is in; an entry's
    elements are let go once it is read, so memory does not grow with the file. As a
    whole-document read would, only the first message element's statements count, and a file
    without a message or a statement is refused saying which."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.kind = ""

    def __iter__(self) -> Iterator[tuple[etree._Element, etree._Element]]:
        events = etree.iterparse(
            io.BytesIO(self.content),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
        )
        message_name = statement_name = ""
        message: etree._Element | None = None
        statements, depth = 0, 0
        try:
            for event, element in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        self.kind, message_name, statement_name = _kind(element)
                    elif depth == 2 and message is None and _named(element, message_name):
                        message = element
                    elif depth == 3 and element.getparent() is message:
                        statements += _named(element, statement_name)
                    continue
                depth -= 1
                statement = element.getparent()
                if (
                    depth != 3
                    or not _named(element, "Ntry")
                    or statement is None
                    or statement.getparent() is not message
                    or not _named(statement, statement_name)
                ):
                    continue
                yield statement, element
                # Read: the entry is let go, with the one before it (kept as a sibling so far).
                element.clear(keep_tail=True)
                previous = element.getprevious()
                if previous is not None and _named(previous, "Ntry"):
                    statement.remove(previous)
        except etree.XMLSyntaxError as exc:
            raise MalformedFile(f"not well-formed XML: {exc}") from exc
        if message is None:
            raise MalformedFile(f"the {self.kind} document has no {message_name} message in it")
        if not statements:
            raise MalformedFile(f"the {self.kind} message holds no statement ({statement_name})")


def _named(element: etree._Element, name: str) -> bool:
    # By the tag's text: a tag read so far may be one QName() refuses (the parser's error on
    # it comes later).
    return isinstance(element.tag, str) and element.tag.rpartition("}")[2] == name


def read_camt(content: bytes) -> ParsedFile:
    entries = _Entries(content)
    receipts: list[BankReceipt] = []
    problems: list[LineProblem] = []
    # Read once per statement, at its first entry: the statement's Id and Acct come before its
    # entries (which are let go as they are read).
    identified: dict[etree._Element, tuple[str | None, str | None]] = {}
    for number, (statement, entry) in enumerate(entries, start=1):
        if statement not in identified:
            identified[statement] = (
                _reference(statement, "Id"),
                _text(statement, "Acct/Id/IBAN", "Acct/Id/Othr/Id"),
            )
        if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd") == "true":
            continue  # debits and reversals are not receipts
        if (_text(entry, "Sts/Cd", "Sts") or "BOOK") != "BOOK":
            continue  # pending or information-only: the money is not booked yet
        try:
            statement_id, account = identified[statement]
            found = _entry_receipts(entry, statement_id)
            for receipt in found:
                receipt.bank_account = account
            receipts.extend(found)
        except ValueError as exc:
            line = getattr(exc, "line", None) or entry.sourceline or 0
            problems.append(LineProblem(line, f"entry {number}: {exc}"))
    return ParsedFile(entries.kind, receipts, problems).refuse_if_unreadable()
