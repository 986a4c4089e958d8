"""A Readiness probe over a real database with two replay sources (one disabled), on a manual clock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from monitor.clock import ManualClock
from monitor.service.observability import Metrics, Readiness
from monitor.settings import Settings
from tests.fakes.settings_files import make_settings

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def settings_with_sources() -> Settings:
    return make_settings(sources=[
        {"id": "feed", "kind": "replay", "brand": "acme", "path": "x.jsonl", "interval_seconds": 60},
        {"id": "off", "kind": "replay", "brand": "acme", "path": "x.jsonl", "enabled": False}])


def readiness(engine: Engine, clock: ManualClock, running: bool = True) -> Readiness:
    settings = settings_with_sources()
    return Readiness(lambda: engine, lambda: settings, lambda: running, clock, Metrics())
