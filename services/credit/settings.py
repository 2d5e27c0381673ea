from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_CREDIT_")

    database_url: str = "sqlite+aiosqlite:///var/credit.db"
    port: int = 8005
