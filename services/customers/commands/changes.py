"""How every change to a customer is recorded: the new revision, the audit entry and the
`CustomerUpdated` event, and the add/change/remove of the records a customer owns."""

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.customers import domain
from services.customers.models import Customer
from services.customers.publishing import publish_updated
from services.customers.schemas import AddressPatch, ContactPatch
from shared.api.problems import NotFound
from shared.audit import record_change
from shared.auth import Principal
from shared.clock import Clock


class _Owned(Protocol):
    id: uuid.UUID


Child = TypeVar("Child", bound=_Owned)


def as_json(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def set_fields(target: Any, updates: dict[str, Any]) -> dict[str, Any]:
    """Apply `updates` to `target`; the audit's {field: {from, to}} of what really changed."""
    changes = {
        field: {"from": getattr(target, field), "to": value}
        for field, value in updates.items()
        if getattr(target, field) != value
    }
    for field, value in updates.items():
        setattr(target, field, value)
    return changes


def child_of(children: Sequence[Child], child_id: uuid.UUID, what: str) -> Child:
    for child in children:
        if child.id == child_id:
            return child
    raise NotFound(f"no {what} {child_id} on this customer")


async def record(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    actor: Principal | None,
    action: str,
    changes: dict[str, Any],
    changed: list[str],
    reason: str | None,
) -> None:
    """The customer changed: a new revision, its audit entry and its `CustomerUpdated`."""
    domain.touch(customer, clock.now())
    await session.flush()
    await session.refresh(customer)  # children added or removed show in the snapshot
    record_change(
        session,
        actor=actor,
        action=action,
        entity_type="customer",
        entity_id=str(customer.id),
        changes=changes,
        reason=reason,
    )
    publish_updated(session, customer, changed)


async def add_child(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    actor: Principal,
    child: Child,
    data: BaseModel,
    *,
    action: str,
    section: str,
    what: str,
) -> Child:
    """Give the customer a new record (an address, a contact, a certificate) made from `data`."""
    session.add(child)
    await record(session, clock, customer, actor, action, {what: as_json(data)}, [section], None)
    return child


async def update_child(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    actor: Principal,
    child: Child,
    patch: AddressPatch | ContactPatch,
    *,
    action: str,
    section: str,
    rule: Callable[[], None] | None = None,
) -> Child:
    """Change the fields of one of the customer's records that the patch sends; `rule` checks
    the customer is still valid with them."""
    changes = set_fields(child, patch.model_dump(exclude_unset=True, exclude={"reason"}))
    if rule is not None:
        rule()
    if changes:
        await record(
            session,
            clock,
            customer,
            actor,
            action,
            {str(child.id): changes},
            [section],
            patch.reason,
        )
    return child


async def remove_child(
    session: AsyncSession,
    clock: Clock,
    customer: Customer,
    actor: Principal,
    children: list[Child],
    child: Child,
    *,
    action: str,
    section: str,
    reason: str | None,
) -> None:
    children.remove(child)
    await record(
        session, clock, customer, actor, action, {str(child.id): "removed"}, [section], reason
    )
