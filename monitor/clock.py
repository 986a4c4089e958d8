"""Time as a dependency, so the demo, backtests and tests can run a simulated clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from monitor.errors import ConfigError

Clock = Callable[[], datetime]
NOW_ENV = "GROUNDSWELL_NOW"


def system_clock() -> datetime:
    return datetime.now(UTC)


def command_now() -> datetime:
    """The time a one-shot command works at: ``GROUNDSWELL_NOW`` (ISO 8601, UTC unless it says) when set, so a
    test or a reproduction names the same days as its caller's clock even across midnight; else the system's."""
    value = os.environ.get(NOW_ENV, "").strip()
    if not value:
        return system_clock()
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise ConfigError(NOW_ENV, f"{value[:40]!r} is not an ISO 8601 time such as 2026-12-07T23:59:59Z") from None


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes (as SQLite returns them) are taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class ManualClock:
    """A clock that only moves when told to: for simulations and tests."""

    def __init__(self, start: datetime) -> None:
        self.now = as_utc(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, moment: datetime) -> None:
        self.now = as_utc(moment)


def timezone_problem(value: str) -> str | None:
    """Why ``value`` is not an IANA timezone, naming the one meant when only the case or the region was off
    ("London" and "europe/london" were refused without a hint), or None when it is one."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    try:
        ZoneInfo(value)
        return None
    except (ZoneInfoNotFoundError, ValueError):
        pass
    wanted = "_".join(value.strip().lower().split())
    meant = sorted(zone for zone in available_timezones() if not zone.startswith("Etc/")  # Etc/GMT+1 is UTC-1
                   and wanted and wanted in (zone.lower(), zone.lower().rsplit("/", 1)[-1]))
    if meant:
        return f"unknown timezone {value!r} (did you mean {meant[0]}?)"
    offset = any(sign in value for sign in "+-") and wanted[:3] in ("gmt", "utc")
    hint = ("a fixed offset ignores summer time: use the place's IANA name, e.g. Europe/Paris" if offset
            else "use an IANA name like Europe/London")
    return f"unknown timezone {value!r} ({hint})"
