"""Configuration read from the environment with pydantic-settings.

`PlatformSettings` (prefix `AR_`) holds what every service shares: the bus, Kafka, the token
secret. Each service subclasses `ServiceSettings` with its own prefix (`AR_CUSTOMERS_`, ...) for
its database URL and port.
"""

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.clock import DEFAULT_TIME_ZONE, time_zone

MIN_SECRET_LENGTH = 32
DEFAULT_MAX_TOKEN_HOURS = 24


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AR_", extra="ignore")

    bus: Literal["inprocess", "kafka"] = "inprocess"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_partitions: int = Field(default=3, ge=1)
    # No default: a token secret that ships with the code is no secret. Embedded mode generates
    # one under var/ on first start.
    auth_secret: SecretStr | None = None
    token_issuer: str = "ar-platform"
    # The longest a token may live (its exp - iat), and the ids (jti) of tokens revoked before
    # they expire, as a JSON list: AR_AUTH_REVOKED_TOKEN_IDS='["..."]'.
    auth_max_token_hours: int = Field(default=DEFAULT_MAX_TOKEN_HOURS, ge=1)
    auth_revoked_token_ids: list[str] = Field(default_factory=list)
    var_dir: Path = Path("var")
    # Loopback unless told otherwise (a container sets 0.0.0.0).
    bind_host: str = "127.0.0.1"
    embedded_port: int = 8000
    log_level: str = "INFO"
    relay_interval_seconds: float = Field(default=0.1, gt=0)
    consumer_max_attempts: int = Field(default=5, ge=1)
    consumer_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    idempotency_retention_hours: int = Field(default=48, ge=24)
    # The company's zone: what "today" is for invoice dates, ageing, periods (an IANA name).
    time_zone: str = DEFAULT_TIME_ZONE
    # How many days before the calendar date a request may post on (X-Business-Date).
    business_date_max_backdate_days: int = Field(default=3, ge=0)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        time_zone(value)
        return value

    @field_validator("auth_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"AR_AUTH_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        return value

    def require_auth_secret(self) -> str:
        if self.auth_secret is None:
            raise RuntimeError(
                "AR_AUTH_SECRET is not set: set it to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters (e.g. `openssl rand -hex 32`)"
            )
        return self.auth_secret.get_secret_value()


class ServiceSettings(BaseSettings):
    """One service's own settings; subclasses set `env_prefix` and defaults."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str
    port: int
    # Embedded mode and a single instance migrate on start; a fleet migrates once, beforehand.
    migrate_on_start: bool = True


def embedded_secret(settings: PlatformSettings) -> str:
    """The embedded mode's token secret: generated on first start, kept under var/ (mode 0600)."""
    path = settings.var_dir / "auth-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
