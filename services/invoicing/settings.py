from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class InvoicingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_INVOICING_")

    database_url: str = "sqlite+aiosqlite:///var/invoicing.db"
    port: int = 8002
