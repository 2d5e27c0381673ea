"""The payments service's settings (prefix `AR_PAYMENTS_`): its database and port, and the rules
an AR controller configures: matching thresholds, tolerances, the lockbox layout. The GL accounts
are the platform's chart (`AR_CHART__*`, see shared/journal.py).

Nested values are JSON in the environment, e.g. `AR_PAYMENTS_MATCHING='{"amount_tolerance": "2"}'`.
"""

from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.payments.domain.bank_files.model import LockboxLayout
from services.payments.domain.matching.model import MatchingPolicy
from shared.journal import ChartOfAccounts
from shared.periods import ClosedMonthPolicy
from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    """Read once at start; the routes and the event handlers (through their context) read the same
    ones."""

    model_config = SettingsConfigDict(env_prefix="AR_PAYMENTS_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/payments.db"
    port: int = 8003
    # The platform's one chart (AR_CHART__*), not a payments copy of it.
    chart: ChartOfAccounts = Field(default_factory=ChartOfAccounts)
    matching: MatchingPolicy = MatchingPolicy()
    # A short-paid balance at most this large may be written off by an AR coordinator; an
    # AR supervisor may write off any balance (an approved bad debt).
    small_balance_write_off: Decimal = Field(default=Decimal("25.00"), ge=0)
    # The tolerance counts what the coordinator wrote off on the invoice before; with this, also
    # what they wrote off to the same customer that day.
    write_off_limit_per_customer_day: bool = False
    lockbox: LockboxLayout = LockboxLayout()
    # Bank files that do not say their currency (NACHA, some BAI2 accounts) are in this one.
    bank_currency: str = "USD"
    max_bank_file_bytes: int = 20 * 1024 * 1024
    # A receipt dated in a month collections closed: refused (409), or dated on the first day of
    # the first open month, the payment keeping the date it came with (`redated_from`).
    closed_month_policy: ClosedMonthPolicy = ClosedMonthPolicy.REFUSE
    # A bank file is read in a process of its own, stopped past these bounds (a 422), so no file
    # can stall the service or exhaust its memory.
    bank_file_read_seconds: float = Field(default=30.0, gt=0)
    bank_file_read_memory_bytes: int = Field(default=2 * 1024**3, ge=256 * 1024**2)
    # An import writes and applies a file's payments this many at a time, letting other requests
    # run between chunks (1: one at a time, as imports once did).
    bank_file_chunk_entries: int = Field(default=100, ge=1)
    # Remittance advices: the largest file accepted; the folder of .eml files the mailbox sweep
    # takes in (none: no sweep) and how often it looks; an advice and a payment of the same payer
    # and amount meet when their dates are at most `advice_match_days` apart, and an advice no
    # payment met within that many days goes to the worklist.
    max_advice_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    advice_mailbox_dir: Path | None = None
    advice_mailbox_interval_seconds: float = Field(default=60.0, gt=0)
    advice_match_days: int = Field(default=10, ge=0, le=90)
    # The same money (bank account, reference, amount, payer) received within this many days of
    # an earlier payment is a duplicate of it (bank files and typed payments alike).
    duplicate_window_days: int = Field(default=7, ge=0, le=366)
    # A NACHA return or reversal reverses a payment received at most this many days before it.
    return_window_days: int = Field(default=70, ge=0, le=366)
    # A payment dated more than this many days after today is refused (a mistyped year).
    max_future_days: int = Field(default=3, ge=0, le=366)
