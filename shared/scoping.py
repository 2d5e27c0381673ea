"""A query narrowed to what the caller's token may reach (`shared.auth.Scope`).

Every scoped read and write goes through `within`: a list shows only the rows in scope, and a
single object outside it is simply not found (a 404 like an unknown id, so its existence does
not leak). A service that keeps no district on a table passes `district=None`: a token limited to
districts then reaches none of its rows, rather than all of them.
"""

from typing import Any, TypeVar

from sqlalchemy import false
from sqlalchemy.sql import Select

from shared.auth import Scope

S = TypeVar("S", bound=Select[Any])


def within(statement: S, scope: Scope, *, customer: Any, district: Any | None = None) -> S:
    """`statement` keeping only rows whose `customer` (and `district`) column the scope admits."""
    if scope.customer_id is not None:
        statement = statement.where(customer == scope.customer_id)
    if scope.districts is not None:
        if district is None:
            return statement.where(false())
        statement = statement.where(district.in_(sorted(scope.districts)))
    return statement
