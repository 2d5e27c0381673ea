from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_PAYMENTS_")

    database_url: str = "sqlite+aiosqlite:///var/payments.db"
    port: int = 8003
