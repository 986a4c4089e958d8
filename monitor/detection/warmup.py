"""Adaptive detection over stored mentions: the seasonal, budget-calibrated detector of detect.py.

Each brand's ``BrandDetector`` is held in memory by the process that ran it (rolled back through
``journal.py`` when a pass fails).  Scale-out workers, which pass brands between them, also checkpoint it in
the database after every pass (``checkpoint.py``, inside ``shared_detectors()``) and resume from there; only
with no usable checkpoint is it warmed up from the brand's stored, already-examined mentions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from monitor.clock import as_utc
from monitor.detection import checkpoint, journal
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation
from monitor.detection.brand_detector import Finding as DetectorFinding
from monitor.detection.simple_rules import Finding
from monitor.registry import GROUPS, plugin_class
from monitor.settings import BrandSettings, Settings
from monitor.settings.sections import SourceSettings
from monitor.storage.tables import Mention, SourceState

TRIGGERS = {"spike": "spike", "build": "spike", "story": "story", "churn": "churn_threat", "reach": "high_reach",
            "repeat": "repeat_complainer"}
TITLES = {"spike": "Negative mentions are spiking", "story": "One complaint is spreading",
          "churn_threat": "A customer threatens to leave", "high_reach": "Complaint from a high-reach account",
          "repeat_complainer": "A customer keeps complaining"}
BUCKET = timedelta(minutes=5)
WARM_UP = timedelta(days=28)
_BANKS: dict[str, dict[str, BrandDetector]] = {}
_SHARED: ContextVar[bool] = ContextVar("shared_detectors", default=False)


@contextmanager
def shared_detectors() -> Iterator[None]:
    """Detectors read from and written to database checkpoints, for workers that hand brands to each other.

    A single process (the service, the CLI, a backtest) holds its detectors in memory and skips the
    checkpoint's read and write (a busy brand's pickle is ~2 MB and ~100 ms)."""
    token = _SHARED.set(True)
    try:
        yield
    finally:
        _SHARED.reset(token)


def sharing_detectors() -> bool:
    """True inside ``shared_detectors()``: another worker may have moved the brand on since this one."""
    return _SHARED.get()


def brand_config(settings: Settings, brand: BrandSettings) -> BrandConfig:
    """The brand's own sensitivity and story threshold where it has them, else [detection]'s."""
    return BrandConfig.for_sensitivity(brand.sensitivity or settings.detection.sensitivity, brand.story_min_people)


def detector_for(session: Session, settings: Settings, brand: BrandSettings, now: datetime) -> BrandDetector:
    """The brand's detector as last committed: held here, or the database checkpoint, or warmed up anew."""
    bank = _BANKS.setdefault(settings.database_url(), {})
    cfg = brand_config(settings, brand)
    held = bank.get(brand.id)
    detector = checkpoint.resume(session, brand.id, cfg, held) if _SHARED.get() else held
    fresh = detector is None
    if detector is None:
        detector = BrandDetector(cfg)
        detector.warm_up(_history(session, brand.id, now))
    # new here (a restart too), or no mention yet (its sources may have polled since): how long were they watching?
    if (fresh or detector.closed_until is None) and (since := watched_since(session, settings, brand.id)):
        detector.watch_from(since)
    bank[brand.id] = detector
    return detector


def held_detector(settings: Settings, brand_id: str) -> BrandDetector | None:
    """The detector this process used for the brand last (the one a pass just advanced), if any."""
    return _BANKS.get(settings.database_url(), {}).get(brand_id)


@contextmanager
def advance_with_commit(settings: Settings, brand_id: str) -> Iterator[None]:
    """Detector state advances only if the pass it belongs to commits.

    ``BrandDetector.run`` remembers what it saw (``seen``, ``fired``, open buckets) as it runs, before the
    incidents are written.  If that transaction then fails (a dropped connection, a locked file, any bug),
    the retry would hand the same mentions to a detector that already saw them, find nothing new, and the
    incidents would be lost.  So on any failure the detector is put back as of the last commit: rebuilt
    from its snapshot and the runs committed since (``journal``; a pickle per pass cost ~15 ms for a
    busy brand, most of a backtest).  A detector without a checkpoint (new in this pass, or one that
    cannot be pickled) is dropped instead and warmed up again from what was committed, as after a restart.
    Every ``detector.run`` inside the pass goes through ``journal.run``.
    """
    url = settings.database_url()
    existed = brand_id in _BANKS.get(url, {})
    journal.begin(url, brand_id)
    try:
        yield
    except BaseException:
        bank = _BANKS.setdefault(url, {})
        restored = journal.rolled_back(url, brand_id) if existed else None
        if restored is None:
            bank.pop(brand_id, None)
            journal.forget(url, brand_id)
        else:
            bank[brand_id] = restored
        raise
    if (detector := _BANKS.get(url, {}).get(brand_id)) is not None:
        journal.committed(url, brand_id, detector)


def warm_detector(settings: Settings, brand_id: str) -> BrandDetector | None:
    """The brand's detector if this process has one already (None: the next full pass warms it up)."""
    return _BANKS.get(settings.database_url(), {}).get(brand_id)


