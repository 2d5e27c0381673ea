"""A dunning run: for each customer with overdue items, the letter its oldest item calls for.

Disputed items are left out, a customer under a live promise is left alone, and a balance under
the minimum is not worth a letter. Each letter is rendered from its stage's template, sent as a
PDF by email, recorded as a letter activity and published as `DunningNoticeSent`.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.documents import letters
from services.collections.domain import work as rules
from services.collections.models import (
    Activity,
    CollectionAccount,
    DunningNotice,
)
from services.collections.publishing import outbox
from services.collections.queries.dunning import disputed_invoices, promising_customers
from services.collections.queries.ledger import items_by_id
from services.collections.queries.worklist import PastDueItem, past_due_items
from services.collections.settings import CollectionsSettings
from shared import mail
from shared.auth import Principal
from shared.documents import format_money
from shared.events.collections import DunningNoticeSent

STAGES = {1: "friendly_reminder", 2: "second_notice", 3: "past_due_notice", 4: "final_notice"}
TITLES = {1: "Payment reminder", 2: "Second notice", 3: "Past due notice", 4: "Final notice"}


@dataclass
class RunResult:
    sent: list[DunningNotice] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # customer id → why


def recipients_of(account: CollectionAccount | None) -> list[str]:
    if account is None:
        return []
    with_email = [c for c in account.contacts if c.get("email")]
    billing = [c for c in with_email if c.get("receives_invoices")]
    return [c["email"] for c in (billing or with_email)]


async def run_dunning(
    session: AsyncSession,
    settings: CollectionsSettings,
    actor: Principal,
    *,
    as_of: date,
    business_district: str | None = None,
) -> RunResult:
    overdue = await past_due_items(session, as_of, business_district=business_district)
    disputed = await disputed_invoices(session)
    promising = await promising_customers(session, as_of)
    result = RunResult()
    for (customer_id, currency), items in sorted(overdue.items(), key=lambda kv: str(kv[0][0])):
        chased = [i for i in items if i.item_id not in disputed]
        total = sum((i.balance for i in chased), Decimal(0))
        account = await session.get(CollectionAccount, customer_id)
        stage = (
            rules.dunning_stage(chased[0].days_past_due, settings.dunning_stage_days)
            if chased
            else None
        )
        reason = rules.reason_not_to_dun(
            live_promise=customer_id in promising,
            undisputed=total if chased else None,
            minimum=settings.dunning_minimum,
            stage=stage,
            has_email=bool(recipients_of(account)),
        )
        if reason is not None:
            result.skipped[str(customer_id)] = reason
            continue
        assert stage is not None and account is not None
        result.sent.append(
            await _send(session, settings, actor, account, currency, stage, chased, total, as_of)
        )
    return result


async def _send(
    session: AsyncSession,
    settings: CollectionsSettings,
    actor: Principal,
    account: CollectionAccount,
    currency: str,
    stage: int,
    items: list[PastDueItem],
    total: Decimal,
    as_of: date,
) -> DunningNotice:
    documents = {i.id: i for i in await items_by_id(session, [i.item_id for i in items])}
    recipients = recipients_of(account)
    contact = next(
        (c["name"] for c in account.contacts if c.get("email") == recipients[0]), "Accounts Payable"
    )
    body = letters.render(
        f"dunning_{stage}.txt.j2",
        contact_name=contact,
        customer_name=account.legal_name,
        amount=format_money(total, currency),
        currency=currency,
        company=settings.company.legal_name,
    )
    letter = letters.Letter(
        title=TITLES[stage],
        customer_name=account.legal_name,
        account_number=account.account_number,
        as_of=as_of,
        body=body,
        currency=currency,
        total=total,
        lines=[
            letters.LetterLine(
                documents[i.item_id].number or "",
                documents[i.item_id].document_date,
                documents[i.item_id].due_date,
                i.days_past_due,
                i.balance,
            )
            for i in items
        ],
    )
    notice = DunningNotice(
        customer_id=account.id,
        stage=stage,
        currency=currency,
        amount_past_due=total,
        invoice_ids=[str(i.item_id) for i in items],
        sent_on=as_of,
        sent_to=recipients,
        sent_by=actor.subject,
    )
    session.add(notice)
    session.add(
        Activity(
            customer_id=account.id,
            kind=rules.ActivityKind.LETTER,
            occurred_at=datetime.combine(as_of, time(), tzinfo=UTC),
            outcome=f"{TITLES[stage]} sent to {', '.join(recipients)}",
            recorded_by=actor.subject,
        )
    )
    outbox.add(
        session,
        DunningNoticeSent(
            notice_id=notice.id,
            customer_id=account.id,
            currency=currency,
            stage=stage,
            stage_name=STAGES[stage],
            amount_past_due=total,
            invoice_ids=[i.item_id for i in items],
            sent_on=as_of,
            sent_to=recipients,
        ),
        customer_id=str(account.id),
        aggregate_id=str(notice.id),
    )
    message = letters.email(
        letter,
        settings.smtp,
        recipients=recipients,
        filename=f"{STAGES[stage]}-{account.account_number}.pdf",
    )
    await session.flush()  # the records are written before the letter leaves
    await mail.send(message, settings.smtp, name=str(notice.id))
    return notice
