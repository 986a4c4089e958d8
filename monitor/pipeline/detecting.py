"""Detection: open, join, escalate and resolve incidents; each change becomes an alert in the outbox.

Detection returns typed ``IncidentChange`` records; here, in the same transaction, each becomes an
``Alert`` and (when it pages, within the brand's page budget) its outbox rows (``alerting.py``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.engine import Engine

from monitor.detection.changes import IncidentChange
from monitor.detection.incidents import detect_brand
from monitor.detection.warmup import advance_with_commit, save_checkpoint
from monitor.errors import ConfigError
from monitor.pipeline.alerting import record_alerts
from monitor.pipeline.results import DetectionResult
from monitor.settings import BrandSettings, Settings
from monitor.storage.advisory import try_xact_lock
from monitor.storage.engine import transaction, with_retries


def run_detection(engine: Engine, settings: Settings, *, now: datetime) -> DetectionResult:
    """One detection pass over every brand; the result counts the alert events recorded, by kind."""
    changes: list[IncidentChange] = []
    for brand in settings.brands:
        def work(brand: BrandSettings = brand) -> list[IncidentChange]:
            # the in-memory detector moves on only if this transaction commits (else a retry finds nothing new)
            with advance_with_commit(settings, brand.id), transaction(engine) as session:
                found = detect_brand(session, settings, brand, now)
                record_alerts(session, settings, found, now)
                save_checkpoint(session, settings, brand.id, now)
                return found
        changes.extend(with_retries(work))
    return DetectionResult(events=Counter(c.event for c in changes), changes=tuple(c.line for c in changes))


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
