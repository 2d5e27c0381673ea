"""The customers service's tables."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, Relationship, SQLModel

from shared.clock import utc_now
from shared.db import DecimalType, JSONColumn, UTCDateTime, new_id


class CustomersTable(SQLModel, registry=registry()):
    pass


class Customer(CustomersTable, table=True):
    __tablename__ = "customers"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_number: str = Field(unique=True, max_length=20)
    external_ref: str | None = Field(default=None, unique=True, max_length=100)
    revision: int = 1
    legal_name: str = Field(index=True, max_length=200)
    # The legal name as duplicates are compared (domain.name_key), kept with every change.
    name_key: str = Field(index=True, max_length=200)
    dba: str | None = Field(default=None, max_length=200)
    tax_id: str | None = Field(default=None, index=True, max_length=20)
    status: str = Field(index=True, max_length=20)
    credit_hold: bool = Field(default=False, index=True)
    currency: str = Field(max_length=3)
    business_district: str = Field(index=True, max_length=50)
    sales_rep: str | None = Field(default=None, index=True, max_length=100)
    payment_terms: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    billing_profile: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    # The credit line credit approved (limit, currency, review date, approver), from its
    # `credit.limit_changed`; None until credit approves one.
    credit_line: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)

    addresses: list["CustomerAddress"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "CustomerAddress.created_at",
        }
    )
    contacts: list["CustomerContact"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "CustomerContact.created_at",
        }
    )
    certificates: list["ExemptionCertificateRecord"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "ExemptionCertificateRecord.created_at",
        }
    )
    onboarding: list["OnboardingItemRecord"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "selectin",
            "cascade": "all, delete-orphan",
            "order_by": "OnboardingItemRecord.position",
        }
    )


class CustomerAddress(CustomersTable, table=True):
    __tablename__ = "customer_addresses"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customers.id", index=True)
    kind: str = Field(max_length=20)
    label: str | None = Field(default=None, max_length=200)
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=100)
    county: str | None = Field(default=None, max_length=100)
    region: str = Field(max_length=50)
    postal_code: str = Field(max_length=20)
    country: str = Field(max_length=2)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CustomerContact(CustomersTable, table=True):
    __tablename__ = "customer_contacts"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customers.id", index=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    role: str | None = Field(default=None, max_length=100)
    receives_invoices: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ExemptionCertificateRecord(CustomersTable, table=True):
    __tablename__ = "exemption_certificates"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customers.id", index=True)
    jurisdiction: str = Field(max_length=50)
    certificate_number: str = Field(max_length=100)
    issued_on: date | None = None
    expires_on: date | None = None
    document_id: uuid.UUID | None = Field(default=None, foreign_key="customer_documents.id")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class OnboardingItemRecord(CustomersTable, table=True):
    __tablename__ = "onboarding_items"

    customer_id: uuid.UUID = Field(foreign_key="customers.id", primary_key=True)
    item: str = Field(primary_key=True, max_length=50)
    position: int
    status: str = Field(max_length=20)
    note: str | None = Field(default=None, sa_column=Column(Text))
    document_id: uuid.UUID | None = Field(default=None, foreign_key="customer_documents.id")
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CustomerDocument(CustomersTable, table=True):
    """A file on a customer (W-9, credit application, exemption certificate...), in the database
    so it commits or rolls back with the record that refers to it."""

    __tablename__ = "customer_documents"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customers.id", index=True)
    kind: str = Field(max_length=50)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CustomerChangeRequest(CustomersTable, table=True):
    """A change of payment terms or currency: requested by one person, made when another
    approves it."""

    __tablename__ = "customer_change_requests"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    customer_id: uuid.UUID = Field(foreign_key="customers.id", index=True)
    # The fields as a customer PATCH sends them: `payment_terms`, `currency` or both.
    changes: dict[str, Any] = Field(sa_column=Column(JSONColumn, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, max_length=200)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OpenInvoice(CustomersTable, table=True):
    """What is still open on each of a customer's invoices, kept from invoicing's and payments'
    events (payments is the authority over an invoice's balance): a change of currency waits
    until nothing is open in the old one."""

    __tablename__ = "open_invoices"
    __table_args__ = (Index("ix_open_invoices_customer", "customer_id", "currency"),)

    id: uuid.UUID = Field(primary_key=True, description="The invoice's id")
    customer_id: uuid.UUID
    number: str = Field(max_length=50)
    currency: str = Field(max_length=3)
    balance: Decimal = Field(sa_type=DecimalType)
    # False while only a settlement has arrived: payments' events travel on another topic and
    # may come before the invoice's own.
    issued: bool = False
    # A voided invoice owes nothing, whatever settled it before or after.
    voided: bool = False
