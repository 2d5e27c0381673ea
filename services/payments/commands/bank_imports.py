"""Importing a bank or lockbox file: each receipt in it becomes a payment (and goes through cash
application). The same file sent again, or a transaction already imported (same bank reference),
is recognised and not recorded twice; the answer names the earlier import."""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.payments.commands.cash_application import payer_directory
from services.payments.commands.receipts import record_payment
from services.payments.domain.bank_files.model import BankReceipt, LineProblem
from services.payments.domain.bank_files.reading import BankFileFormat, read_bank_file
from services.payments.models import BankFile, Payment
from services.payments.schemas import PaymentIn, RemittanceLineIn
from services.payments.settings import PaymentsSettings
from shared.api.problems import Conflict
from shared.audit import record_change
from shared.auth import Principal


class DuplicateFile(Conflict):
    slug, title = "duplicate-bank-file", "This file was imported before"


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
    parsed = read_bank_file(content, file_format, rules.lockbox, rules.bank_currency)
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
    bank_file.payments = len(result.payments)
    bank_file.errors = [
        {"line": p.line, "message": p.message} for p in sorted(problems, key=lambda p: p.line)
    ]
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
