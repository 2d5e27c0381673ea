"""The unbilled monitor: tickets closed more than N days ago that no invoice has billed yet,
and beside them the rent and storage customers have earned and the billable third-party costs
posted for them, not billed yet."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.collections.models import CollectionAccount, UnbilledRental, UnbilledTicket


@dataclass
class UnbilledGroup:
    business_district: str
    sales_rep: str
    currency: str
    tickets: list[UnbilledTicket]
    rental: Decimal = Decimal(0)
    storage: Decimal = Decimal(0)
    pass_through: Decimal = Decimal(0)

    @property
    def amount_at_risk(self) -> Decimal:
        return sum((t.amount for t in self.tickets), self.rental + self.storage + self.pass_through)


async def stale_unbilled(
    session: AsyncSession, as_of: date, older_than_days: int
) -> list[UnbilledGroup]:
    """Tickets closed on or before as_of − N days and not invoiced by as_of, by district and
    sales rep, oldest first within each."""
    tickets = (
        await session.exec(
            select(UnbilledTicket)
            .where(
                col(UnbilledTicket.closed_on) <= as_of - timedelta(days=older_than_days),
                or_(
                    col(UnbilledTicket.invoiced_on).is_(None),
                    col(UnbilledTicket.invoiced_on) > as_of,
                ),
            )
            .order_by(
                col(UnbilledTicket.business_district),
                col(UnbilledTicket.sales_rep),
                col(UnbilledTicket.currency),
                col(UnbilledTicket.closed_on),
                col(UnbilledTicket.ticket_id),
            )
        )
    ).all()
    groups: dict[tuple[str, str, str], UnbilledGroup] = {}
    for ticket in tickets:
        key = (ticket.business_district, ticket.sales_rep, ticket.currency)
        groups.setdefault(key, UnbilledGroup(*key, [])).tickets.append(ticket)
    # Rent accrues daily, so it has no age: the customer's latest figure by as_of counts (its
    # pass-through costs come in the same figure).
    rentals = await session.exec(
        select(UnbilledRental, CollectionAccount.business_district, CollectionAccount.sales_rep)
        .join(CollectionAccount, col(CollectionAccount.id) == col(UnbilledRental.customer_id))
        .where(col(UnbilledRental.as_of) <= as_of)
    )
    for rental, district, sales_rep in rentals.all():
        if not rental.rental and not rental.storage and not rental.pass_through:
            continue
        key = (district, sales_rep or "", rental.currency)  # no rep: as tickets show it
        group = groups.setdefault(key, UnbilledGroup(*key, []))
        group.rental += rental.rental
        group.storage += rental.storage
        group.pass_through += rental.pass_through
    return [groups[key] for key in sorted(groups)]
