"""The replay loop of a backtest: ingest rows at their posted time, run the incident layer when it matters.

Why: the service runs poll -> score -> detect every few minutes; replaying two weeks that way costs one
full pass of the incident layer per 5-minute step (~25 ms each, whatever the volume). Here rows go into
the database already scored (from the cache) in one statement per step, and the brand's own detector
(the one the incident layer holds, ``warmup.detector_for``) examines them right there, as the pass would:
the rows are stored as examined, and what it finds goes to the incident layer (``run_detection``, the
service's own code) as that pass's findings. The incident layer runs at the steps with findings, when an
open incident's quiet period ends (resolution), and at least every ``sync`` minutes while incidents are
open (other timers: unanswered complaints, reminders), else hourly. Pages and resolutions come at the
same minute as stepping every 5 minutes would; other timed escalations at most ``sync`` minutes late.
``exact=True`` runs the whole pass at every step instead (the reference the fast loop is tested against).
Rows get their ids here (the replay's database is this loop's alone), so the detector's example ids are
the stored rows' ids, as when the pass reads them back. Examined rows wait in memory and go into the
database in one statement and commit just before the incident layer runs (the only reader of stored rows
between steps) and at the end: a replay that fails stops there, so no pass ever sees a detector ahead of
the rows it was fed; the live service's pass is untouched (its detector still moves only with its commit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from connectors.base import BrandTerms, Mention
from models.routing import Routed
from monitor.clock import as_utc
from monitor.detection import journal
from monitor.detection.brand_detector import Finding, Observation
from monitor.detection.journal import sparse_checkpoints
from monitor.detection.pass_queries import not_resolved
from monitor.detection.warmup import advance_with_commit, detector_for, warm_detector
from monitor.pipeline import run_detection
from monitor.pipeline.scoring import EMBED_LANGUAGES, brand_terms, sentiment_router
from monitor.replay.row_writer import RowWriter
from monitor.replay.score_cache import CachedModel, SignalCache, VectorCache
from monitor.settings import Settings
from monitor.storage import incident_due
from monitor.storage.engine import transaction
from monitor.storage.mentions import mention_row
from monitor.storage.tables import Incident
from monitor.storage.tables import Mention as MentionRow

MAX_ROUTED = 200_000  # (text, language) outcomes remembered before the memo starts again
_MENTIONS: Any = MentionRow.__table__  # type: ignore[attr-defined]
_INCIDENTS: Any = Incident.__table__  # type: ignore[attr-defined]
# the replay's brands' (all of its) open incidents, by the (brand_id, status) index; built once, run on a connection
_OLDEST_ACTIVITY = select(func.min(_INCIDENTS.c.last_activity_at)).where(
    _INCIDENTS.c.brand_id.in_(bindparam("brands", expanding=True)), not_resolved())


@dataclass
class Feed:
    """One source's rows in posted order, and how far the replay has got."""

    source_id: str
    brand_id: str
    rows: list[Mention]
    position: int = 0
    seen: set[tuple[str, str]] = field(default_factory=set)

    def due(self, now: datetime) -> list[Mention]:
        start = self.position
        while self.position < len(self.rows) and self.rows[self.position].posted_at <= now:
            self.position += 1
        fresh = []
        for m in self.rows[start:self.position]:
            if (m.platform, m.external_id) not in self.seen:  # the unique constraint's rule
                self.seen.add((m.platform, m.external_id))
                fresh.append(m)
        return fresh


