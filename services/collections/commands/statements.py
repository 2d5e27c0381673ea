"""Sending a customer their statement of account by email."""

import uuid
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.commands.dunning import recipients_of
from services.collections.documents import letters
from services.collections.documents.statements import statement
from services.collections.domain.work import ActivityKind
from services.collections.models import Activity
from services.collections.settings import CollectionsSettings
from shared import mail
from shared.api.problems import BusinessRuleViolation
from shared.auth import Principal


async def send_statement(
    session: AsyncSession,
    settings: CollectionsSettings,
    customer_id: uuid.UUID,
    as_of: date,
    actor: Principal,
    *,
    now: datetime,
) -> list[str]:
    """Email the statement as of `as_of`; the activity is stamped `now`, when it was sent."""
    account, _, letter = await statement(session, settings, customer_id, as_of, scope=actor.scope)
    recipients = recipients_of(account)
    if not recipients:
        raise BusinessRuleViolation("the customer has no contact with an email address")
    session.add(
        Activity(
            customer_id=customer_id,
            kind=ActivityKind.EMAIL,
            occurred_at=now,
            outcome=f"Statement as of {as_of} sent to {', '.join(recipients)}",
            recorded_by=actor.subject,
        )
    )
    await session.flush()
    message = letters.email(
        letter,
        settings.smtp,
        settings.company,
        recipients=recipients,
        filename=f"statement-{account.account_number}-{as_of}.pdf",
    )
    await mail.send(
        message, settings.smtp, name=f"statement-{account.account_number}-{uuid.uuid4()}"
    )
    return recipients
