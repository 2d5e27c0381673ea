"""Cursor pagination with a stable order: the cursor holds the sort key of the last row returned."""

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel.ext.asyncio.session import AsyncSession

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
        raise InvalidCursor("the cursor is not one this API issued; start again without it") from exc


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
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
