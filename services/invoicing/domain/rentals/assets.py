"""The asset register's rules: the states an asset may be in, which changes are allowed, and
what one row of an import must say."""

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.invoicing.domain.rentals.rates import RentalRuleBroken


class AssetStatus(StrEnum):
    AVAILABLE = "available"
    ON_RENT = "on_rent"
    IN_TRANSIT = "in_transit"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


@dataclass(frozen=True)
class AssetPlace:
    """Where an asset is and in what state, from `effective_on` on."""

    effective_on: date
    status: AssetStatus
    district: str
    customer_id: uuid.UUID | None = None
    job_site: str | None = None


def check_change(current: AssetPlace | None, new: AssetPlace, registered_on: date) -> None:
    """A change is dated on or after the asset's last one (history is only appended, so an
    as-of answer never changes afterwards); a retired asset stays retired; on rent names the
    customer and job site."""
    if new.effective_on < registered_on:
        raise RentalRuleBroken(
            f"the asset was registered on {registered_on}, after {new.effective_on}"
        )
    if current is not None:
        if new.effective_on < current.effective_on:
            raise RentalRuleBroken(
                f"the asset's last change is dated {current.effective_on}; "
                f"a change may not be dated {new.effective_on}, before it"
            )
        if current.status == AssetStatus.RETIRED:
            raise RentalRuleBroken("a retired asset cannot change")
    if new.status == AssetStatus.ON_RENT and (new.customer_id is None or not new.job_site):
        raise RentalRuleBroken("an asset on rent names its customer and job site")
    if new.status != AssetStatus.ON_RENT and new.customer_id is not None:
        raise RentalRuleBroken("only an asset on rent is at a customer")


IMPORT_COLUMNS = ("asset_id", "serial", "class", "description", "district", "status", "on")
REQUIRED_COLUMNS = ("asset_id", "class", "district")
