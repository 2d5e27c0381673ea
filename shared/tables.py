"""Tables every service database has: outbox, inbox, idempotency keys, audit trail and dead
letters, and the closed months every posting service keeps.

They live in their own SQLModel registry so that each service's metadata holds only its own
tables plus these. Each service's first migration creates the first five with
`create_mechanism_tables`; a table added later is created by its own shared step, called from a
revision of each service that needs it.
"""

import uuid
from datetime import date, datetime
from typing import Any

from alembic import op
from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.clock import utc_now
from shared.db import BigIntKey, JSONColumn, UTCDateTime, new_id


class MechanismTable(SQLModel, registry=registry()):
    pass


class OutboxMessage(MechanismTable, table=True):
    """An event written in the same transaction as the change it reports, waiting for the relay."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unsent", "sent_at", "seq"),)

    seq: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    event_id: uuid.UUID = Field(unique=True)
    topic: str = Field(max_length=200)
    key: str = Field(max_length=100)
    event_type: str = Field(max_length=100)
    envelope: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InboxRecord(MechanismTable, table=True):
    """An event a consumer has applied; inserted in the same transaction as the effect."""

    __tablename__ = "inbox"

    consumer: str = Field(primary_key=True, max_length=100)
    event_id: uuid.UUID = Field(primary_key=True)
    event_type: str = Field(max_length=100)
    processed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class IdempotencyRecord(MechanismTable, table=True):
    """The first response to a POST made with an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    principal: str = Field(max_length=200)
    key: str = Field(max_length=200)
    request_fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    response_headers: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class AuditEntry(MechanismTable, table=True):
    """Who changed what, when and why, for every change to money or master data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id", "at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    actor: str = Field(max_length=200)
    actor_roles: list[str] = Field(sa_column=Column(JSONColumn, nullable=False))
    action: str = Field(max_length=100)
    entity_type: str = Field(max_length=100)
    entity_id: str = Field(max_length=100)
    changes: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    request_id: str | None = Field(default=None, sa_column=Column(String(100)))


class NumberSeries(MechanismTable, table=True):
    """The last number handed out in a series (e.g. customer accounts, INV-2026): gapless."""

    __tablename__ = "number_series"

    series: str = Field(primary_key=True, max_length=100)
    last_value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class ClosedMonth(MechanismTable, table=True):
    """A month collections closed, as a posting service knows it from `PeriodClosed`: nothing
    dated inside it may post (see shared/periods.py)."""

    __tablename__ = "closed_months"

    period: str = Field(primary_key=True, max_length=7)
    closed_through: date
    closed_by: str = Field(max_length=200)
    closed_at: datetime = Field(sa_type=UTCDateTime)


# What each service's first migration created; later tables come with their own steps below.
FIRST_MIGRATION_TABLES = ("outbox", "inbox", "idempotency_keys", "audit_log", "number_series")


def _first_tables() -> list[Table]:
    return [t for t in MechanismTable.metadata.sorted_tables if t.name in FIRST_MIGRATION_TABLES]


def create_mechanism_tables() -> None:
    """Create the shared tables inside a service's first Alembic migration."""
    bind = op.get_bind()
    for table in _first_tables():
        table.create(bind)


def drop_mechanism_tables() -> None:
    bind = op.get_bind()
    for table in reversed(_first_tables()):
        table.drop(bind)


class DeadLetter(MechanismTable, table=True):
    """A message this service's consumer gave up on, kept in its own database when the bus keeps
    none (the embedded mode; Kafka keeps them on `<topic>.dlq`), until it is replayed
    (`python -m shared.dlq`): a replay is requested here and the running consumer delivers it."""

    __tablename__ = "dead_letters"
    __table_args__ = (Index("ix_dead_letters_replay", "replay_requested_at", "replayed_at"),)

    seq: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    consumer: str = Field(max_length=100)
    topic: str = Field(max_length=200, description="The topic the message came from")
    key: str = Field(max_length=100)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # The message's own headers, as [name, value] pairs of text.
    headers: list[list[str]] = Field(sa_column=Column(JSONColumn, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))
    error_type: str = Field(max_length=100)
    dead_lettered_at: datetime = Field(sa_type=UTCDateTime)
    replay_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replayed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


CLOSED_MONTHS = MechanismTable.metadata.tables[str(ClosedMonth.__tablename__)]
DEAD_LETTERS = MechanismTable.metadata.tables[str(DeadLetter.__tablename__)]


def create_closed_months() -> None:
    """The closed-months table, in a revision of each service that posts documents."""
    CLOSED_MONTHS.create(op.get_bind())


def drop_closed_months() -> None:
    CLOSED_MONTHS.drop(op.get_bind())


def create_dead_letters() -> None:
    """The dead-letters table, in a revision of each service that consumes events."""
    DEAD_LETTERS.create(op.get_bind())


def drop_dead_letters() -> None:
    DEAD_LETTERS.drop(op.get_bind())
