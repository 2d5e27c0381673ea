"""Invoicing's settings (prefix `AR_INVOICING_`); nested ones take JSON, e.g.
`AR_INVOICING_CHART='{"ar_control": "1200", "revenue_by_service_line": {"pumping": "4100"}}'`."""

from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ChartOfAccounts(BaseModel):
    """Where invoicing posts: AR control, revenue by service line, sales tax by jurisdiction."""

    ar_control: str = "1200"
    revenue_default: str = "4000"
    revenue_by_service_line: dict[str, str] = Field(default_factory=dict)
    sales_tax_default: str = "2300"
    sales_tax_by_jurisdiction: dict[str, str] = Field(default_factory=dict)

    def revenue(self, service_line: str) -> str:
        return self.revenue_by_service_line.get(service_line, self.revenue_default)

    def sales_tax(self, jurisdiction: str) -> str:
        return self.sales_tax_by_jurisdiction.get(jurisdiction, self.sales_tax_default)


class Company(BaseModel):
    """The legal entity invoicing bills as, printed on every invoice."""

    legal_entity: str = Field(default="main", description="Names the number series")
    name: str = "AR Platform Field Services LLC"
    address: list[str] = Field(default_factory=lambda: ["1 Industrial Way", "Midland, TX 79701"])
    remit_to: list[str] = Field(default_factory=lambda: ["PO Box 100", "Midland, TX 79702"])
    phone: str | None = "(432) 555-0100"
    email: str | None = "billing@example.com"


class Smtp(BaseModel):
    """Outgoing mail; without a host, messages go to the mail-drop folder as .eml files."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    start_tls: bool = True
    sender: str = "billing@example.com"
    mail_drop: Path = Path("var/mail-drop")


class InvoicingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AR_INVOICING_", env_nested_delimiter="__")

    database_url: str = "sqlite+aiosqlite:///var/invoicing.db"
    port: int = 8002
    chart: ChartOfAccounts = Field(default_factory=ChartOfAccounts)
    company: Company = Field(default_factory=Company)
    smtp: Smtp = Field(default_factory=Smtp)
    max_document_bytes: int = Field(default=10 * 2**20, ge=1)
    # A credit memo above this total needs an ar_supervisor to issue it.
    credit_memo_approval_limit: Decimal = Field(default=Decimal(1000), ge=0)
    # Deliver issued invoices automatically this often (unset: only when asked), once they are
    # older than the grace period, which leaves time to void a mistake before it is sent.
    delivery_sweep_seconds: float | None = Field(default=None, gt=0)
    delivery_grace_seconds: float = Field(default=900, ge=0)
    # Invoices issued per transaction in a billing run: a crash loses at most one batch's work.
    issue_batch_size: int = Field(default=500, ge=1, le=5000)
