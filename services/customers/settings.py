from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CustomersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_CUSTOMERS_")

    database_url: str = "sqlite+aiosqlite:///var/customers.db"
    port: int = 8001
    max_document_bytes: int = 10 * 1024 * 1024
