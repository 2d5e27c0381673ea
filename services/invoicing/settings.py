"""Invoicing's settings (prefix `AR_INVOICING_`). The chart of accounts, the company printed on
invoices and outgoing mail are the platform's (`AR_CHART__*`, `AR_COMPANY__*`, `AR_SMTP__*`)."""

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.company import CompanyProfile
from shared.journal import ChartOfAccounts
from shared.mail import SmtpSettings
from shared.periods import ClosedMonthPolicy
from shared.settings import ServiceSettings


class InvoicingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_INVOICING_", env_nested_delimiter="__")

    database_url: str = "sqlite+aiosqlite:///var/invoicing.db"
    port: int = 8002
    chart: ChartOfAccounts = Field(default_factory=ChartOfAccounts)
    company: CompanyProfile = Field(default_factory=CompanyProfile)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    max_document_bytes: int = Field(default=10 * 2**20, ge=1)
    # A credit memo that takes what one person credited on the invoice above this total needs an
    # ar_supervisor to issue it (so the limit cannot be split into smaller memos); with the
    # per-customer-day setting, also what they credited the same customer that business day.
    credit_memo_approval_limit: Decimal = Field(default=Decimal(1000), ge=0)
    credit_memo_limit_per_customer_day: bool = False
    # Deliver issued invoices automatically this often (unset: only when asked), once they are
    # older than the grace period, which leaves time to void a mistake before it is sent.
    # A ticket closed, or an invoice dated, more than this many days ahead of today is a mistake
    # (a mistyped year), refused rather than counted as unbilled exposure or aged from the future.
    max_future_days: int = Field(default=3, ge=0, le=366)
    # A document dated in a month collections closed: refused (409), or dated on the first day
    # of the first open month, the invoice keeping the date asked for (`redated_from`).
    closed_month_policy: ClosedMonthPolicy = ClosedMonthPolicy.REFUSE
    delivery_sweep_seconds: float | None = Field(default=None, gt=0)
    delivery_grace_seconds: float = Field(default=900, ge=0)
    # Invoices issued per transaction in a billing run: a crash loses at most one batch's work.
    issue_batch_size: int = Field(default=500, ge=1, le=5000)
    # Vendor bills totalling more than this need an ar_supervisor's approval (never of a bill
    # they entered); another number of the same vendor for the same amount dated within the
    # window is flagged as a possible duplicate; a coding suggestion at or above the threshold
    # codes an uncoded line without a person.
    vendor_bill_approval_limit: Decimal = Field(default=Decimal(5000), ge=0)
    vendor_bill_duplicate_days: int = Field(default=5, ge=0, le=60)
    coding_auto_threshold: Decimal = Field(default=Decimal("0.90"), gt=0, le=1)
    # How often each renting customer's rent and storage earned but not billed is published for
    # credit and collections (unset: only when a line goes on or off rent or a run is issued).
    rental_accrual_seconds: float | None = Field(default=86400, gt=0)
