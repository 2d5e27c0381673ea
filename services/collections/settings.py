from decimal import Decimal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.company import CompanyProfile
from shared.journal import ChartOfAccounts
from shared.mail import SmtpSettings
from shared.settings import ServiceSettings


class CollectionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_COLLECTIONS_")

    database_url: str = "sqlite+aiosqlite:///var/collections.db"
    port: int = 8004
    # The platform's chart: the ledger must tie to its AR control account (AR_CHART__AR_CONTROL).
    chart: ChartOfAccounts = Field(default_factory=ChartOfAccounts)
    # Target DSO (days) per business district, e.g. AR_COLLECTIONS_DSO_TARGETS='{"permian": 45}'.
    dso_targets: dict[str, Decimal] = Field(default_factory=dict)
    # Dunning: a balance under this is not worth a letter; stages start after these days past due.
    dunning_minimum: Decimal = Decimal("50")
    # One start per letter template: reminder, second notice, past-due notice, final notice.
    dunning_stage_days: tuple[int, int, int, int] = (1, 31, 61, 91)
    # A letter steps up one stage from the last one sent, no sooner than this many days after it.
    dunning_interval_days: int = Field(default=10, ge=1)
    # Letters go by SMTP when AR_SMTP__HOST is set; otherwise into the mail drop (embedded mode).
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    # Who signs the letters and statements (AR_COMPANY__*).
    company: CompanyProfile = Field(default_factory=CompanyProfile)
    # Who receives the month's AR pack when it closes, e.g. '["controller@example.com"]'.
    ar_pack_recipients: list[str] = Field(default_factory=list)
    # A ticket closed longer than this without an invoice is stale.
    unbilled_stale_days: int = Field(default=5, ge=0)
    # The largest sales-system or accounting-system balance file a reconciliation takes.
    reconciliation_file_max_bytes: int = Field(default=50_000_000, ge=1)

    @field_validator("dunning_stage_days")
    @classmethod
    def _ascending(cls, value: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        if value[0] < 1 or any(b <= a for a, b in zip(value, value[1:], strict=False)):
            raise ValueError("dunning stages start at 1 day past due or later, in ascending order")
        return value
