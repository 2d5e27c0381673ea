"""The asset register's use cases: register, move or change the status of an asset (each
change dated and kept), and import a register from CSV or XLSX, all rows or none."""

import csv
import io
import uuid
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.invoicing.domain.rentals.assets import (
    IMPORT_COLUMNS,
    REQUIRED_COLUMNS,
    AssetPlace,
    AssetStatus,
    check_change,
)
from services.invoicing.domain.rentals.rates import RentalRuleBroken
from services.invoicing.models.rentals import AssetEvent, RentalAsset
from services.invoicing.queries.assets import (
    existing_asset_ids,
    get_asset,
    last_event,
    last_sequence,
)
from services.invoicing.schemas.assets import AssetIn, AssetMoveIn
from shared.api.problems import BusinessRuleViolation, Conflict, FieldError
from shared.audit import record_change
from shared.auth import Principal

XLSX_SIGNATURE = b"PK\x03\x04"


class AssetImportRefused(BusinessRuleViolation):
    slug = "asset-import-refused"


def _place(event: AssetEvent) -> AssetPlace:
    return AssetPlace(
        event.effective_on,
        AssetStatus(event.status),
        event.district,
        event.customer_id,
        event.job_site,
    )


def _new_asset(data: AssetIn, today: date, actor: Principal) -> tuple[RentalAsset, AssetEvent]:
    registered_on = data.registered_on or today
    if data.status == AssetStatus.ON_RENT:
        raise RentalRuleBroken(
            "an asset goes on rent by a move or a rental contract, not as registered"
        )
    asset = RentalAsset(
        asset_id=data.asset_id,
        serial=data.serial,
        asset_class=data.asset_class,
        description=data.description,
        owning_district=data.owning_district,
        registered_on=registered_on,
    )
    event = AssetEvent(
        asset_id=data.asset_id,
        sequence=1,
        effective_on=registered_on,
        status=data.status,
        district=data.owning_district,
        note="registered",
        recorded_by=actor.subject,
    )
    return asset, event


async def register_asset(
    session: AsyncSession, data: AssetIn, today: date, actor: Principal
) -> RentalAsset:
    if await existing_asset_ids(session, [data.asset_id]):
        raise Conflict(f"asset {data.asset_id} is registered already")
    asset, event = _new_asset(data, today, actor)
    session.add(asset)
    await session.flush()
    session.add(event)
    record_change(
        session,
        actor=actor,
        action="asset_registered",
        entity_type="rental_asset",
        entity_id=data.asset_id,
        changes=data.model_dump(mode="json"),
    )
    await session.flush()
    return asset


async def move_asset(
    session: AsyncSession,
    asset_id: str,
    data: AssetMoveIn,
    today: date,
    actor: Principal | None,
    *,
    contract_id: uuid.UUID | None = None,
) -> AssetEvent:
    """Append the asset's next change; the register keeps every earlier one."""
    asset = await get_asset(session, asset_id)
    current = await last_event(session, asset_id)
    place = AssetPlace(
        data.effective_on or today,
        data.status,
        data.district or (current.district if current else asset.owning_district),
        data.customer_id,
        data.job_site,
    )
    check_change(_place(current) if current else None, place, asset.registered_on)
    event = AssetEvent(
        asset_id=asset_id,
        sequence=await last_sequence(session, asset_id) + 1,
        effective_on=place.effective_on,
        status=place.status,
        district=place.district,
        customer_id=place.customer_id,
        job_site=place.job_site,
        contract_id=contract_id if place.status == AssetStatus.ON_RENT else None,
        note=data.note,
        recorded_by=actor.subject if actor else "system",
    )
    session.add(event)
    record_change(
        session,
        actor=actor,
        action="asset_moved",
        entity_type="rental_asset",
        entity_id=asset_id,
        changes=data.model_dump(mode="json") | {"effective_on": place.effective_on.isoformat()},
    )
    await session.flush()
    return event


def _cell(value: Any) -> str | None:
    """A cell as text: dates as ISO dates, blanks as none."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _rows(content: bytes) -> list[list[str | None]]:
    """The file's rows, header first, from XLSX (the first sheet) or UTF-8 CSV."""
    if content.startswith(XLSX_SIGNATURE):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a damaged workbook
            raise AssetImportRefused(f"the workbook cannot be read: {error}") from error
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AssetImportRefused("a CSV import must be UTF-8 text") from error
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]


def _error(row: int, column: str, message: str, code: str = "invalid") -> FieldError:
    return FieldError(field=f"row {row}.{column}", message=message, code=code)


def parse_import(content: bytes) -> tuple[list[tuple[int, AssetIn]], list[FieldError]]:
    """Each data row as an asset to register, with its row number in the file (the header is
    row 1), and every problem found, each naming its row and column."""
    rows = _rows(content)
    if not rows:
        raise AssetImportRefused("the file has no header row")
    header = [(name or "").casefold() for name in rows[0]]
    unknown = [name for name in header if name and name not in IMPORT_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing:
        raise AssetImportRefused(
            f"columns must be among {', '.join(IMPORT_COLUMNS)}"
            f" (missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})"
        )
    fields = {"class": "asset_class", "district": "owning_district", "on": "registered_on"}
    parsed: list[tuple[int, AssetIn]] = []
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        values = {
            fields.get(name, name): value
            for name, value in zip(header, row, strict=False)
            if name and value is not None
        }
        try:
            asset = AssetIn.model_validate(values)
        except ValidationError as invalid:
            for problem in invalid.errors():
                column = str(problem["loc"][0]) if problem["loc"] else "row"
                errors.append(_error(number, column, problem["msg"], problem["type"]))
            continue
        if asset.status == AssetStatus.ON_RENT:
            errors.append(_error(number, "status", "an asset goes on rent by a contract or a move"))
            continue
        if asset.asset_id in seen:
            errors.append(
                _error(number, "asset_id", f"also on row {seen[asset.asset_id]}", "duplicate")
            )
            continue
        seen[asset.asset_id] = number
        parsed.append((number, asset))
    return parsed, errors


async def import_assets(
    session: AsyncSession, content: bytes, filename: str, today: date, actor: Principal
) -> list[RentalAsset]:
    """Register every row, or none: one bad row refuses the file with every row's problem."""
    parsed, errors = parse_import(content)
    known = await existing_asset_ids(session, [asset.asset_id for _, asset in parsed])
    errors += [
        _error(number, "asset_id", f"{asset.asset_id} is registered already", "duplicate")
        for number, asset in parsed
        if asset.asset_id in known
    ]
    if errors:
        errors.sort(key=lambda e: int(e.field.split(".")[0].removeprefix("row ")))
        raise AssetImportRefused(
            f"{len(errors)} problem(s) in {filename}; nothing was imported", errors=errors
        )
    if not parsed:
        raise AssetImportRefused(f"{filename} has no asset rows")
    made = [_new_asset(asset, today, actor) for _, asset in parsed]
    session.add_all([asset for asset, _ in made])
    await session.flush()
    session.add_all([event for _, event in made])
    record_change(
        session,
        actor=actor,
        action="assets_imported",
        entity_type="rental_asset_import",
        entity_id=filename,
        changes={"asset_ids": [asset.asset_id for asset, _ in made]},
    )
    await session.flush()
    return [asset for asset, _ in made]
