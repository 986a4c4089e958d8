"""Detection: open, escalate and resolve incidents; each change becomes an alert in the outbox."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from monitor.detection.incidents import detect_and_update
from monitor.errors import ConfigError
from monitor.pipeline.results import DetectionResult
from monitor.settings import Settings
from monitor.storage.advisory import try_xact_lock
from monitor.storage.tables import Alert


def run_detection(engine: Engine, settings: Settings, *, now: datetime) -> DetectionResult:
    """One detection pass over every brand; the result counts the alert events recorded meanwhile, by kind.

    Counted from the Alert rows (the typed record of each change) until detection returns typed changes itself.
    """
    before = _last_alert_id(engine)
    changes = detect_and_update(engine, settings, now=now)
    return DetectionResult(events=_events_after(engine, before), changes=tuple(changes))


def run_brand_detection(engine: Engine, settings: Settings, brand_id: str, *,
                        now: datetime) -> DetectionResult | None:
    """One brand's pass under its advisory lock (PostgreSQL); None when another worker is running it now.

    Scale-out runs one task per brand: a brand is detected by one worker at a time, and brands spread over workers.
    """
    brands = [b for b in settings.brands if b.id == brand_id]
    if not brands:
        raise ConfigError("brands", f"no brand {brand_id!r} in the settings; check the [[brands]] ids")
    with try_xact_lock(engine, f"detect:{brand_id}") as held:
        if not held:
            return None
        return run_detection(engine, settings.model_copy(update={"brands": brands}), now=now)


def _last_alert_id(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.max(Alert.id))).one() or 0)


def _events_after(engine: Engine, alert_id: int) -> Counter[str]:
    """Alert rows are the typed record of what changed (one per incident, event and severity)."""
    with Session(engine) as session:
        rows = session.exec(select(Alert.event, func.count()).where(col(Alert.id) > alert_id)
                            .group_by(col(Alert.event))).all()
    return Counter({event: int(count) for event, count in rows})
