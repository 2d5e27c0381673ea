"""A query narrowed to what the caller's token may reach (`shared.auth.Scope`).

Every scoped read and write goes through a table's `Reach` (or `within`/`admitted`, for a read
built from a list of conditions): a list shows only the rows in scope, and a single object outside
it is simply not found (`Reach.one`: a 404 like an unknown id, so its existence does not leak). A
table that keeps no customer or no district passes `None` for it: a token limited by it then
reaches none of its rows, rather than all of them. A table that keeps only the customer finds the
district in the service's own copy of the customer, or the document it belongs to (`district_of`).
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from shared.api.problems import NotFound
from shared.auth import Scope

S = TypeVar("S", bound=Select[Any])
T = TypeVar("T")


def admitted(
    scope: Scope, *, customer: Any | None, district: Any | None = None
) -> list[ColumnElement[bool]]:
    """The conditions keeping only rows whose `customer` (and `district`) the scope admits."""
    conditions: list[ColumnElement[bool]] = []
    if scope.customer_id is not None:
        conditions.append(false() if customer is None else customer == scope.customer_id)
    if scope.districts is not None:
        conditions.append(false() if district is None else district.in_(sorted(scope.districts)))
    return conditions


def within(statement: S, scope: Scope, *, customer: Any, district: Any | None = None) -> S:
    """`statement` keeping only rows whose `customer` (and `district`) column the scope admits."""
    conditions = admitted(scope, customer=customer, district=district)
    return statement.where(*conditions) if conditions else statement


def district_of(key: Any, *, id_column: Any, district_column: Any) -> Any:
    """The district of the row `key` names in another table (the service's copy of the customer,
    or the invoice a credit memo credits): an expression `within` takes as the row's district."""
    return select(district_column).where(id_column == key).scalar_subquery()


@dataclass(frozen=True)
class Reach:
    """What a table's rows are judged by against a scope: the column naming each row's customer
    and its district (a column, a `district_of` expression, or None when it has none)."""

    customer: Any
    district: Any | None = None

    def filter(self, statement: S, scope: Scope) -> S:
        """`statement` keeping only the rows in scope."""
        return within(statement, scope, customer=self.customer, district=self.district)

    async def one(
        self,
        session: AsyncSession,
        statement: SelectOfScalar[T],
        scope: Scope,
        *,
        missing: str,
        lock: bool = False,
    ) -> T:
        """The row `statement` picks, or a 404 saying `missing` when there is none or it is
        outside the scope: the same answer for both, so another customer's object does not leak."""
        statement = self.filter(statement, scope)
        if lock:
            statement = statement.with_for_update()
        row = (await session.exec(statement)).first()
        if row is None:
            raise NotFound(missing)
        return row
