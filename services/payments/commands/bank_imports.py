"""Importing a bank or lockbox file: each receipt in it becomes a payment (and goes through cash
application), each NACHA return or reversal reverses the payment it takes back. The same file sent
again (whatever its creation time), or a transaction already imported (the same money: see
domain/duplicates.py), is recognised and not recorded twice; the answer names the earlier one.
The file is read in a process of its own, off the event loop, within a time and memory bound. A
file from which nothing could be recorded is refused whole, naming each line that was refused."""

import asyncio
import hashlib
import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.applications import CashRuleBroken
from services.payments.commands.cash_application import payer_directory
from services.payments.commands.receipts import (
    BankOrigin,
    add_bank_payment,
    apply_bank_payments,
    earlier_same_money,
    reverse_payment,
)
from services.payments.domain.bank_files.model import (
    BankReceipt,
    BankReturn,
    LineProblem,
    MalformedFile,
    NotAReceipt,
    ParsedFile,
)
from services.payments.domain.bank_files.reading import BankFileFormat, read_bank_file
from services.payments.domain.duplicates import Receipt, payer_of, same_money
from services.payments.domain.statuses import PaymentStatus
from services.payments.models import BankFile, Payment
from services.payments.schemas import PaymentIn, RemittanceLineIn
from services.payments.settings import PaymentsSettings
from shared.api.problems import Conflict, Problem
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import TooFarAhead, check_not_ahead
from shared.db import RowBatch
from shared.periods import PeriodIsClosed

# Receipts prepared between two chances for the event loop to run something else.
_YIELD_EVERY = 20


class DuplicateFile(Conflict):
    slug, title = "duplicate-bank-file", "This file was imported before"


class BankFileTooCostly(Problem):
    status, slug, title = 422, "bank-file-too-costly", "The bank file could not be read in bounds"


# A reader process forked from a server that has the readers imported (the bank files' with this
# module, the remittance advices' with their PDF and spreadsheet libraries) starts in milliseconds.
_PROCESSES = multiprocessing.get_context("forkserver")
_PROCESSES.set_forkserver_preload([__name__, "services.payments.domain.remittance.reading"])


