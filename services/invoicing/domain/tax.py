"""Sales tax in plain Python: which jurisdictions an address is in, the rate on a date, which
line classes each taxes, exemption certificates, and the tax of an invoice per jurisdiction.

Tax is rounded once per jurisdiction per invoice (half-up), never per line.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from shared.api.problems import BusinessRuleViolation
from shared.events.invoicing import TaxLineFacts
from shared.money import round_money


class JurisdictionLevel(StrEnum):
    STATE = "state"
    COUNTY = "county"
    CITY = "city"
    SPECIAL = "special"


class TaxSetupMissing(BusinessRuleViolation):
    """The tax database cannot tax this invoice (e.g. no rate in force on its date)."""

    slug = "tax-setup-missing"


@dataclass(frozen=True)
class Jurisdiction:
    """A jurisdiction with the rate in force on the day being taxed (None: no rate that day)."""

    code: str
    name: str
    level: str
    region: str
    country: str = "US"
    county: str | None = None
    city: str | None = None
    postal_codes: frozenset[str] = frozenset()
    taxable_classes: frozenset[str] = frozenset()
    rate: Decimal | None = None

    def covers(self, address: Mapping[str, Any]) -> bool:
        """Every criterion the jurisdiction sets matches the address (case-insensitively)."""

        def same(criterion: str | None, value: Any) -> bool:
            return criterion is None or (value or "").strip().casefold() == criterion.casefold()

        return (
            same(self.country, address.get("country") or "US")
            and same(self.region, address.get("region"))
            and same(self.county, address.get("county"))
            and same(self.city, address.get("city"))
            and (
                not self.postal_codes or (address.get("postal_code") or "")[:5] in self.postal_codes
            )
        )


def rate_on(rates: Iterable[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The rate with the latest effective date on or before `day`."""
    in_force = [(since, rate) for since, rate in rates if since <= day]
    return max(in_force)[1] if in_force else None


def jurisdictions_for(
    address: Mapping[str, Any] | None, jurisdictions: Iterable[Jurisdiction]
) -> list[Jurisdiction]:
    if address is None:
        return []
    return [j for j in jurisdictions if j.covers(address)]


def site_address(
    job_site_address: Mapping[str, Any] | None,
    job_site: str | None,
    customer_addresses: Sequence[Mapping[str, Any]],
) -> Mapping[str, Any] | None:
    """The job site's address: the ticket's own, else the customer's job site of that name."""
    if job_site_address:
        return job_site_address
    if job_site:
        for address in customer_addresses:
            label = address.get("label") or ""
            if address.get("kind") == "job_site" and label.casefold() == job_site.casefold():
                return address
    return None


SITE_ADDRESS_FIELDS = ("line1", "line2", "city", "county", "region", "postal_code", "country")


def printed_address(address: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An address as an invoice keeps it to print: its postal fields only."""
    if not address:
        return None
    return {name: address.get(name) for name in SITE_ADDRESS_FIELDS}


def tax_address(
    job_site_address: Mapping[str, Any] | None,
    job_site: str | None,
    customer_addresses: Sequence[Mapping[str, Any]],
) -> Mapping[str, Any] | None:
    """Where the work was taxed: the job site's address (`site_address`), else the customer's
    first ship-to, else its bill-to."""
    site = site_address(job_site_address, job_site, customer_addresses)
    if site:
        return site
    for kind in ("ship_to", "bill_to"):
        for address in customer_addresses:
            if address.get("kind") == kind:
                return address
    return None


def exempt_in(
    jurisdiction: Jurisdiction, certificates: Iterable[Mapping[str, Any]], on: date
) -> bool:
    """A certificate valid on the day, issued for the jurisdiction or for its whole state."""
    for certificate in certificates:
        where = str(certificate.get("jurisdiction", "")).casefold()
        if where not in (jurisdiction.code.casefold(), jurisdiction.region.casefold()):
            continue
        issued, expires = certificate.get("issued_on"), certificate.get("expires_on")
        if issued is not None and date.fromisoformat(str(issued)) > on:
            continue
        if expires is not None and date.fromisoformat(str(expires)) < on:
            continue
        return True
    return False


@dataclass
class TaxableLine:
    """A line's (already rounded) amount, its tax class and the jurisdictions it was done in."""

    amount: Decimal
    taxability: str
    jurisdictions: Sequence[Jurisdiction]
    taxed_in: list[str] = field(default_factory=list)


def compute_taxes(
    lines: Sequence[TaxableLine],
    *,
    certificates: Iterable[Mapping[str, Any]],
    on: date,
    currency: str,
) -> list[TaxLineFacts]:
    """The invoice's tax per jurisdiction: the sum of the lines it taxes times its rate,
    rounded once. Fills each line's `taxed_in` with the jurisdictions that tax it."""
    certificates = list(certificates)
    taxable: dict[str, Decimal] = {}
    by_code: dict[str, Jurisdiction] = {}
    for line in lines:
        for jurisdiction in line.jurisdictions:
            if line.taxability not in jurisdiction.taxable_classes:
                continue
            if exempt_in(jurisdiction, certificates, on):
                continue
            if jurisdiction.rate is None:
                raise TaxSetupMissing(
                    f"jurisdiction {jurisdiction.code} has no rate in force on {on}",
                    jurisdiction=jurisdiction.code,
                )
            line.taxed_in.append(jurisdiction.code)
            by_code[jurisdiction.code] = jurisdiction
            taxable[jurisdiction.code] = taxable.get(jurisdiction.code, Decimal(0)) + line.amount
    return [
        TaxLineFacts(
            jurisdiction=code,
            name=by_code[code].name,
            rate=by_code[code].rate,  # type: ignore[arg-type]
            taxable_amount=amount,
            amount=round_money(amount * by_code[code].rate, currency),  # type: ignore[operator]
        )
        for code, amount in sorted(taxable.items())
        if amount
    ]
