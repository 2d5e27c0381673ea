"""The sales system's rental events: on rent, off rent and asset moves, with the same rules
as the API; an event the rules refuse is dead-lettered with the reason."""

from services.invoicing.commands.assets import move_asset
from services.invoicing.commands.rentals import contract_line, put_on_rent, take_off_rent
from services.invoicing.domain.rentals.assets import AssetStatus
from services.invoicing.domain.rentals.rates import RentalRuleBroken
from services.invoicing.schemas.assets import AssetMoveIn
from shared.api.problems import Problem
from shared.clock import check_not_ahead
from shared.events.catalog import EventPayload
from shared.events.envelope import EventEnvelope
from shared.events.sales import SalesAssetMoved, SalesRentalEnded, SalesRentalStarted
from shared.inbox import EventHandler, HandlerContext, PoisonMessage


async def on_rental_started(
    context: HandlerContext, envelope: EventEnvelope, event: SalesRentalStarted
) -> None:
    try:
        today = context.clock.today()
        check_not_ahead(
            event.on_rent_date,
            today=today,
            tolerance_days=context.settings.max_future_days,
            what="the on-rent date",
        )
        contract, line = await contract_line(
            context.session, event.contract_number, event.line_number, event.customer_id
        )
        if event.asset_id is not None and event.asset_id != line.asset_id:
            raise RentalRuleBroken(f"line {line.line_number} rents {line.asset_id or 'a class'}")
        await put_on_rent(context.session, contract, line, event.on_rent_date, today, None)
    except Problem as exc:
        # No retry makes an unknown contract or a date years ahead right: dead-letter it with
        # the reason, for the sales system's owners to fix and replay.
        raise PoisonMessage(f"{exc.slug}: {exc.detail}") from exc


async def on_rental_ended(
    context: HandlerContext, envelope: EventEnvelope, event: SalesRentalEnded
) -> None:
    try:
        today = context.clock.today()
        check_not_ahead(
            event.off_rent_date,
            today=today,
            tolerance_days=context.settings.max_future_days,
            what="the off-rent date",
        )
        contract, line = await contract_line(
            context.session, event.contract_number, event.line_number, event.customer_id
        )
        await take_off_rent(
            context.session,
            contract,
            line,
            event.off_rent_date,
            event.meter_hours,
            today,
            None,
            settings=context.settings,
            clock=context.clock,
        )
    except Problem as exc:
        raise PoisonMessage(f"{exc.slug}: {exc.detail}") from exc


async def on_asset_moved(
    context: HandlerContext, envelope: EventEnvelope, event: SalesAssetMoved
) -> None:
    try:
        today = context.clock.today()
        check_not_ahead(
            event.effective_on,
            today=today,
            tolerance_days=context.settings.max_future_days,
            what="the move date",
        )
        move = AssetMoveIn(
            status=AssetStatus(event.status),
            effective_on=event.effective_on,
            district=event.district,
            note=event.note,
        )
        await move_asset(context.session, event.asset_id, move, today, None)
    except Problem as exc:
        raise PoisonMessage(f"{exc.slug}: {exc.detail}") from exc


HANDLERS: dict[type[EventPayload], EventHandler] = {
    SalesRentalStarted: on_rental_started,
    SalesRentalEnded: on_rental_ended,
    SalesAssetMoved: on_asset_moved,
}
