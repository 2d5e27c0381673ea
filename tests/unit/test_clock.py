"""The business clock: UTC instants, the business date in the company's zone, the time-zone
setting."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from pydantic import ValidationError

from shared.clock import Clock
from shared.settings import PlatformSettings


def test_today_is_the_date_in_the_company_zone_not_in_utc(
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    # 23:30 on 31 January in Texas is already February in UTC.
    time_machine.move_to(datetime(2027, 2, 1, 5, 30, tzinfo=UTC), tick=False)
    clock = Clock(PlatformSettings().time_zone)
    assert clock.now() == datetime(2027, 2, 1, 5, 30, tzinfo=UTC)
    assert clock.today() == date(2027, 1, 31)
    assert Clock("Asia/Tokyo").today() == date(2027, 2, 1)


def test_the_time_zone_setting_must_name_a_known_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AR_TIME_ZONE", "Europe/Berlin")
    assert PlatformSettings().time_zone == "Europe/Berlin"
    monkeypatch.setenv("AR_TIME_ZONE", "Texas/Midland")
    with pytest.raises(ValidationError, match="unknown time zone"):
        PlatformSettings()
