"""The mailbox sweep: remittance advices customers email arrive as `.eml` files in the configured
folder (where the mail server delivers them, each written elsewhere and moved in whole); each is
taken in like an upload and moved to `processed/`, or to `refused/` with the reason beside it. The
sweep also sends advices no payment met within the window to the worklist."""

import asyncio
import logging
import uuid
from pathlib import Path
from typing import cast

from services.payments.commands.advices import expire_waiting, take_in
from services.payments.settings import PaymentsSettings
from shared.api.problems import Problem
from shared.clock import Clock
from shared.db import Database
from shared.service import Service

log = logging.getLogger(__name__)

PROCESSED, REFUSED = "processed", "refused"


def _move(path: Path, folder: str) -> Path:
    target_dir = path.parent / folder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        target = target_dir / f"{path.stem}-{uuid.uuid4().hex[:8]}{path.suffix}"
    return path.rename(target)


async def _take_in_file(db: Database, path: Path, rules: PaymentsSettings, clock: Clock) -> bool:
    """Take in one mailbox file; False when it was refused (and why is written beside it)."""
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    try:
        if size > rules.max_advice_bytes:
            raise Problem(f"the file has {size} bytes, more than {rules.max_advice_bytes}")
        content = await asyncio.to_thread(path.read_bytes)
        async with db.transaction() as session:
            await take_in(
                session,
                path.name,
                content,
                source="mailbox",
                today=clock.today(),
                rules=rules,
                actor=None,
            )
    except Problem as exc:
        moved = await asyncio.to_thread(_move, path, REFUSED)
        await asyncio.to_thread(
            moved.with_suffix(moved.suffix + ".reason.txt").write_text, f"{exc.detail}\n"
        )
        return False
    await asyncio.to_thread(_move, path, PROCESSED)
    return True


async def sweep_once(db: Database, rules: PaymentsSettings, *, clock: Clock) -> dict[str, int]:
    """Take in every email in the mailbox folder, then expire waiting advices; count each."""
    counts = {"taken_in": 0, "refused": 0, "expired": 0}
    folder = rules.advice_mailbox_dir
    if folder is not None:
        paths = await asyncio.to_thread(lambda: sorted(folder.glob("*.eml")))
        for path in paths:
            counts["taken_in" if await _take_in_file(db, path, rules, clock) else "refused"] += 1
    async with db.transaction() as session:
        counts["expired"] = await expire_waiting(session, clock.today(), rules)
    return counts


async def sweep_mailbox(service: Service) -> None:
    """Sweep at the configured interval until the service stops."""
    rules = cast(PaymentsSettings, service.settings)
    while True:
        # An interval first: a service just started has nothing waiting long enough to expire.
        await asyncio.sleep(rules.advice_mailbox_interval_seconds)
        try:
            counts = await sweep_once(service.db, rules, clock=service.clock)
            if any(counts.values()):
                log.info("remittance advice sweep: %s", counts)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("remittance advice sweep failed; trying again at the next interval")
