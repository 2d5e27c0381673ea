"""A dunning run: for each customer with overdue items, the next letter: one stage above the last
one sent, as far as the oldest item's age allows, and never twice in a day.

Disputed amounts are left out (and said so), a customer under a live promise is left alone, and
a balance under the minimum is not worth a letter. Each letter is rendered from its stage's
template, sent as a PDF by email, recorded as a letter activity and published as
`DunningNoticeSent`.
"""

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
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
from services.collections.queries.dunning import (
    disputed_invoices,
    letters_sent,
    promising_customers,
)
from services.collections.queries.ledger import items_by_id
from services.collections.queries.worklist import PastDueItem, past_due_items
from services.collections.settings import CollectionsSettings
from shared import mail
from shared.auth import Principal
from shared.documents import format_money
from shared.events.collections import DunningNoticeSent

STAGES = {1: "friendly_reminder", 2: "second_notice", 3: "past_due_notice", 4: "final_notice"}
TITLES = {1: "Payment reminder", 2: "Second notice", 3: "Past due notice", 4: "Final notice"}


@dataclass(frozen=True)
class SetAside:
    """Part of an overdue invoice left out of the letter: under open dispute."""

    invoice_id: uuid.UUID
    currency: str
    amount: Decimal


@dataclass
class RunResult:
    sent: list[DunningNotice] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # customer id → why
    set_aside: dict[str, list[SetAside]] = field(default_factory=dict)  # customer id → what


def recipients_of(account: CollectionAccount | None) -> list[str]:
    if account is None:
        return []
    with_email = [c for c in account.contacts if c.get("email")]
    billing = [c for c in with_email if c.get("receives_invoices")]
    return [c["email"] for c in (billing or with_email)]


def _this_round(letters: list[DunningNotice], overdue: list[PastDueItem]) -> list[DunningNotice]:
    """The letters of this round of chasing: those naming an invoice that is still overdue (a
    customer who paid up and fell behind again starts over with a reminder)."""
    owing = {str(i.item_id) for i in overdue}
    return [n for n in letters if owing.intersection(n.invoice_ids)]


def _undisputed(
    items: list[PastDueItem], currency: str, disputed: dict[uuid.UUID, Decimal]
) -> tuple[list[PastDueItem], list[SetAside]]:
    """What is left to dun of each item once its disputed amount is set aside, and what was."""
    chased, set_aside = [], []
    for item in items:
        held = min(disputed.get(item.item_id, Decimal(0)), item.balance)
        if held > 0:
            set_aside.append(SetAside(item.item_id, currency, held))
        if item.balance > held:
            chased.append(replace(item, balance=item.balance - held))
    return chased, set_aside


async def run_dunning(
    session: AsyncSession,
    settings: CollectionsSettings,
    actor: Principal,
    *,
    as_of: date,
    now: datetime,
    business_district: str | None = None,
) -> RunResult:
    overdue = await past_due_items(session, as_of, business_district=business_district)
    disputed = await disputed_invoices(session)
    promising = await promising_customers(session, as_of)
    sent_before = await letters_sent(session, as_of)
    interval = timedelta(days=settings.dunning_interval_days)
    result = RunResult()
    for (customer_id, currency), items in sorted(overdue.items(), key=lambda kv: str(kv[0][0])):
        chased, set_aside = _undisputed(items, currency, disputed)
        if set_aside:
            result.set_aside.setdefault(str(customer_id), []).extend(set_aside)
        total = sum((i.balance for i in chased), Decimal(0))
        account = await session.get(CollectionAccount, customer_id)
        previous = _this_round(sent_before.get((customer_id, currency), []), items)
        last = rules.LetterSent(previous[-1].stage, previous[-1].sent_on) if previous else None
        reached = (
            rules.dunning_stage(chased[0].days_past_due, settings.dunning_stage_days)
            if chased
            else None
        )
        stage = rules.letter_stage(reached, last)
        reason = rules.reason_not_to_dun(
            live_promise=customer_id in promising,
            undisputed=total if chased else None,
            minimum=settings.dunning_minimum,
            stage=stage,
            has_email=bool(recipients_of(account)),
            last=last,
            as_of=as_of,
            interval=interval,
        )
        if reason is not None:
            result.skipped[str(customer_id)] = reason
            continue
        assert stage is not None and account is not None
        letter = Dunning(account, currency, stage, chased, total, previous, set_aside)
        result.sent.append(await _send(session, settings, actor, letter, as_of, now))
    return result


@dataclass(frozen=True)
class Dunning:
    """One letter to write: to whom, at which stage, for what, after which earlier letters."""

    account: CollectionAccount
    currency: str
    stage: int
    items: list[PastDueItem]
    total: Decimal
    previous: list[DunningNotice]
    set_aside: list[SetAside]


def _sent_before(previous: list[DunningNotice]) -> str:
    """ "our payment reminder of 2026-11-02 and our second notice of 2026-11-12" """
    said = [f"our {TITLES[n.stage].lower()} of {n.sent_on.isoformat()}" for n in previous]
    if len(said) < 2:
        return "".join(said)
    return f"{', '.join(said[:-1])} and {said[-1]}"


async def _send(
    session: AsyncSession,
    settings: CollectionsSettings,
    actor: Principal,
    dunning: Dunning,
    as_of: date,
    now: datetime,
) -> DunningNotice:
    account, currency, stage, items, total = (
        dunning.account, dunning.currency, dunning.stage, dunning.items, dunning.total
    )  # fmt: skip
    documents = {i.id: i for i in await items_by_id(session, [i.item_id for i in items])}
    set_aside_documents = await items_by_id(session, [s.invoice_id for s in dunning.set_aside])
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
        sent_before=_sent_before(dunning.previous),
        set_aside=format_money(sum((s.amount for s in dunning.set_aside), Decimal(0)), currency),
        set_aside_invoices=", ".join(d.number or "" for d in set_aside_documents),
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
            occurred_at=now,
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
        settings.company,
        recipients=recipients,
        filename=f"{STAGES[stage]}-{account.account_number}.pdf",
    )
    await session.flush()  # the records are written before the letter leaves
    await mail.send(message, settings.smtp, name=str(notice.id))
    return notice
