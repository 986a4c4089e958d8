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
from monitor.pipeline.alerting import record_alerts
from monitor.pipeline.results import DetectionResult
from monitor.settings import BrandSettings, Settings
from monitor.storage.engine import transaction, with_retries


def run_detection(engine: Engine, settings: Settings, *, now: datetime) -> DetectionResult:
    """One detection pass over every brand; the result counts the alert events recorded, by kind."""
    changes: list[IncidentChange] = []
    for brand in settings.brands:
        def work(brand: BrandSettings = brand) -> list[IncidentChange]:
            with transaction(engine) as session:
                found = detect_brand(session, settings, brand, now)
                record_alerts(session, settings, found, now)
                return found
        changes.extend(with_retries(work))
    return DetectionResult(events=Counter(c.event for c in changes), changes=tuple(c.line for c in changes))
