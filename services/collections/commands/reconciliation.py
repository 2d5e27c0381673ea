"""Reconciling the sales system's and the accounting system's AR with the ledger: a
reconciliation as of a day takes one file (or API call) per side, all or nothing; every
difference is classified and waits on the worklist until someone resolves it; a supervisor
other than the preparer signs the whole off (docs/domain.md#reconciliation)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.domain.reconciliation import (
    DifferenceClass,
    Resolution,
    RowError,
    Side,
    SourceRow,
    account_key,
    compare,
)
from services.collections.models import Reconciliation, ReconciliationDifference
from services.collections.queries.reconciliation import differences, ledger_against
from shared.api.problems import BusinessRuleViolation, Conflict, FieldError
from shared.audit import SYSTEM_ACTOR, record_change
from shared.auth import Principal
from shared.clock import Clock
from shared.money import money_text


class RowsRefused(BusinessRuleViolation):
    slug, title = "balance-rows-refused", "Rows of the balance file are refused"


class SignedOff(Conflict):
    slug, title = "reconciliation-signed-off", "The reconciliation is signed off"


def _totals(amounts: dict[str, Decimal]) -> dict[str, str]:
    return {c: money_text(v, c if len(c) == 3 else None) for c, v in sorted(amounts.items())}


async def start_reconciliation(
    session: AsyncSession, as_of: date, actor: Principal, *, clock: Clock
) -> Reconciliation:
    if as_of > clock.today():
        raise BusinessRuleViolation(f"{as_of} is ahead of today: reconcile a day that has ended")
    reconciliation = Reconciliation(as_of=as_of, prepared_by=actor.subject, created_at=clock.now())
    session.add(reconciliation)
    return reconciliation


def refuse_rows(errors: list[RowError]) -> RowsRefused:
    return RowsRefused(
        f"{len({e.row for e in errors})} rows are refused; nothing was imported",
        errors=[
            FieldError(field=f"row {e.row}: {e.field}", message=e.message, code="invalid")
            for e in errors
        ],
    )


async def import_side(
    session: AsyncSession,
    reconciliation: Reconciliation,
    side: Side,
    rows: list[SourceRow],
    actor: Principal,
    *,
    clock: Clock,
) -> list[ReconciliationDifference]:
    """Compare the side's rows with the ledger as of the reconciliation's day and record every
    difference. A timing difference is explained by its documents and reverses by itself; the
    others wait on the worklist."""
    if reconciliation.signed_off_by is not None:
        raise SignedOff("the reconciliation is signed off: start a new one")
    if side in reconciliation.sources:
        raise Conflict(f"the {side} balances are imported already: start a new reconciliation")
    view = await ledger_against(session, reconciliation.as_of, rows)
    currencies = view.currencies
    found = compare(side, reconciliation.as_of, view.rows, view.customers, view.listed)
    now = clock.now()
    recorded = []
    for d in found:
        timing = d.klass is DifferenceClass.TIMING
        recorded.append(
            ReconciliationDifference(
                reconciliation_id=reconciliation.id,
                side=side,
                account_number=d.account_number,
                customer_id=d.customer_id,
                currency=currencies.get(d.customer_id) if d.customer_id else None,
                klass=d.klass,
                held_by=d.held_by,
                document=d.document,
                source_amount=d.source_amount,
                ledger_amount=d.ledger_amount,
                difference=d.amount,
                explanation=d.explanation,
                rows=list(d.rows),
                documents=list(d.documents),
                resolution=Resolution.EXPLAINED if timing else Resolution.OPEN,
                resolution_note="dated across the cut-off: reverses by itself" if timing else None,
                resolved_by=SYSTEM_ACTOR if timing else None,
                resolved_at=now if timing else None,
            )
        )
    session.add_all(recorded)
    source_total: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        customer = view.customers.get(account_key(row.account_number))
        source_total[currencies.get(customer.customer_id, "?") if customer else "?"] += row.amount
    reconciliation.sources = {
        **reconciliation.sources,
        side: {
            "rows": len(rows),
            "customers": len(view.listed),
            "source_total": _totals(source_total),
            "ledger_total": _totals(view.totals),
            "differences": len(recorded),
            "imported_by": actor.subject,
            "imported_at": now.isoformat(),
        },
    }
    session.add(reconciliation)
    record_change(
        session,
        actor=actor,
        action="reconciliation.imported",
        entity_type="reconciliation",
        entity_id=str(reconciliation.id),
        changes={"side": side, "rows": len(rows), "differences": len(recorded)},
    )
    return recorded


async def resolve_difference(
    session: AsyncSession,
    reconciliation: Reconciliation,
    difference: ReconciliationDifference,
    resolution: Resolution,
    note: str,
    adjusting_document: str | None,
    actor: Principal,
    *,
    clock: Clock,
) -> ReconciliationDifference:
    if reconciliation.signed_off_by is not None:
        raise SignedOff("the reconciliation is signed off: its differences stand as resolved")
    if resolution is Resolution.OPEN:
        raise BusinessRuleViolation("a resolution explains, adjusts or escalates the difference")
    if (resolution is Resolution.ADJUSTED) != (adjusting_document is not None):
        raise BusinessRuleViolation(
            "an adjustment names the document that corrects it, and only an adjustment does"
        )
    difference.resolution = resolution
    difference.resolution_note = note
    difference.adjusting_document = adjusting_document
    difference.resolved_by = actor.subject
    difference.resolved_at = clock.now()
    session.add(difference)
    record_change(
        session,
        actor=actor,
        action="reconciliation.difference_resolved",
        entity_type="reconciliation",
        entity_id=str(reconciliation.id),
        changes={
            "difference": str(difference.id),
            "resolution": resolution,
            "adjusting_document": adjusting_document,
        },
        reason=note,
    )
    return difference


async def sign_off(
    session: AsyncSession, reconciliation: Reconciliation, actor: Principal, *, clock: Clock
) -> Reconciliation:
    """Both sides imported and every difference resolved; the signer is neither who prepared
    the reconciliation nor who imported a side."""
    if reconciliation.signed_off_by is not None:
        raise SignedOff(f"signed off already by {reconciliation.signed_off_by}")
    missing = [s.value for s in Side if s not in reconciliation.sources]
    if missing:
        raise BusinessRuleViolation(f"the {' and '.join(missing)} balances are not imported yet")
    preparers = {reconciliation.prepared_by} | {
        facts["imported_by"] for facts in reconciliation.sources.values()
    }
    if actor.subject in preparers:
        raise BusinessRuleViolation(
            "a reconciliation is signed off by someone who did not prepare it"
        )
    still_open = await differences(session, reconciliation.id, open_only=True)
    if still_open:
        raise BusinessRuleViolation(
            f"{len(still_open)} differences are not resolved yet",
            open_differences=[str(d.id) for d in still_open],
        )
    reconciliation.signed_off_by = actor.subject
    reconciliation.signed_off_at = clock.now()
    session.add(reconciliation)
    record_change(
        session,
        actor=actor,
        action="reconciliation.signed_off",
        entity_type="reconciliation",
        entity_id=str(reconciliation.id),
        changes={"as_of": reconciliation.as_of.isoformat()},
    )
    return reconciliation