class Stepper:
    """Feeds and caches of one replay; the brands' detectors are the incident layer's own."""

    def __init__(self, engine: Engine, settings: Settings, feeds: Sequence[Feed], model: CachedModel,
                 signals: SignalCache, *, exact: bool = False, sync: timedelta = timedelta(minutes=60),
                 idle: timedelta = timedelta(hours=1), vectors: VectorCache | None = None) -> None:
        self.engine, self.settings, self.feeds, self.model, self.signals = engine, settings, feeds, model, signals
        self.vectors = vectors
        self.terms = brand_terms(settings)
        self.router = sentiment_router(settings, model)  # what score_pending does, on cached scores
        self.exact = exact or settings.detection.engine != "adaptive"
        self.sync, self.idle = sync, idle
        self.brands = {b.id: b for b in settings.brands}
        with Session(engine) as session:
            self.next_id = (session.exec(select(func.max(MentionRow.id))).one() or 0) + 1
        self.last_run: datetime | None = None
        self.next_quiet: datetime | None = None
        self.quiet_known = True  # ``next_quiet`` is up to date (else ``_due`` reads it when it needs it)
        self.runs = 0
        self.unstored: list[dict[str, Any]] = []  # examined rows not yet inserted (``flush``)
        self.writer = RowWriter(engine, _MENTIONS)
        self.known: dict[tuple[str, str | None, str], tuple[str, dict[str, Any]]] = {}  # ``_signals``
        self.routed: dict[tuple[str, str], Routed] = {}  # ``_route``

    def step(self, now: datetime) -> None:
        by_brand: dict[str, list[dict[str, Any]]] = {}
        for feed in self.feeds:
            by_brand.setdefault(feed.brand_id, []).extend(self._rows(feed, feed.due(now), now))
        found: dict[str, list[Finding]] = {}
        for brand_id, rows in by_brand.items():
            if self.exact:
                self._store(rows)
            elif findings := self._examine(brand_id, rows, now):
                found[brand_id] = findings
        if self._due(now, bool(found)):
            self.flush()
            run_detection(self.engine, self.settings, now=now, found=found, examined=not self.exact)
            self.last_run, self.runs = now, self.runs + 1
            self.quiet_known = False  # read when a quiet step asks (the pass changed no incident since)

    def flush(self) -> None:
        """Insert the examined rows held since the last pass, in one statement and one commit."""
        rows, self.unstored = self.unstored, []
        self._store(rows)

    def _store(self, rows: list[dict[str, Any]]) -> None:
        self.writer.write(rows)
        self._reactions(rows)

    def _reactions(self, rows: list[dict[str, Any]]) -> None:
        """Rows that answer, quote or repost a post make the brand's watched high-reach complaints due (their
        review counts reactions), as storing them in the service does (``incident_due.reactions_stored``)."""
        naming = [r for r in rows if any(r.get(name) for name in incident_due.NAMING)]
        if naming:
            with transaction(self.engine) as session:
                for brand_id in dict.fromkeys(r["brand_id"] for r in naming):
                    incident_due.reactions_stored(session, brand_id, naming, naming[-1]["ingested_at"])

    def _examine(self, brand_id: str, rows: list[dict[str, Any]], now: datetime) -> list[Finding]:
        """What the pass's first half does: the brand's detector reads its new rows, which are stored as examined.

        Inside ``advance_with_commit``, as in a pass. A warm detector's rows wait for ``flush``; a detector
        warming up reads examined history first, so then they (and any held) are stored now.
        """
        fed = sorted((r for r in rows if r["sentiment"] is not None and not r["is_brand_reply"]),
                     key=lambda r: (as_utc(r["posted_at"]), r["id"]))  # the pass's order: posted_at, id
        for row in fed:
            row["detected_at"] = now
        url = self.settings.database_url()
        with advance_with_commit(self.settings, brand_id):
            detector = warm_detector(self.settings, brand_id)
            if detector is None:
                self.flush()
                with transaction(self.engine) as session:  # before the insert: it warms up from examined history
                    detector = detector_for(session, self.settings, self.brands[brand_id], now)
                    if rows:
                        session.execute(insert(_MENTIONS), rows)
                self._reactions(rows)
            else:
                self.unstored.extend(rows)
            found = journal.run(url, brand_id, detector, [_observation(r) for r in fed], now)
        handles = {f"{r['platform']}:{r['author_id']}": r["author_handle"] for r in fed}
        return [_with_handles(f, handles) for f in found]

    def _due(self, now: datetime, busy: bool) -> bool:
        """Something may change now: a finding, an open incident going quiet, or the sync/idle interval."""
        if self.exact or busy or self.last_run is None or now - self.last_run >= self.idle:
            return True
        if not self.quiet_known:
            self.next_quiet, self.quiet_known = self._next_quiet(), True
        if self.next_quiet is None:
            return False
        return now > self.next_quiet or now - self.last_run >= self.sync

    def _next_quiet(self) -> datetime | None:
        """When the quietest open incident resolves (its last activity + quiet_minutes); None: none open."""
        with self.engine.connect() as connection:
            oldest = connection.execute(_OLDEST_ACTIVITY, {"brands": list(self.brands)}).scalar()
        if oldest is None:
            return None
        return as_utc(oldest) + timedelta(minutes=self.settings.detection.quiet_minutes)

    def _rows(self, feed: Feed, fresh: list[Mention], now: datetime) -> list[dict[str, Any]]:
        if not fresh:
            return []
        brand = self.terms.get(feed.brand_id)
        known = [self._signals(m, feed.brand_id, brand) for m in fresh]
        routed = self._route([m.text for m in fresh], [language for language, _ in known])
        rows = []
        for m, (language, signals), result in zip(fresh, known, routed, strict=True):
            row = mention_row(m, brand_id=feed.brand_id, source_id=feed.source_id, now=now)
            row["id"], row["detected_at"], self.next_id = self.next_id, None, self.next_id + 1
            score, model = result.score, result.model
            if result.reason:  # a row of its own (the others of this text share one dict: one JSON per flush)
                signals = {**signals, "sentiment_reason": result.reason}
            row.update(lang=language, sentiment=result.label, p_negative=score.p_negative if score else None,
                       p_neutral=score.p_neutral if score else None, p_positive=score.p_positive if score else None,
                       sentiment_model=f"{model.name}@{model.version}" if model else None, scored_at=now,
                       signals=signals, embedding=self.vectors.get(m.text)
                       if self.vectors is not None and language in EMBED_LANGUAGES
                       and (result.label == "negative" or self.settings.model.embedding_for == "stories") else None)
            rows.append(row)
        return rows


    def _route(self, texts: list[str], languages: list[str]) -> list[Routed]:
        """What ``router.score`` gives each (text, language), asked once per pair (a repost repeats its text; the
        scores come from the cache, and texts no model reads are read by keywords: each costs more than a lookup)."""
        keys = list(zip(texts, languages, strict=True))
        if len(self.routed) > MAX_ROUTED:
            self.routed.clear()
        missing = list(dict.fromkeys(k for k in keys if k not in self.routed))
        if missing:
            scored = self.router.score([t for t, _ in missing], [language for _, language in missing])
            self.routed.update(zip(missing, scored, strict=True))
        return [self.routed[k] for k in keys]

    def _signals(self, m: Mention, brand_id: str, brand: BrandTerms | None) -> tuple[str, dict[str, Any]]:
        """(language, signals) of a text, one dict per text and brand: rows of one text share it (read-only)."""
        key = (brand_id, m.lang, m.text)
        if (found := self.known.get(key)) is None:
            found = self.known[key] = self.signals.get(m.text, m.lang, brand)
        return found


