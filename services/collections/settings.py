from decimal import Decimal
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CollectionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_COLLECTIONS_")

    database_url: str = "sqlite+aiosqlite:///var/collections.db"
    port: int = 8004
    # The GL account invoices debit and applications credit: the ledger must tie to it.
    ar_control_account: str = "1200"
    # Target DSO (days) per business district, e.g. AR_COLLECTIONS_DSO_TARGETS='{"permian": 45}'.
    dso_targets: dict[str, Decimal] = Field(default_factory=dict)
    # Dunning: a balance under this is not worth a letter; stages start after these days past due.
    dunning_minimum: Decimal = Decimal("50")
    # One start per letter template: reminder, second notice, past-due notice, final notice.
    dunning_stage_days: tuple[int, int, int, int] = (1, 31, 61, 91)
    # Letters go by SMTP when a host is set; otherwise into this folder (embedded mode).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "ar@example.com"
    company_name: str = "AR Platform"
    mail_drop_dir: Path = Path("var/mail-drop")
    # A ticket closed longer than this without an invoice is stale.
    unbilled_stale_days: int = Field(default=5, ge=0)

    @field_validator("dunning_stage_days")
    @classmethod
    def _ascending(cls, value: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        if value[0] < 1 or any(b <= a for a, b in zip(value, value[1:], strict=False)):
            raise ValueError("dunning stages start at 1 day past due or later, in ascending order")
        return value