def _read_in_child(connection: Connection, read: Callable[[], object], memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    outcome: tuple[str, object]
    try:
        outcome = ("read", read())
    except MalformedFile as exc:
        outcome = ("malformed", (exc.detail, exc.extensions))
    except Problem as exc:  # another reader's own refusal (a remittance file's, say)
        outcome = ("problem", (exc.status, exc.slug, exc.title, exc.detail, exc.extensions))
    except MemoryError:
        outcome = ("memory", None)
    try:
        connection.send(outcome)
    except MemoryError:
        connection.send(("memory", None))
    connection.close()


def _read_in_process(read: Callable[[], object], rules: PaymentsSettings) -> tuple[str, object]:
    """Blocking (starting the process too): run in a thread, never on the event loop."""
    receiving, sending = _PROCESSES.Pipe(duplex=False)
    process = _PROCESSES.Process(
        target=_read_in_child,
        args=(sending, read, rules.bank_file_read_memory_bytes),
        daemon=True,
    )
    process.start()
    sending.close()
    try:
        if not receiving.poll(rules.bank_file_read_seconds):
            return ("timeout", None)
        return receiving.recv()
    except EOFError:  # the reader died without an answer (an error it let slip, say)
        return ("died", process.exitcode)
    finally:
        process.kill()
        process.join()
        receiving.close()


async def read_bounded(read: Callable[[], object], rules: PaymentsSettings) -> object:
    """`read()` (a module-level function with its arguments, as `functools.partial`) run in a
    child process: one that loops or swells is killed at the bound, its refusals come back."""
    kind, value = await asyncio.to_thread(_read_in_process, read, rules)
    if kind == "read":
        return value
    if kind == "malformed":
        detail, extensions = value  # type: ignore[misc]
        raise MalformedFile(detail, **extensions)
    if kind == "problem":
        status, slug, title, detail, extensions = value  # type: ignore[misc]
        raise Problem(detail, status=status, slug=slug, title=title, **extensions)
    if kind == "timeout":
        raise BankFileTooCostly(
            f"the file was not read within {rules.bank_file_read_seconds:g} s; nothing was recorded"
        )
    if kind == "memory":
        raise BankFileTooCostly(
            f"reading the file needed more than {rules.bank_file_read_memory_bytes // 2**20} MiB;"
            " nothing was recorded"
        )
    raise BankFileTooCostly(f"the reader stopped (exit code {value}); nothing was recorded")


async def read_off_loop(
    content: bytes, file_format: BankFileFormat | None, rules: PaymentsSettings
) -> ParsedFile:
    """The file read in a child process, within the bounds."""
    parsed = await read_bounded(
        partial(read_bank_file, content, file_format, rules.lockbox, rules.bank_currency), rules
    )
    assert isinstance(parsed, ParsedFile)
    return parsed


def _refused(problems: list[LineProblem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "message": p.message} for p in sorted(problems, key=lambda p: p.line)]


@dataclass
class ImportResult:
    bank_file: BankFile
    payments: list[Payment] = field(default_factory=list)


def _payment_in(receipt: BankReceipt) -> PaymentIn:
    return PaymentIn(
        method=receipt.method,
        amount=receipt.amount,
        currency=receipt.currency,
        received_on=receipt.received_on,
        reference=receipt.reference,
        payer_name=receipt.payer_name,
        payer_account=receipt.payer_account,
        memo=receipt.memo,
        bank_account=receipt.bank_account,
        remittance=[
            RemittanceLineIn(
                invoice_number=i.invoice_number, amount_paid=i.amount_paid, discount=i.discount
            )
            for i in receipt.remittance
        ],
    )


def _money_of(receipt: BankReceipt) -> Receipt:
    return Receipt(
        reference=receipt.bank_reference,
        amount=receipt.amount,
        currency=receipt.currency,
        received_on=receipt.received_on,
        bank_account=receipt.bank_account,
        payer=payer_of(None, receipt.payer_account, receipt.payer_name),
    )


async def _refuse_if_imported(session: AsyncSession, same: Any, how: str) -> None:
    """The same file again is refused once it recorded something; one from which nothing was
    recorded does not stand in the way of sending it (corrected) again."""
    for earlier in (await session.exec(select(BankFile).where(same))).all():
        if earlier.payments or earlier.reversals:
            raise DuplicateFile(
                f"{how} was imported on {earlier.imported_at:%Y-%m-%d %H:%M} UTC as "
                f"{earlier.filename!r}; nothing was recorded again",
                earlier_import=str(earlier.id),
            )


def _is_original(payment: Payment, bank_return: BankReturn) -> bool:
    """The originator and the account must agree where both are known: a trace number is only
    unique in its file, an amount not at all."""
    return all(
        mine is None or theirs is None or mine == theirs
        for mine, theirs in (
            (payment.payer_account, bank_return.originator),
            (payment.bank_account, bank_return.bank_account),
        )
    )


async def _returned_payment(
    session: AsyncSession, bank_return: BankReturn, rules: PaymentsSettings
) -> Payment | str:
    """The one payment the return takes back, or why none is."""
    earliest = bank_return.returned_on - timedelta(days=rules.return_window_days)
    statement = select(Payment).where(
        Payment.amount == bank_return.amount,
        Payment.currency == bank_return.currency,
        Payment.method == "ach",
        Payment.status == PaymentStatus.RECEIVED,
        col(Payment.bank_file_id).is_not(None),
        col(Payment.received_on).between(earliest, bank_return.returned_on),
    )
    if bank_return.original_trace:
        statement = statement.where(Payment.bank_reference == bank_return.original_trace)
    elif bank_return.reference:
        statement = statement.where(Payment.reference == bank_return.reference)
    found = [p for p in (await session.exec(statement)).all() if _is_original(p, bank_return)]
    if len(found) == 1:
        return found[0]
    what = (
        f"trace {bank_return.original_trace}"
        if bank_return.original_trace
        else f"originator {bank_return.originator}, identification {bank_return.reference}"
    )
    about = (
        f"{bank_return.amount} {bank_return.currency} ({what}) received from {earliest} to "
        f"{bank_return.returned_on}"
    )
    if not found:
        return f"no payment of {about} is on record"
    ids = ", ".join(str(p.id) for p in found)
    return f"{len(found)} payments of {about} fit ({ids}); reverse the right one by hand"


async def _reverse_returns(
    session: AsyncSession,
    parsed: ParsedFile,
    filename: str,
    rules: PaymentsSettings,
    actor: Principal,
    problems: list[LineProblem],
) -> list[dict[str, Any]]:
    reversals: list[dict[str, Any]] = []
    for bank_return in parsed.returns:
        heading = f"return {bank_return.reason_code} ({bank_return.reason}) of {bank_return.amount}"
        original = await _returned_payment(session, bank_return, rules)
        if isinstance(original, str):
            problems.append(NotAReceipt(bank_return.line, f"{heading}: {original}; not reversed"))
            continue
        reason = (
            f"NACHA return {bank_return.reason_code}: {bank_return.reason} "
            f"(file {filename!r}, line {bank_return.line})"
        )
        try:
            await reverse_payment(session, original, reason, bank_return.returned_on, rules, actor)
        except (CashRuleBroken, PeriodIsClosed) as exc:
            problems.append(
                LineProblem(bank_return.line, f"{heading}: payment {original.id}: {exc.detail}")
            )
            continue
        reversals.append(
            {
                "line": bank_return.line,
                "payment_id": str(original.id),
                "reason_code": bank_return.reason_code,
                "reason": bank_return.reason,
            }
        )
    return reversals


async def import_bank_file(
    session: AsyncSession,
    filename: str,
    content: bytes,
    file_format: BankFileFormat | None,
    rules: PaymentsSettings,
    actor: Principal,
    *,
    today: date,
) -> ImportResult:
    digest = hashlib.sha256(content).hexdigest()
    await _refuse_if_imported(session, BankFile.sha256 == digest, "the same file")
    parsed = await read_off_loop(content, file_format, rules)
    await _refuse_if_imported(
        session,
        BankFile.content_key == parsed.content_key,
        "a file with the same records (only its creation time differs)",
    )
    bank_file = BankFile(
        filename=filename,
        format=parsed.format,
        sha256=digest,
        content_key=parsed.content_key,
        imported_by=actor.subject,
    )
    session.add(bank_file)
    await session.flush()
    result = ImportResult(bank_file)
    directory = await payer_directory(session)
    returned_lines = {r.line for r in parsed.returns}
    # A return's outcome (reversed, or why not) replaces the reader's note of it.
    problems = [
        p for p in parsed.problems if not (isinstance(p, NotAReceipt) and p.line in returned_lines)
    ]
    duplicates: list[dict[str, Any]] = []
    candidates = [(str(i), _money_of(r)) for i, r in enumerate(parsed.receipts)]
    earlier_of = await earlier_same_money(session, candidates, rules, by_bank_reference=True)
    # This file's own payments, by bank reference, for a transaction it repeats.
    in_file: dict[str, list[tuple[Payment, Receipt]]] = {}
    # Payments are written and applied a chunk at a time, all in the request's one transaction:
    # a file is recorded whole or (on an error that escapes) not at all.
    chunk: list[Payment] = []
    batch = RowBatch()
    posting_dates: dict[date, date] = {}
    for index, receipt in enumerate(parsed.receipts):
        money = candidates[index][1]
        earlier = earlier_of.get(str(index)) or next(
            (
                p
                for p, m in in_file.get(receipt.bank_reference or "", [])
                if same_money(m, money, rules.duplicate_window_days)
            ),
            None,
        )
        if earlier is not None:
            duplicates.append(
                {
                    "line": receipt.line,
                    "bank_reference": receipt.bank_reference,
                    "earlier_payment_id": str(earlier.id),
                    "earlier_bank_file_id": str(earlier.bank_file_id)
                    if earlier.bank_file_id
                    else None,
                }
            )
            continue
        try:
            check_not_ahead(
                receipt.received_on,
                today=today,
                tolerance_days=rules.max_future_days,
                what="the received date",
            )
            data = _payment_in(receipt)
        except TooFarAhead as exc:
            problems.append(LineProblem(receipt.line, exc.detail))
            continue
        except ValidationError as exc:
            problems.append(LineProblem(receipt.line, "; ".join(e["msg"] for e in exc.errors())))
            continue
        payment = await add_bank_payment(
            session,
            data,
            BankOrigin(receipt.bank_reference, bank_file.id, receipt.line),
            rules,
            actor,
            posting_dates,
            batch,
        )
        result.payments.append(payment)
        chunk.append(payment)
        if receipt.bank_reference:
            in_file.setdefault(receipt.bank_reference, []).append((payment, money))
        if len(chunk) == rules.bank_file_chunk_entries:
            await apply_bank_payments(session, chunk, rules, directory, batch)
            chunk = []
        if index % _YIELD_EVERY == 0:
            # The loop serves other requests meanwhile: no stretch of this work holds it long.
            await asyncio.sleep(0)
    await apply_bank_payments(session, chunk, rules, directory, batch)
    reversals = await _reverse_returns(session, parsed, filename, rules, actor, problems)
    refused = [p for p in problems if not isinstance(p, NotAReceipt)]
    if refused and not result.payments and not duplicates and not reversals:
        # Rolled back with the request: a file that recorded nothing leaves nothing behind.
        first = min(refused, key=lambda p: p.line)
        raise MalformedFile(
            f"nothing in the file could be read: {len(refused)} entr"
            f"{'y' if len(refused) == 1 else 'ies'} refused, the first on line {first.line}: "
            f"{first.message}",
            refused=_refused(refused),
        )
    bank_file.payments = len(result.payments)
    bank_file.errors = _refused(problems)
    bank_file.duplicates = duplicates
    bank_file.reversals = reversals
    record_change(
        session,
        actor=actor,
        action="bank_file_imported",
        entity_type="bank_file",
        entity_id=str(bank_file.id),
        changes={
            "filename": filename,
            "format": parsed.format,
            "sha256": digest,
            "payments": bank_file.payments,
            "errors": len(problems),
            "duplicates": len(duplicates),
            "reversals": len(reversals),
        },
    )
    return result
