"""The throwaway PostgreSQL server: databases can be created and NUMERIC is exact."""

from __future__ import annotations

import uuid
from decimal import Decimal

import asyncpg
import pytest

from deploy.local_infra import PostgresServer

pytestmark = pytest.mark.postgres


async def test_numeric_round_trips_decimal_exactly(postgres_server: PostgresServer) -> None:
    database = f"smoke_{uuid.uuid4().hex[:8]}"
    postgres_server.create_database(database)
    postgres_server.create_database(database)  # idempotent
    assert postgres_server.url(database) == (
        f"postgresql+asyncpg://postgres@127.0.0.1:{postgres_server.port}/{database}"
    )

    conn = await asyncpg.connect(
        host=postgres_server.host,
        port=postgres_server.port,
        user=postgres_server.user,
        database=database,
    )
    try:
        await conn.execute("CREATE TABLE amounts (amount NUMERIC(20, 4) NOT NULL)")
        amount = Decimal("12345678901234.5678")
        await conn.execute("INSERT INTO amounts VALUES ($1)", amount)
        stored = await conn.fetchval("SELECT amount FROM amounts")
    finally:
        await conn.close()
    assert isinstance(stored, Decimal)
    assert str(stored) == str(amount)