def forget_detectors() -> None:
    """Drop in-memory state (tests; or a configuration reload that changed sensitivity)."""
    _BANKS.clear()
    journal.forget()


def watched_since(session: Session, settings: Settings, brand_id: str) -> datetime | None:
    """Since when every source of the brand has covered it: the latest of their last successful poll's time minus
    their lookback (recorded in ``sources``, so it holds after a restart).

    A live source's first poll reads back ``lookback_hours`` (X 6 h, the others 24 h) and each later one reads on
    from where the last stopped (after an outage, at most that far back again), so it has covered the brand from
    its last successful poll less its lookback on: an empty first poll watched those hours and saw nothing. A
    source without a lookback (a feed, a replay) tells nothing and is passed over; None while one with a lookback
    has not polled successfully yet (the brand's past there is unknown), or where none has one, as in a backtest."""
    starts = []
    for source in settings.sources:
        if brand_id not in source.served or not source.enabled or (hours := _lookback_hours(source)) is None:
            continue
        state = session.get(SourceState, source.id)
        if state is None or state.last_success_at is None:
            return None
        starts.append(as_utc(state.last_success_at) - timedelta(hours=hours))
    return max(starts, default=None)


def _lookback_hours(source: SourceSettings) -> float | None:
    """The source's ``lookback_hours``, its plugin's default where not set (None: its kind has no lookback)."""
    try:
        options = plugin_class(GROUPS["sources"], source.kind).Options.model_validate(source.options())
    except Exception:  # an unloadable plugin or refused options: it polled under other settings, so no claim
        return None
    hours = getattr(options, "lookback_hours", None)
    return float(hours) if isinstance(hours, int | float) else None


def _history(session: Session, brand_id: str, now: datetime) -> list[tuple[datetime, int, int]]:
    """(bucket start, unique negative authors, all mentions) per 5 min, gaps filled with zeros."""
    rows = session.exec(select(Mention.posted_at, Mention.author_id, Mention.sentiment).where(
        Mention.brand_id == brand_id, col(Mention.detected_at).is_not(None),
        Mention.posted_at >= now - WARM_UP, Mention.posted_at < now)).all()
    if not rows:
        return []
    authors: dict[datetime, set[str]] = defaultdict(set)
    totals: dict[datetime, int] = defaultdict(int)
    for posted_at, author, sentiment in rows:
        moment = as_utc(posted_at)
        start = moment - timedelta(seconds=moment.timestamp() % BUCKET.total_seconds())
        totals[start] += 1
        if sentiment == "negative":
            authors[start].add(author)
    first, last = min(totals), max(totals)
    steps = int((last - first) / BUCKET) + 1
    buckets = [first + i * BUCKET for i in range(steps)]
    return [(b, len(authors.get(b, ())), totals.get(b, 0)) for b in buckets]


def observation(m: Mention) -> Observation:
    signals = m.signals or {}
    return Observation(posted_at=as_utc(m.posted_at), author_id=f"{m.platform}:{m.author_id}",
                       negative_weight=float(m.p_negative or 0.0), is_negative=m.sentiment == "negative",
                       text=m.text, followers=m.author_followers, story_key=m.quoted_id or m.reposted_id,
                       ref=str(m.id), churn_threat=bool(signals.get("churn_threat")), embedding=m.embedding,
                       post_id=m.local_id or m.external_id, reply_to=m.parent_id)


def translate(brand_id: str, found: DetectorFinding, handles: dict[str, str]) -> Finding:
    """The detector's finding as the incident layer's, with the brand in the key."""
    trigger = TRIGGERS.get(found.kind, found.kind)
    reason = found.reason
    for author, handle in handles.items():
        reason = reason.replace(author, f"@{handle}")
    counts = found.counts
    mentions = int(counts.get("mentions", counts.get("negative", counts.get("complaints", len(found.refs) or 1))))
    return Finding(trigger, f"{trigger}:{brand_id}:{found.key}", found.severity, TITLES.get(trigger, trigger),
                   reason[:1000], [int(r) for r in found.refs if r.isdigit()], mentions,
                   int(counts.get("authors", 1)), dict(counts), found.posts,
                   _joined_key(brand_id, found.joins),
                   tuple(f"{trigger}:{brand_id}:{alias}" for alias in found.aliases))


def _joined_key(brand_id: str, key: str) -> str:
    """The incident layer's key of the finding named by a detector key ("spike:..." or "story:..."; "": none)."""
    kind = key.split(":", 1)[0]
    return f"{TRIGGERS.get(kind, kind)}:{brand_id}:{key}" if key else ""


def save_checkpoint(session: Session, settings: Settings, brand_id: str, now: datetime) -> None:
    """After an adaptive pass: its detector goes into the pass's transaction (nothing for the simple rule)."""
    detector = held_detector(settings, brand_id)
    if _SHARED.get() and settings.detection.engine == "adaptive" and detector is not None:
        checkpoint.save(session, brand_id, detector, now)
