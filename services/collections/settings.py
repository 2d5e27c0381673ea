from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CollectionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_COLLECTIONS_")

    database_url: str = "sqlite+aiosqlite:///var/collections.db"
    port: int = 8004
