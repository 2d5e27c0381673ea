"""Alembic migrations per service, each with its own version table, run on the service's engine.

`python -m shared.migrations revision customers "add X"` writes a new revision by comparing the
service's models with a scratch database migrated to head; review it before committing.
"""

import argparse
import asyncio
import importlib
import tempfile
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON
from sqlalchemy.engine import Connection
from sqlmodel.sql.sqltypes import AutoString

from shared.db import Database, DecimalType, UTCDateTime
from shared.tables import MechanismTable


def _config(connection: Connection, migrations_dir: Path, version_table: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["connection"] = connection
    config.attributes["version_table"] = version_table
    return config


async def upgrade(db: Database, migrations_dir: Path, version_table: str) -> None:
    """Apply the service's migrations up to head, in one transaction."""
    async with db.engine.begin() as conn:
        await conn.run_sync(
            lambda sync: command.upgrade(_config(sync, migrations_dir, version_table), "head")
        )


async def autogenerate(
    db: Database, migrations_dir: Path, version_table: str, message: str
) -> None:
    await upgrade(db, migrations_dir, version_table)
    async with db.engine.begin() as conn:
        await conn.run_sync(
            lambda sync: command.revision(
                _config(sync, migrations_dir, version_table), message=message, autogenerate=True
            )
        )


def _render_type(kind: str, obj: Any, autogen: Any) -> str | Literal[False]:
    """Write our column types into new revisions so they import and mean the same."""
    if kind != "type":
        return False
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})"
    if isinstance(obj, JSON):
        autogen.imports.add("from shared import db as shared_db")
        return "shared_db.JSONColumn"
    if isinstance(obj, (DecimalType, UTCDateTime)):
        autogen.imports.add("from shared import db as shared_db")
        return f"shared_db.{obj!r}"
    return False


def _not_a_mechanism_table(
    obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    # Shared tables come from `create_mechanism_tables`, not from each service's revisions.
    return not (kind == "table" and name in MechanismTable.metadata.tables)


def run_migrations_in_env(target_metadata: Any) -> None:
    """Body of every service's Alembic env.py: migrate on the connection given above."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through the service (it migrates on start) or "
            "`python -m shared.migrations`, which hand Alembic its connection"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=context.config.attributes["version_table"],
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_type,
        include_object=_not_a_mechanism_table,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a new migration for a service")
    parser.add_argument("action", choices=["revision"])
    parser.add_argument("service", help="e.g. customers")
    parser.add_argument("message")
    args = parser.parse_args()
    definition = importlib.import_module(f"services.{args.service}.service").definition
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite+aiosqlite:///{scratch}/scratch.db")
        asyncio.run(autogenerate(db, definition.migrations, definition.version_table, args.message))


if __name__ == "__main__":
    main()
