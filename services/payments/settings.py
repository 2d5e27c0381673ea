"""The payments service's settings (prefix `AR_PAYMENTS_`): its database and port, and the rules
an AR controller configures: GL accounts, matching thresholds, tolerances, the lockbox layout.

Nested values are JSON in the environment, e.g.
`AR_PAYMENTS_GL_ACCOUNTS='{"cash": "1000", "accounts_receivable": "1100"}'`.
"""

from decimal import Decimal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import ServiceSettings


class GLAccounts(BaseModel):
    """The chart-of-accounts codes payments posts to."""

    cash: str = "1010"
    accounts_receivable: str = "1200"
    unapplied_cash: str = "2110"
    customer_deposits: str = "2120"
    discounts_allowed: str = "4950"
    bad_debt: str = "6150"


class MatchingPolicy(BaseModel):
    """How sure cash application must be before it applies cash without a person looking."""

    auto_apply_threshold: Decimal = Field(default=Decimal("0.90"), gt=0, le=1)
    # A payment this close to one open invoice is proposed against it; the difference stays open.
    amount_tolerance: Decimal = Field(default=Decimal("5.00"), ge=0)
    max_combination_size: int = Field(default=4, ge=2, le=6)
    # Combinations are searched among at most this many of the payer's oldest open invoices.
    max_combination_candidates: int = Field(default=40, ge=2, le=200)


class LockboxLayout(BaseModel):
    """Which CSV column holds what in the bank's lockbox file. Rows with the same batch and check
    number are one check; each row is one remittance line of it."""

    delimiter: str = Field(default=",", min_length=1, max_length=1)
    date_format: str = "%Y-%m-%d"
    batch: str = "batch"
    check_number: str = "check_number"
    check_amount: str = "check_amount"
    deposit_date: str = "deposit_date"
    payer_name: str = "payer_name"
    payer_account: str = "payer_account"
    invoice_number: str = "invoice_number"
    amount_paid: str = "amount_paid"
    currency: str | None = "currency"


class PaymentRules(BaseSettings):
    """The configurable rules; the API and the event handlers read the same ones."""

    model_config = SettingsConfigDict(env_prefix="AR_PAYMENTS_", extra="ignore")

    gl_accounts: GLAccounts = GLAccounts()
    matching: MatchingPolicy = MatchingPolicy()
    # A short-paid balance at most this large may be written off by an AR coordinator; an
    # AR supervisor may write off any balance (an approved bad debt).
    small_balance_write_off: Decimal = Field(default=Decimal("25.00"), ge=0)
    lockbox: LockboxLayout = LockboxLayout()
    # Bank files that do not say their currency (NACHA, some BAI2 accounts) are in this one.
    bank_currency: str = "USD"
    max_bank_file_bytes: int = 20 * 1024 * 1024


class PaymentsSettings(ServiceSettings, PaymentRules):
    model_config = SettingsConfigDict(env_prefix="AR_PAYMENTS_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/payments.db"
    port: int = 8003
