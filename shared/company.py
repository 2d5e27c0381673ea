"""The company as documents and mail print it: one profile for invoices, letters and statements."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CompanyProfile(BaseSettings):
    """Read from `AR_COMPANY__*` (lists as JSON, e.g. AR_COMPANY__ADDRESS='["1 Way", "Town"]').
    Held by a service as `company: CompanyProfile = Field(default_factory=CompanyProfile)`."""

    model_config = SettingsConfigDict(env_prefix="AR_COMPANY__", extra="ignore")

    legal_entity: str = Field(default="main", description="Names the number series")
    legal_name: str = "AR Platform Field Services LLC"
    address: list[str] = Field(default_factory=lambda: ["1 Industrial Way", "Midland, TX 79701"])
    remit_to: list[str] = Field(default_factory=lambda: ["PO Box 100", "Midland, TX 79702"])
    phone: str | None = "(432) 555-0100"
    email: str | None = "billing@example.com"

    @property
    def contact(self) -> list[str]:
        """Phone and email, those that are set."""
        return [line for line in (self.phone, self.email) if line]
