"""Database access shared by every service: one async engine per service database.

PostgreSQL through asyncpg when distributed, SQLite through aiosqlite when embedded. Column types
here keep money exact and timestamps in UTC on both.
"""

import uuid
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

from pydantic_core import PydanticUndefined
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    event,
    insert,
    or_,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, ColumnElement, Executable
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

# A JSON column: JSONB on PostgreSQL (indexable), plain JSON elsewhere.
JSONColumn = JSON().with_variant(JSONB(), "postgresql")
# An auto-incrementing 64-bit key; SQLite only auto-increments INTEGER PRIMARY KEY.
BigIntKey = BigInteger().with_variant(Integer(), "sqlite")


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def on_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


IN_LIST_SIZE = 5000  # asyncpg takes at most 32,767 bind parameters per statement


def chunks(values: Sequence[Any], size: int = IN_LIST_SIZE) -> Iterator[Sequence[Any]]:
    """`values` in slices small enough for one statement's IN list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def text_search(q: str, *columns: Any) -> ColumnElement[bool]:
    """Rows where any of `columns` contains `q`, ignoring case. A `%` or `_` the user typed is a
    character to find, not a wildcard (escaped the same way in every service)."""
    return or_(*(col(column).icontains(q, autoescape=True) for column in columns))


class DecimalType(TypeDecorator[Decimal]):
    """NUMERIC on PostgreSQL; text on SQLite, whose NUMERIC would store a float and lose cents."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 19, scale: int = 4) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(48))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money and quantities are Decimal, never float")
        value = Decimal(value)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps; SQLite hands back naive values, which are UTC by construction."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Database:
    """An engine and session factory for one service's own database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self._ensure_sqlite_folder(url)
            # One connection per SQLite file: the embedded process serialises its writes itself
            # instead of meeting "database is locked" between its own tasks.
            self.engine: AsyncEngine = create_async_engine(
                url, pool_size=1, max_overflow=0, pool_timeout=60, connect_args={"timeout": 30}
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            # No pool_pre_ping: on asyncpg it costs three round trips (BEGIN, a ping, ROLLBACK)
            # on every checkout, more than a short request's own queries. A connection found
            # dead in use fails that one request; SQLAlchemy then discards all older ones.
            # Up to 20 connections, as before, but all kept once opened: an overflow connection
            # is closed at checkin, and opening one (with its prepared statements) takes tens of
            # milliseconds, so a steady dozen concurrent requests kept opening them.
            self.engine = create_async_engine(url, pool_size=20, max_overflow=0)
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @staticmethod
    def _ensure_sqlite_folder(url: str) -> None:
        path = url.split("///", 1)[-1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows, each with the same columns, in the session's transaction. On PostgreSQL
    with COPY: for the server one bulk load instead of an INSERT executed per row, which is what
    lets a consumer write thousands of rows a second. From async code:
    `await session.run_sync(insert_rows, table, rows)`."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    # The columns' own conversions (exact Decimal, UTC timestamps), as an INSERT would apply;
    # most columns have none.
    convert = [
        (index, to_db)
        for index, name in enumerate(columns)
        if (to_db := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    records = []
    for row in rows:
        values = [row[name] for name in columns]
        for index, to_db in convert:
            values[index] = to_db(values[index])
        records.append(values)
    # This runs in SQLAlchemy's greenlet, where await_only may wait for the driver.
    driver = await_only(_driver_in_transaction(connection.connection))
    await_only(driver.copy_records_to_table(table.name, records=records, columns=columns))


class RowBatch:
    """Rows that are only ever added (audit entries, outbox events, applications) gathered while
    a batch of work is decided, then written with `insert_rows` table by table, in the order each
    table was first added to (an outbox's events keep their order). A bulk import's thousands of
    rows are then no entities to build, track, flush and expire one by one."""

    def __init__(self) -> None:
        self._rows: dict[Table, list[dict[str, Any]]] = {}

    def add(self, model: Any, **values: Any) -> None:
        """A row of the table model's table: the values given, the model's defaults for the
        rest; a key the database numbers (the outbox's sequence) is left to it."""
        row = dict(values)
        for name, default, factory in _defaults(model):
            if name not in row:
                row[name] = factory() if factory is not None else default
        self._rows.setdefault(model.__table__, []).append(row)

    async def write(self, session: AsyncSession) -> None:
        for table, rows in self._rows.items():
            await session.run_sync(insert_rows, table, rows)
        self._rows.clear()


@cache
def _defaults(model: Any) -> tuple[tuple[str, Any, Callable[[], Any] | None], ...]:
    """The model's columns with a default (a value or a factory), but a key the database
    numbers; built once, as asking pydantic for a default inspects its factory every time."""
    columns = model.__table__.columns
    return tuple(
        (name, field.default, field.default_factory)
        for name, field in model.model_fields.items()
        if name in columns
        and (field.default_factory is not None or field.default is not PydanticUndefined)
        and not (columns[name].primary_key and field.default is None)
    )


async def _driver_in_transaction(pooled: Any) -> Any:
    """The asyncpg connection under a pooled SQLAlchemy connection, inside the transaction.
    SQLAlchemy's asyncpg adapter sends BEGIN lazily, with its first statement; work sent to the
    driver directly must begin it the same way, or it would run outside the transaction (and
    commit on its own) while the session believes it holds it."""
    adapter = pooled.dbapi_connection
    if adapter._transaction is None:  # noqa: SLF001 - no public way to begin it lazily
        await adapter._start_transaction()  # noqa: SLF001
    return pooled.driver_connection


class Prepared:
    """A Core statement for a hot path: on PostgreSQL it runs straight on the session's asyncpg
    connection, inside the session's transaction, compiled once and prepared once per
    connection, with the columns' own conversions applied to the parameters. For a short request
    SQLAlchemy's execution layer (compile-cache lookup, execution context, result wrapping,
    greenlet hops) costs several times what asyncpg does. Elsewhere (SQLite) it runs through
    the session as any statement does. Rows come back as tuples of the columns' Python values.
    Parameters are named by their `bindparam`; expanding (IN-list) parameters are not
    supported."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: tuple[str, list[tuple[str, Any, Any]]] | None = None

    async def run(self, session: AsyncSession, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        """The rows the statement returns (none for a plain INSERT or UPDATE). Like a query
        through the session, it first flushes what the session holds pending."""
        if session.autoflush and (session.new or session.dirty or session.deleted):
            await session.flush()
        transaction = session.sync_session.get_transaction()
        known = session.info.get(_DRIVER)
        if known is not None and transaction is not None and known[0]() is transaction:
            driver, dialect = known[1], known[2]
        else:
            connection = await session.connection()
            dialect = connection.dialect
            if dialect.name != "postgresql":
                result = await connection.execute(self.statement, params)
                return result.all() if result.returns_rows else []
            driver = await _driver_in_transaction(await connection.get_raw_connection())
            # The same connection serves the rest of this transaction: later statements skip
            # the two greenlet hops that find it. A weak reference: a strong one would tie the
            # session and its transaction in a cycle that only the garbage collector frees.
            begun = weakref.ref(session.sync_session.get_transaction())  # type: ignore[arg-type]
            session.info[_DRIVER] = (begun, driver, dialect)
        sql, binds = self._compiled or self._compile(dialect)
        args = []
        for name, fixed, to_db in binds:
            value = params[name] if fixed is _REQUIRED else fixed
            args.append(value if to_db is None else to_db(value))
        return await driver.fetch(sql, *args)  # type: ignore[no-any-return]

    def _compile(self, dialect: Dialect) -> tuple[str, list[tuple[str, Any, Any]]]:
        compiled = cast(SQLCompiler, cast(ClauseElement, self.statement).compile(dialect=dialect))
        binds = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"{name}: expanding parameters are not supported")
            fixed = _REQUIRED if bind.required else bind.effective_value
            binds.append((name, fixed, bind.type.dialect_impl(dialect).bind_processor(dialect)))
        self._compiled = (compiled.string, binds)
        return self._compiled


_REQUIRED = object()  # marks a parameter given at each call, not fixed in the statement
_DRIVER = "prepared.driver"  # session.info: the transaction and the driver connection it holds
