"""Reconciling another system's AR with the ledger: plain Python, no database.

The sales system and the accounting system each send their open AR per customer as of a date,
document by document where they can. Each is compared with the ledger customer by customer and
every difference is classified with the documents that explain it
(docs/domain.md#reconciliation). The sign is the ledger's: owed by the customer is positive,
to its credit negative.
"""

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class Side(StrEnum):
    """The system a file comes from."""

    SALES = "sales"
    ACCOUNTING = "accounting"


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_MEMO = "credit_memo"
    PAYMENT = "payment"
    DEPOSIT = "deposit"
    REFUND = "refund"


# Billing documents count as "an invoice on one side only"; cash as "a payment on one side only".
BILLING = frozenset({DocumentKind.INVOICE, DocumentKind.CREDIT_MEMO})


class DifferenceClass(StrEnum):
    TIMING = "timing"  # dated across the cut-off, or in transit: it reverses by itself
    INVOICE_ONE_SIDE = "invoice_one_side"
    PAYMENT_ONE_SIDE = "payment_one_side"
    AMOUNT_MISMATCH = "amount_mismatch"
    CUSTOMER_UNKNOWN = "customer_unknown"
    DUPLICATE = "duplicate"
    # What is left of a customer's difference once its documents are accounted for: the rows or
    # items that carry no document number.
    UNEXPLAINED = "unexplained"


class Holder(StrEnum):
    """Who has what the other lacks."""

    SOURCE = "source"
    LEDGER = "ledger"
    BOTH = "both"


class Resolution(StrEnum):
    OPEN = "open"
    EXPLAINED = "explained"
    ADJUSTED = "adjusted"  # corrected by a document, which the resolution names
    ESCALATED_TO_SALES = "escalated_to_sales"
    ESCALATED_TO_ACCOUNTING = "escalated_to_accounting"


# The file's columns, by what they mean; a mapping renames them to the file's own headers.
FIELDS = ("account_number", "document", "kind", "document_date", "amount")
REQUIRED_FIELDS = frozenset({"account_number", "amount"})
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]{1,4})?")


