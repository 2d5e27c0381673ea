"""Cursor pagination with a stable order: the cursor holds the sort key of the last row returned."""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from shared.api.problems import Problem

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; absent on the last page"
    )


class InvalidCursor(Problem):
    status, slug, title = 400, "invalid-cursor", "Invalid cursor"


def _encode(values: list[Any]) -> str:
    raw = json.dumps([str(value) for value in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, columns: list[InstrumentedAttribute[Any]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("wrong shape")
        return [
            TypeAdapter(column.type.python_type).validate_python(value)
            for column, value in zip(columns, values, strict=True)
        ]
    except (ValueError, ValidationError) as exc:
        raise InvalidCursor(
            "the cursor is not one this API issued; start again without it"
        ) from exc


async def paginate(
    session: AsyncSession,
    statement: SelectOfScalar[Any],
    *,
    order_by: list[InstrumentedAttribute[Any]],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """Rows after `cursor` in ascending `order_by` (whose last column must be unique)."""
    if cursor:
        statement = statement.where(tuple_(*order_by) > tuple_(*_decode(cursor, order_by)))
    rows = list((await session.exec(statement.order_by(*order_by).limit(limit + 1))).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, _encode([getattr(last, column.key) for column in order_by])


@dataclass(frozen=True)
class PageParams:
    cursor: str | None
    limit: int


def _page_params(
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PageParams:
    return PageParams(cursor, limit)


PageQuery = Annotated[PageParams, Depends(_page_params)]


async def page_of(
    session: AsyncSession,
    statement: SelectOfScalar[Any],
    *,
    order_by: list[InstrumentedAttribute[Any]],
    params: PageParams,
    item: Callable[[Any], T],
) -> Page[T]:
    """One page of `statement`'s rows, each turned into an answer by `item`."""
    rows, next_cursor = await paginate(
        session, statement, order_by=order_by, cursor=params.cursor, limit=params.limit
    )
    return Page(items=[item(row) for row in rows], next_cursor=next_cursor)
