"""The credit service's settings (prefix `AR_CREDIT_`): its database and port, and the credit
policy a credit manager tunes: approval authority, hold thresholds, report age, the bureau."""

from decimal import Decimal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# Where the HTTP bureau provider finds each report field in the vendor's JSON reply (JSON pointers).
DEFAULT_BUREAU_FIELDS = {
    "score": "/score",
    "payment_index": "/payment_index",
    "derogatory_items": "/derogatory_items",
    "reported_on": "/reported_on",
    "reference": "/report_id",
}


class CreditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_CREDIT_")

    database_url: str = "sqlite+aiosqlite:///var/credit.db"
    port: int = 8005
    # A credit manager approves limits up to this amount; above it an AR supervisor must.
    manager_approval_limit: Decimal = Field(default=Decimal("50000"), ge=0)
    # A limit above this amount is set by one person and approved by another.
    second_approval_above: Decimal = Field(default=Decimal("25000"), ge=0)
    # An open invoice this many days past due puts the customer on hold automatically.
    hold_days_past_due: int = Field(default=60, ge=1)
    # A bureau report older than this no longer counts in a score.
    bureau_report_max_age_days: int = Field(default=180, ge=1)
    # How far ahead the worklist shows limit reviews coming due.
    review_window_days: int = Field(default=30, ge=0)
    # A new limit is reviewed this many days after it is set unless the approver says otherwise.
    default_review_days: int = Field(default=365, ge=1)
    # An approved order authorization counts in exposure this long unless its ticket closes first.
    authorization_valid_days: int = Field(default=30, ge=1)
    # How often holds are re-evaluated against the calendar (an item ageing past the threshold).
    hold_sweep_interval_seconds: float = Field(default=3600, gt=0)
    # The HTTP bureau provider: the vendor's endpoint, its key and where each field is in its reply.
    bureau_url: str | None = None
    bureau_api_key: SecretStr | None = None
    bureau_fields: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_BUREAU_FIELDS))
    bureau_timeout_seconds: float = Field(default=10, gt=0)