@dataclass(frozen=True)
class SourceRow:
    row: int  # the row's number in the file (the header is row 1) or in the JSON list (from 1)
    account_number: str
    amount: Decimal
    document: str | None = None
    kind: DocumentKind | None = None
    document_date: date | None = None


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _amount(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        # A spreadsheet keeps numbers as binary floats; its shortest repr is the typed figure.
        return Decimal(repr(value))
    text = _text(value).replace(",", "")
    if not _PLAIN.fullmatch(text):
        raise ValueError("not a plain decimal amount")
    return Decimal(text)


def _date(value: object) -> date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()  # type: ignore[attr-defined]
    return date.fromisoformat(_text(value)[:10])


def read_rows(
    records: Iterable[Mapping[str, object]], mapping: Mapping[str, str], first_row: int
) -> tuple[list[SourceRow], list[RowError]]:
    """Rows from records keyed by the file's headers, read through `mapping` (our field → the
    file's header; a field not mapped is looked up under its own name). Every bad row is listed
    with its number and field, so a file is fixed in one go."""
    rows: list[SourceRow] = []
    errors: list[RowError] = []
    for number, record in enumerate(records, start=first_row):

        def cell(name: str, record: Mapping[str, object] = record) -> object:
            return record.get(mapping.get(name, name))

        if all(_text(v) == "" for v in record.values()):
            continue  # a blank line in a spreadsheet is no row
        account = _text(cell("account_number"))
        bad = len(errors)
        if not account:
            errors.append(RowError(number, "account_number", "no account number"))
        try:
            amount = _amount(cell("amount"))
            if abs(amount) > Decimal("999999999999.99"):
                raise ValueError("the amount is beyond any balance")
        except (ValueError, InvalidOperation) as error:
            errors.append(RowError(number, "amount", str(error)))
            amount = Decimal(0)
        kind: DocumentKind | None = None
        if kind_text := _text(cell("kind")).lower():
            try:
                kind = DocumentKind(kind_text)
            except ValueError:
                errors.append(
                    RowError(number, "kind", f"one of {', '.join(k.value for k in DocumentKind)}")
                )
        try:
            on = _date(cell("document_date"))
        except (ValueError, TypeError):
            errors.append(RowError(number, "document_date", "not a date (YYYY-MM-DD)"))
            on = None
        if len(errors) == bad:
            document = _text(cell("document")) or None
            rows.append(SourceRow(number, account, amount, document, kind, on))
    return rows, errors


@dataclass(frozen=True)
class LedgerDocument:
    """An item of the ledger as the comparison needs it."""

    number: str | None
    kind: DocumentKind
    document_date: date
    balance: Decimal  # as of the reconciliation's date
    later: Decimal  # what entries dated after that date changed it by, since


@dataclass
class LedgerCustomer:
    customer_id: uuid.UUID
    account_number: str
    documents: list[LedgerDocument] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return sum((d.balance for d in self.documents), Decimal(0))


@dataclass(frozen=True)
class Difference:
    account_number: str
    customer_id: uuid.UUID | None
    klass: DifferenceClass
    held_by: Holder
    source_amount: Decimal
    ledger_amount: Decimal
    explanation: str
    document: str | None = None
    rows: tuple[int, ...] = ()
    documents: tuple[str, ...] = ()

    @property
    def amount(self) -> Decimal:
        """Source less ledger."""
        return self.source_amount - self.ledger_amount


def account_key(number: str) -> str:
    """How an account number is matched across systems."""
    return number.strip().upper()


def document_key(number: str | None) -> str | None:
    """How a document number is matched across systems; None when there is none."""
    key = number.strip().upper() if number else None
    return key or None


def _one_side(kind: DocumentKind | None, amount: Decimal) -> DifferenceClass:
    if kind is None:
        kind = DocumentKind.INVOICE if amount > 0 else DocumentKind.PAYMENT
    return DifferenceClass.INVOICE_ONE_SIDE if kind in BILLING else DifferenceClass.PAYMENT_ONE_SIDE


def compare(
    side: Side,
    as_of: date,
    rows: list[SourceRow],
    ledger: Mapping[str, LedgerCustomer],
    listed: Set[str] | None = None,
) -> list[Difference]:
    """Every difference between the source's rows and the ledger (keyed by account number) as
    of `as_of`, classified; equal balances document by document give none. `listed` is every
    account the source lists (by `account_key`), when `rows` and the ledger's documents leave
    out the pairs already known to agree (one row and one document of the same number and
    amount): what is left is compared exactly as the whole would be."""
    by_account: dict[str, list[SourceRow]] = defaultdict(list)
    for row in rows:
        by_account[account_key(row.account_number)].append(row)
    differences: list[Difference] = []
    listed = listed or by_account.keys()
    for account in [*by_account, *(listed - by_account.keys())]:
        account_rows = by_account.get(account, [])
        customer = ledger.get(account)
        if customer is None and account_rows:
            total = sum((r.amount for r in account_rows), Decimal(0))
            differences.append(
                Difference(
                    account_rows[0].account_number,
                    None,
                    DifferenceClass.CUSTOMER_UNKNOWN,
                    Holder.SOURCE,
                    total,
                    Decimal(0),
                    f"the {side} system has a customer the ledger does not know",
                    rows=tuple(r.row for r in account_rows),
                    documents=tuple(r.document for r in account_rows if r.document),
                )
            )
        elif customer is not None and (account_rows or customer.documents):
            differences += _compare_customer(side, as_of, account_rows, customer)
    for account, customer in ledger.items():
        if account not in listed and customer.balance != 0:
            differences.append(
                Difference(
                    customer.account_number,
                    customer.customer_id,
                    DifferenceClass.CUSTOMER_UNKNOWN,
                    Holder.LEDGER,
                    Decimal(0),
                    customer.balance,
                    f"the {side} system has no balance for a customer the ledger has open",
                    documents=tuple(d.number for d in customer.documents if d.balance and d.number),
                )
            )
    return differences


def _compare_customer(
    side: Side, as_of: date, rows: list[SourceRow], customer: LedgerCustomer
) -> list[Difference]:
    found: list[Difference] = []

    def add(
        klass: DifferenceClass,
        held_by: Holder,
        amounts: tuple[Decimal, Decimal],
        why: str,
        document: str | None = None,
        row: SourceRow | None = None,
    ) -> None:
        found.append(
            Difference(
                customer.account_number,
                customer.customer_id,
                klass,
                held_by,
                *amounts,
                why,
                document=document,
                rows=(row.row,) if row else (),
                documents=(document,) if document else (),
            )
        )

    documents: dict[str, LedgerDocument] = {}
    ledger_undocumented = Decimal(0)
    for d in customer.documents:
        key = document_key(d.number)
        if key is None:
            ledger_undocumented += d.balance
        else:
            documents[key] = d
    source: dict[str, SourceRow] = {}
    undocumented = Decimal(0)  # the source's rows without a document number
    for listed in rows:
        key = document_key(listed.document)
        if key is None:
            undocumented += listed.amount
        elif key in source:
            add(
                DifferenceClass.DUPLICATE,
                Holder.SOURCE,
                (listed.amount, Decimal(0)),
                f"the {side} system lists {listed.document} twice (rows {source[key].row} and "
                f"{listed.row})",
                listed.document,
                listed,
            )
        else:
            source[key] = listed
    pairs: list[tuple[SourceRow | None, LedgerDocument | None]] = []
    for key, listed in source.items():
        document = documents.pop(key, None)
        if document is None or document.balance != listed.amount:  # most agree: nothing to do
            pairs.append((listed, document))
    pairs += [(None, d) for d in documents.values() if d.balance]
    for row, document in pairs:
        amounts = (row.amount if row else Decimal(0), document.balance if document else Decimal(0))
        s, led = amounts
        name = row.document if row else document.number if document else None
        if document is not None and s == led + document.later:
            held_by = Holder.BOTH if row and led else Holder.SOURCE if row else Holder.LEDGER
            why = f"the ledger dates {document.later:+} on {name} after {as_of}"
            add(DifferenceClass.TIMING, held_by, amounts, why, name, row)
        elif row is not None and row.document_date is not None and row.document_date > as_of:
            why = f"the {side} system dates {name} {row.document_date}, after {as_of}"
            add(DifferenceClass.TIMING, Holder.SOURCE, amounts, why, name, row)
        elif row is not None and document is not None and led != 0:
            why = f"{name} is {s} in the {side} system and {led} in the ledger"
            add(DifferenceClass.AMOUNT_MISMATCH, Holder.BOTH, amounts, why, name, row)
        elif row is not None and document is not None:
            # Settled in the ledger by cash (or a credit) the source has not recorded.
            why = f"{name} is settled in the ledger and open in the {side} system"
            add(DifferenceClass.PAYMENT_ONE_SIDE, Holder.LEDGER, amounts, why, name, row)
        elif row is not None:
            why = f"{name} is open in the {side} system only"
            add(_one_side(row.kind, s), Holder.SOURCE, amounts, why, name, row)
        elif document is not None:
            why = f"{name} is open in the ledger only"
            add(_one_side(document.kind, led), Holder.LEDGER, amounts, why, name)
    if undocumented != ledger_undocumented:
        why = "balances without a document number do not agree"
        add(DifferenceClass.UNEXPLAINED, Holder.BOTH, (undocumented, ledger_undocumented), why)
    return found
