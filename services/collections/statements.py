"""Statements of account: a customer's open items as of a date, as a PDF and by email."""

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections import letters, mail
from services.collections.aging import AgedItem, AgingQuery, aged_items
from services.collections.dunning import recipients_of
from services.collections.models import Activity, CollectionAccount
from services.collections.settings import CollectionsSettings
from shared.api.problems import BusinessRuleViolation, NotFound
from shared.auth import Principal


async def statement(
    session: AsyncSession, settings: CollectionsSettings, customer_id: uuid.UUID, as_of: date
) -> tuple[CollectionAccount, list[AgedItem], letters.Letter]:
    account = await session.get(CollectionAccount, customer_id)
    if account is None:
        raise NotFound(f"no collection account for customer {customer_id}")
    items = await aged_items(
        session, AgingQuery(as_of=as_of, customer_id=customer_id), limit=10_000
    )
    total = sum((i.balance for i in items), Decimal(0))
    past_due = sum((i.balance for i in items if i.bucket and i.balance > 0), Decimal(0))
    names = [c["name"] for c in account.contacts if c.get("email")]
    body = letters.render(
        "statement.txt.j2",
        contact_name=names[0] if names else "Accounts Payable",
        customer_name=account.legal_name,
        as_of=as_of.isoformat(),
        amount=f"{total:,.2f}",
        past_due=f"{past_due:,.2f}",
        currency=account.currency,
        company=settings.company_name,
    )
    letter = letters.Letter(
        title="Statement of account",
        customer_name=account.legal_name,
        account_number=account.account_number,
        as_of=as_of,
        body=body,
        currency=account.currency,
        total=total,
        lines=[
            letters.LetterLine(
                i.item.number or i.item.kind,
                i.item.document_date,
                i.item.due_date,
                i.days_past_due,
                i.balance,
            )
            for i in items
        ],
    )
    return account, items, letter


async def send_statement(
    session: AsyncSession,
    settings: CollectionsSettings,
    customer_id: uuid.UUID,
    as_of: date,
    actor: Principal,
) -> list[str]:
    account, _, letter = await statement(session, settings, customer_id, as_of)
    recipients = recipients_of(account)
    if not recipients:
        raise BusinessRuleViolation("the customer has no contact with an email address")
    session.add(
        Activity(
            customer_id=customer_id,
            kind="email",
            occurred_at=datetime.combine(as_of, time(), tzinfo=UTC),
            outcome=f"Statement as of {as_of} sent to {', '.join(recipients)}",
            recorded_by=actor.subject,
        )
    )
    await session.flush()
    message = letters.email(
        letter,
        sender=settings.smtp_sender,
        recipients=recipients,
        filename=f"statement-{account.account_number}-{as_of}.pdf",
    )
    await mail.send(message, settings, f"statement-{account.account_number}-{uuid.uuid4()}")
    return recipients