def _observation(row: dict[str, Any]) -> Observation:
    """What ``warmup.observation`` builds from the stored row, built from the row before it is stored."""
    return Observation(posted_at=as_utc(row["posted_at"]), author_id=f"{row['platform']}:{row['author_id']}",
                       negative_weight=float(row["p_negative"] or 0.0), is_negative=row["sentiment"] == "negative",
                       text=row["text"], followers=row["author_followers"],
                       story_key=row["quoted_id"] or row["reposted_id"], ref=str(row["id"]),
                       churn_threat=bool((row["signals"] or {}).get("churn_threat")),
                       embedding=row.get("embedding"), post_id=row.get("local_id") or row["external_id"],
                       reply_to=row["parent_id"])


def _with_handles(found: Finding, handles: dict[str, str]) -> Finding:
    """The reason with authors' handles, as ``warmup.translate`` writes it from the pass's new rows."""
    reason = found.reason
    for author, handle in handles.items():
        reason = reason.replace(author, f"@{handle}")
    return found if reason == found.reason else replace(found, reason=reason)


def replay(stepper: Stepper, first: datetime, last: datetime, step: timedelta,
           on_step: Callable[[int, int], None] | None = None) -> None:
    """Step the clock from ``first`` to ``last``; the last step always runs the incident layer."""
    steps = int((last - first) / step) + 1
    now = first
    with sparse_checkpoints():  # nothing reads a checkpoint unless a pass fails: one a week, not every 48 steps
        for number in range(steps):
            stepper.step(now)
            if on_step:
                on_step(number, steps)
            now += step
        stepper.flush()
        run_detection(stepper.engine, stepper.settings, now=now)
