"""BAI2 (cash management balance reporting) through the `bai2` library: each credit transaction
detail (16 record, with its 88 continuations) is one receipt. A detail record the library cannot
read is reported by line and left out; the rest of the file is still read."""

from datetime import date
from decimal import Decimal

from bai2.bai2 import parse_from_lines
from bai2.constants import TypeCodeTransaction
from bai2.exceptions import IntegrityException, NotSupportedYetException, ParsingException
from bai2.helpers import IteratorHelper
from bai2.parsers import TransactionDetailParser

from services.payments.domain.bank_files.model import (
    BankReceipt,
    LineProblem,
    MalformedFile,
    ParsedFile,
)

_ERRORS = (
    ParsingException,
    NotSupportedYetException,
    IntegrityException,
    ValueError,
    IndexError,
    KeyError,
)
# BAI2 type codes of credits by how the money came: 11x lockbox, 16x ACH, 19x-20x wires.
_METHODS = {"11": "lockbox", "16": "ach", "19": "wire", "20": "wire"}


def _records(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each record, 88 continuations joined to theirs."""
    records: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.startswith("88,") and records:
            records[-1][1].append(line)
        else:
            records.append((number, [line]))
    return records


def _bad_detail(record: list[str]) -> str | None:
    try:
        TransactionDetailParser(IteratorHelper(record)).parse()
    except StopIteration:
        return None
    except _ERRORS as exc:
        return f"transaction detail not readable: {exc}"
    return None


def _amount(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def read_bai2(text: str) -> ParsedFile:
    parsed = ParsedFile("bai2")
    kept: list[str] = []
    detail_lines: list[int] = []
    for number, record in _records(text.splitlines()):
        if record[0].startswith("16,"):
            problem = _bad_detail(record)
            if problem:
                parsed.problems.append(LineProblem(number, problem))
                continue
            detail_lines.append(number)
        kept.extend(record)
    try:
        # Control totals no longer add up once a bad line is left out.
        document = parse_from_lines(kept, check_integrity=not parsed.problems)
    except (*_ERRORS, StopIteration) as exc:
        raise MalformedFile(f"not a readable BAI2 file: {exc}") from exc
    lines = iter(detail_lines)
    for group in document.children:
        as_of: date = group.header.as_of_date
        for account in group.children:
            currency = account.header.currency or group.header.currency
            for detail in account.children:
                line = next(lines)
                if detail.type_code.transaction != TypeCodeTransaction.credit:
                    continue
                parsed.receipts.append(
                    BankReceipt(
                        line=line,
                        amount=_amount(detail.amount),
                        currency=currency,
                        received_on=as_of,
                        method=_METHODS.get(detail.type_code.code[:2], "check"),
                        bank_reference=detail.bank_reference,
                        reference=detail.customer_reference,
                        memo=detail.text,
                    )
                )
    return parsed
