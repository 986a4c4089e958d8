"""Detection: open, join, escalate and resolve incidents; each change becomes an alert in the outbox.

Detection returns typed ``IncidentChange`` records; here, in the same transaction, each becomes an
``Alert`` and (when it pages, within the brand's page budget) its outbox rows (``alerting.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from monitor.detection import due
from monitor.detection.brand_detector import Finding as DetectorFinding
from monitor.detection.changes import IncidentChange
from monitor.detection.incidents import detect_brand
from monitor.detection.quiet import busy_brands, due_incidents, quiet_findings
from monitor.detection.warmup import advance_with_commit, save_checkpoint, shared_detectors, sharing_detectors
from monitor.errors import ConfigError
from monitor.pipeline.alerting import record_alerts
from monitor.pipeline.results import DetectionResult
from monitor.settings import BrandSettings, Settings
from monitor.storage.advisory import try_xact_lock
from monitor.storage.engine import transaction, with_retries


def run_detection(engine: Engine, settings: Settings, *, now: datetime,
                  found: Mapping[str, Sequence[DetectorFinding]] | None = None,
                  examined: bool = False) -> DetectionResult:
    """One detection pass over every brand; the result counts the alert events recorded, by kind.

    Brands with nothing new and nothing open cost no query of their own: one statement finds the busy
    brands, and the rest only move their warm detector on in memory (``monitor.detection.quiet``).
    ``found``: what a brand's detector already found at ``now`` on mentions the caller fed it and stored as
    examined (a backtest's replay loop), handled as this pass's findings for that brand. ``examined``: the caller
    fed every brand's detector all the rows it stored, and stored them as examined (so none is looked for).
    """
    found = found or {}
    if stale := due.unsynced(settings):  # first pass here, or the checks' settings changed: re-time them all
        with_retries(partial(_resync, engine, settings, stale, now))
    everyone = all(found.get(b.id) for b in settings.brands)  # then nobody asks whether they are busy
    busy = set() if everyone else with_retries(partial(_busy_brands, engine, now, examined))
    changes: list[IncidentChange] = []
    for brand in settings.brands:
        given = found.get(brand.id)
        changes.extend(with_retries(partial(_detect_one, engine, settings, brand, now, brand.id in busy, given,
                                            examined)))
    return DetectionResult(events=Counter(c.event for c in changes), changes=tuple(c.line for c in changes))


def _resync(engine: Engine, settings: Settings, brand_ids: list[str], now: datetime) -> None:
    with transaction(engine) as session:
        due.resync(session, brand_ids, now)
    due.synced(settings, brand_ids)


def _busy_brands(engine: Engine, now: datetime, examined: bool = False) -> set[str]:
    """``busy_brands``; ``examined``: no row waits to be examined, so only due incidents make a brand busy (the
    unexamined half walks every row detection skips: the brand's own replies and unscored rows pile up in a replay)."""
    with Session(engine) as session:
        if examined:
            return {str(b) for b in session.exec(due_incidents(now))}
        return busy_brands(session, now)


def _detect_one(engine: Engine, settings: Settings, brand: BrandSettings, now: datetime,
                busy: bool, given: Sequence[DetectorFinding] | None = None,
                examined: bool = False) -> list[IncidentChange]:
    # the in-memory detector moves on only if this transaction commits (else a retry finds nothing new)
    # a worker sharing brands always runs the full pass: its warm detector may be behind the checkpoint
    with advance_with_commit(settings, brand.id):
        early = given or (None if busy or sharing_detectors() else quiet_findings(settings, brand, now))
        if early == []:
            return []  # nothing new, nothing open, nothing found: no transaction at all
        with transaction(engine) as session:
            found = detect_brand(session, settings, brand, now, early or (), examined=examined)
            record_alerts(session, settings, found, now)
            save_checkpoint(session, settings, brand.id, now)  # only inside shared_detectors()
        return found


def run_brand_detection(engine: Engine, settings: Settings, brand_id: str, *,
                        now: datetime) -> DetectionResult | None:
    """One brand's pass under its advisory lock (PostgreSQL); None when another worker is running it now.

    Scale-out runs one task per brand: a brand is detected by one worker at a time, and brands spread over workers.
    """
    brands = [b for b in settings.brands if b.id == brand_id]
    if not brands:
        raise ConfigError("brands", f"no brand {brand_id!r} in the settings; check the [[brands]] ids")
    with try_xact_lock(engine, f"detect:{brand_id}") as held, shared_detectors():
        if not held:
            return None
        return run_detection(engine, settings.model_copy(update={"brands": brands}), now=now)
