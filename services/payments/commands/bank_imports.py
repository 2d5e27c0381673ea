"""Importing a bank or lockbox file: each receipt in it becomes a payment (and goes through cash
application). The same file sent again, or a transaction already imported (same bank reference),
is recognised and not recorded twice; the answer names the earlier import. The file is read in a
process of its own, off the event loop, within a time and memory bound. A file from which nothing
could be recorded is refused whole, naming each line that was refused."""

import asyncio
import hashlib
import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from pydantic import ValidationError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.cash_application import payer_directory
from services.payments.commands.receipts import record_payment
from services.payments.domain.bank_files.bai2_reader import NotAReceipt
from services.payments.domain.bank_files.model import (
    BankReceipt,
    LineProblem,
    MalformedFile,
    ParsedFile,
)
from services.payments.domain.bank_files.reading import BankFileFormat, read_bank_file
from services.payments.models import BankFile, Payment
from services.payments.schemas import PaymentIn, RemittanceLineIn
from services.payments.settings import PaymentsSettings
from shared.api.problems import Conflict, Problem
from shared.audit import record_change
from shared.auth import Principal


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
        remittance=[
            RemittanceLineIn(
                invoice_number=i.invoice_number, amount_paid=i.amount_paid, discount=i.discount
            )
            for i in receipt.remittance
        ],
    )


async def _earlier(session: AsyncSession, bank_reference: str) -> Payment | None:
    statement = select(Payment).where(Payment.bank_reference == bank_reference)
    return (await session.exec(statement)).first()


async def import_bank_file(
    session: AsyncSession,
    filename: str,
    content: bytes,
    file_format: BankFileFormat | None,
    rules: PaymentsSettings,
    actor: Principal,
) -> ImportResult:
    digest = hashlib.sha256(content).hexdigest()
    earlier_file = (await session.exec(select(BankFile).where(BankFile.sha256 == digest))).first()
    if earlier_file is not None:
        raise DuplicateFile(
            f"the same file was imported on {earlier_file.imported_at:%Y-%m-%d %H:%M} UTC as "
            f"{earlier_file.filename!r}; nothing was recorded again",
            earlier_import=str(earlier_file.id),
        )
    parsed = await read_off_loop(content, file_format, rules)
    bank_file = BankFile(
        filename=filename, format=parsed.format, sha256=digest, imported_by=actor.subject
    )
    session.add(bank_file)
    await session.flush()
    result = ImportResult(bank_file)
    directory = await payer_directory(session)
    problems = list(parsed.problems)
    duplicates: list[dict[str, Any]] = []
    for receipt in parsed.receipts:
        earlier = (
            await _earlier(session, receipt.bank_reference) if receipt.bank_reference else None
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
            data = _payment_in(receipt)
        except ValidationError as exc:
            problems.append(LineProblem(receipt.line, "; ".join(e["msg"] for e in exc.errors())))
            continue
        result.payments.append(
            await record_payment(
                session,
                data,
                rules,
                actor,
                bank_reference=receipt.bank_reference,
                bank_file_id=bank_file.id,
                file_line=receipt.line,
                directory=directory,
            )
        )
    refused = [p for p in problems if not isinstance(p, NotAReceipt)]
    if refused and not result.payments and not duplicates:
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
        },
    )
    return result
