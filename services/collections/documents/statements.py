"""Statements of account: a customer's open items as of a date, as a letter for the PDF."""

import uuid
from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.documents import letters
from services.collections.models import CollectionAccount
from services.collections.queries.accounts import get_account
from services.collections.queries.aging import AgedItem, AgingQuery, aged_items
from services.collections.settings import CollectionsSettings
from shared.auth import UNLIMITED, Scope
from shared.documents import format_money


async def statement(
    session: AsyncSession,
    settings: CollectionsSettings,
    customer_id: uuid.UUID,
    as_of: date,
    *,
    scope: Scope = UNLIMITED,
) -> tuple[CollectionAccount, list[AgedItem], letters.Letter]:
    """The customer's statement; a 404 when it is unknown or outside the caller's scope."""
    account = await get_account(session, customer_id, scope=scope)
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
        amount=format_money(total, account.currency),
        past_due=format_money(past_due, account.currency),
        currency=account.currency,
        company=settings.company.legal_name,
    )
    labels = AgingQuery(as_of=as_of).buckets.labels
    by_bucket = [Decimal(0)] * len(labels)
    for i in items:
        if i.bucket is not None:
            by_bucket[i.bucket] += i.balance
    credits = sum((i.balance for i in items if i.bucket is None), Decimal(0))
    letter = letters.Letter(
        title="Statement of account",
        customer_name=account.legal_name,
        account_number=account.account_number,
        as_of=as_of,
        body=body,
        currency=account.currency,
        total=total,
        remit_to=True,
        aging=[
            *(  # "over_120" prints as "Over 120"
                (label.replace("_", " ").capitalize(), amount)
                for label, amount in zip(labels, by_bucket, strict=True)
            ),
            ("Credits", credits),
            ("Balance", total),
        ],
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
