"""The platform's one chart of accounts and the one way to build a balanced journal entry.

Every service posts to the accounts of `ChartOfAccounts`, configured once for the platform
(`AR_CHART__AR_CONTROL=1200`; the maps as JSON, e.g.
`AR_CHART__REVENUE_BY_SERVICE_LINE='{"wireline": "4010"}'`). Which accounts a document debits
and credits stays in each service's domain code; only the mechanism lives here.
"""

import uuid
from datetime import date
from decimal import Decimal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.events.journal import JournalEntry, Posting


class ChartOfAccounts(BaseSettings):
    """The GL account codes the platform posts to."""

    model_config = SettingsConfigDict(env_prefix="AR_CHART__", extra="ignore")

    ar_control: str = "1200"
    cash: str = "1010"
    unapplied_cash: str = "2110"
    customer_deposits: str = "2120"
    discounts_allowed: str = "4950"
    bad_debt: str = "6150"
    revenue_default: str = "4000"
    revenue_by_service_line: dict[str, str] = Field(default_factory=dict)
    sales_tax_default: str = "2300"
    sales_tax_by_jurisdiction: dict[str, str] = Field(default_factory=dict)
    # Go-live: legacy open balances are posted against it (AR_CHART__CONVERSION).
    conversion: str = "3900"
    # The company's bank accounts (as the bank's files name them) that have a cash account of
    # their own; the others post to `cash`.
    cash_by_bank_account: dict[str, str] = Field(default_factory=dict)
    # Third-party (vendor) bills: credited to accounts payable, debited to an expense or cost
    # account of this list (code: name); one listed in inactive_cost_accounts is refused.
    accounts_payable: str = "2010"
    cost_accounts: dict[str, str] = Field(
        default_factory=lambda: {
            "5100": "Subcontracted labor",
            "5200": "Trucking and hauling",
            "5300": "Disposal fees",
            "5400": "Parts and materials",
            "5500": "Equipment rental",
            "6100": "Repairs and maintenance",
        }
    )
    inactive_cost_accounts: list[str] = Field(default_factory=list)

    def revenue(self, service_line: str) -> str:
        return self.revenue_by_service_line.get(service_line, self.revenue_default)

    def sales_tax(self, jurisdiction: str) -> str:
        return self.sales_tax_by_jurisdiction.get(jurisdiction, self.sales_tax_default)

    def cash_for(self, bank_account: str | None) -> str:
        return self.cash_by_bank_account.get(bank_account or "", self.cash)

    def active_cost_account(self, code: str) -> bool:
        return code in self.cost_accounts and code not in self.inactive_cost_accounts


class UnbalancedEntry(ValueError):
    """The debits and credits of an entry differ, or a posting is zero or negative."""


class JournalBuilder:
    """Collects debits and credits with their dimensions, then builds one balanced entry.

    Amounts are taken as given: nothing is rounded, so a caller that needs cents rounds first.
    """

    def __init__(
        self,
        *,
        source: str,
        document_id: uuid.UUID,
        posted_on: date,
        currency: str,
        document_number: str | None = None,
    ) -> None:
        self._header = {
            "source": source,
            "document_id": document_id,
            "posted_on": posted_on,
            "currency": currency,
            "document_number": document_number,
        }
        self._postings: list[Posting] = []

    def debit(self, account: str, amount: Decimal, **dimensions: str | None) -> "JournalBuilder":
        return self._add(account, amount, "debit", dimensions)

    def credit(self, account: str, amount: Decimal, **dimensions: str | None) -> "JournalBuilder":
        return self._add(account, amount, "credit", dimensions)

    def post(self, account: str, signed: Decimal, **dimensions: str | None) -> "JournalBuilder":
        """A signed amount: positive debits, negative credits, zero posts nothing (for rules that
        net a document's parts, where a zero part is normal)."""
        if not signed:
            return self
        side = "debit" if signed > 0 else "credit"
        return self._add(account, abs(signed), side, dimensions)

    def _add(
        self, account: str, amount: Decimal, side: str, dimensions: dict[str, str | None]
    ) -> "JournalBuilder":
        if amount <= 0:
            raise UnbalancedEntry(f"a {side} of {amount} to {account} is not a posting")
        self._postings.append(Posting(account=account, **{side: amount}, **dimensions))
        return self

    def build(self) -> JournalEntry:
        debits = sum((p.debit for p in self._postings), Decimal(0))
        credits = sum((p.credit for p in self._postings), Decimal(0))
        if debits != credits or len(self._postings) < 2:
            raise UnbalancedEntry(f"unbalanced entry: debits {debits} != credits {credits}")
        return JournalEntry(entry_id=uuid.uuid4(), postings=self._postings, **self._header)
