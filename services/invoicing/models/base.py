"""The registry of invoicing's own tables (shared mechanism tables live in shared.tables)."""

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class InvoicingTable(SQLModel, registry=registry()):
    pass
