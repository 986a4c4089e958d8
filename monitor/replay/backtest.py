"""`groundswell backtest`: replay a mentions file through scoring and detection on a simulated clock.

The same pipeline functions as the service (poll, score, detect); the output is the incident timeline
(JSONL), one line per alert event: when, which incident, trigger and facets, severity, reason, counts and
the ids (from the input file) of its example mentions, so a replay can be judged against labelled data.

Sentiment is scored once per text and model version and cached beside the input (see
:mod:`monitor.replay.score_cache`), so replaying the same file again only runs detection. A file with a
``brand`` column replays every brand as its own brand (rows without one: :mod:`monitor.replay.brand_split`).
Reminders for unacknowledged incidents are off unless asked for (nobody acknowledges anything in a replay, so
they would only add noise).

The clock starts at the file's first post, so each brand starts with no past: unlike a live brand, whose first poll
reads 6-24 hours back and whose detector learns them as its history, a replay judges its first hours as a new
brand's first minutes (nothing pages from volume in the first 15 minutes, which become the usual rate). A file
that begins mid-week can therefore page, or miss, in its first hours what a live brand would not; judge those
hours apart (``benchmarks/cold_start.py`` measures both, ``--backfill-hours``), or give it a past:
``history`` (``groundswell backtest --history-hours N``) hands every brand's rows of the file's first N hours to the
first pass at once, as a live brand's first poll hands it its backfill (the same steps, started N hours later: the
brand's detector learns them as its past, and alerts start from there).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from connectors.base import BrandTerms, ConnectorContext
from connectors.replay import ReplayConnector, ReplayOptions
from models.embedding import OnnxEmbedder, embedder_folder, embedder_identity
from models.loader import model_identity
from monitor.clock import ManualClock, as_utc
from monitor.detection.join_background import insert_only
from monitor.detection.recent_incidents import sole_writer
from monitor.detection.story_text import text_caches
from monitor.detection.warmup import forget_detectors
from monitor.pipeline.scoring import story_embedder
from monitor.replay.brand_split import brand_id as brand_id_of
from monitor.replay.brand_split import split_by_brand
from monitor.replay.parsed_cache import Parsed, parsed
from monitor.replay.schema_template import new_database
from monitor.replay.score_cache import CachedModel, SignalCache, VectorCache, cache_path, text_key
from monitor.replay.stepper import Feed, Stepper, replay
from monitor.runtime import Runtime
from monitor.settings import Settings
from monitor.storage.search import search_index_deferred
from monitor.storage.tables import Alert, Incident, Mention

log = logging.getLogger("groundswell.backtest")
CACHE_KIB = 64 * 1024  # SQLite's page cache per connection (default 2 MiB): a replay re-reads its recent pages
NO_REMINDERS = 10 ** 8  # minutes (190 years): "unacknowledged" never comes due within a replay
# per-text caches of story matching (``story_text.text_caches``) hold every distinct text of the file up to this
# many (~4.4 KB each with sentence vectors: 72 MB at most, for the replay only)
MAX_TEXT_CACHE = 16_384


@dataclass
class BacktestResult:
    events: int
    mentions: int
    scored: int  # posts whose text was not in the cache (the rest came from it)
    cache: Path | None
    brands: list[str] = field(default_factory=list)
    detection_runs: int = 0  # passes of the incident layer (the fast loop skips steps where nothing can happen)
    history: int = 0  # rows handed to the first pass as the brands' past (``history``)


class HistoryTooLong(ValueError):
    """``history`` reaches past the file's last row: nothing would be left to replay."""

    def __init__(self, history: timedelta, span: timedelta) -> None:
        self.span_hours = span / timedelta(hours=1)
        super().__init__(f"a history of {history / timedelta(hours=1):g} hours is longer than the file, which "
                         f"spans {self.span_hours:.1f} hours from its first post to its last")


def backtest_settings(data_dir: Path, mentions: Path, model: str, sensitivity: str, engine: str, *,
                      reminders: bool = False) -> Settings:
    """Settings for a replay in ``data_dir``: one brand, or one per value of the file's ``brand`` column."""
    files = split_by_brand(mentions, data_dir) or {mentions.stem: mentions}
    brands, sources, seen = [], [], set()
    for name, path in sorted(files.items()):
        brand_id = brand_id_of(name) if len(files) > 1 else "brand"
        while brand_id in seen:
            brand_id += "-x"
        seen.add(brand_id)
        brands.append({"id": brand_id, "name": name})
        sources.append({"id": f"file-{brand_id}", "kind": "replay", "brand": brand_id, "path": str(path),
                        "limit": 100_000})
    settings_cls = type("BacktestSettings", (Settings,), {"toml_path": None})
    escalation = {} if reminders else {"unacknowledged_minutes": NO_REMINDERS}
    return settings_cls(  # type: ignore[no-any-return]
        model={"sentiment": model}, detection={"sensitivity": sensitivity, "engine": engine},
        database={"url": f"sqlite:///{(data_dir / 'backtest.db').resolve()}"}, escalation=escalation,
        brands=brands, sources=sources)


def no_rows_line(path: str, problems: list[str]) -> str:
    """One plain line for a file with nothing to replay: the first problems and the fields every row needs."""
    found = "; ".join(problems[:3]) if problems else _nothing_in(Path(path))
    return (f"no usable rows in {path} ({found}); every row needs id, text and posted_at "
            "(JSONL keys or CSV columns, posted_at like 2026-11-02T09:30:00Z)")


def _nothing_in(path: Path) -> str:
    """Why a file without a bad row has no rows: a CSV header alone read as "the file is empty"."""
    try:
        with path.open("rb") as handle:
            lines = [line for line in handle.read(1 << 16).splitlines() if line.strip()]
    except OSError:
        return "the file cannot be read"
    if not lines:
        return "the file is empty"
    return "the file has its header line but no rows under it" if path.suffix.lower() == ".csv" else "no rows"


def _feeds(settings: Settings, input_file: Path | None = None) -> list[Feed]:
    """Every source's rows, parsed by the replay connector (bad rows are reported, not fatal); with
    ``input_file``, what was parsed is cached beside it (``parsed_cache``) and read back next time."""
    feeds = []
    end_of_time = ManualClock(datetime(9999, 1, 1, tzinfo=UTC))
    for source in settings.sources:
        everything = ConnectorContext(source.id, BrandTerms(id=source.brand, name=source.brand), end_of_time)
        options = ReplayOptions.model_validate(source.options())

        def parse(options: ReplayOptions = options, context: ConnectorContext = everything) -> Parsed:
            rows = ReplayConnector(options, context).fetch(None, limit=10**9)
            return rows.mentions, rows.problems

        mentions, problems = parsed(Path(options.path), source.options(), input_file, parse)
        if not mentions:
            raise ValueError(no_rows_line(str(source.options()['path']), problems))
        for problem in problems[:20]:
            log.warning("skipped: %s", problem)
        feeds.append(Feed(source.id, source.brand, sorted(mentions, key=lambda m: m.posted_at)))
    return feeds


def run_backtest(settings: Settings, out: Path, *, step: timedelta = timedelta(minutes=5),
                 on_step: Callable[[int, int], None] | None = None, input_file: Path | None = None,
                 exact: bool = False, keep_search: bool = False,
                 history: timedelta = timedelta(0)) -> BacktestResult:
    """Replay every row at its posted time; write the alert timeline.

    Sentiment comes from the score cache (beside ``input_file``, or the database's folder); texts not
    in it are scored once before the replay starts (no model is loaded when every text is cached).
    ``exact`` runs the incident layer at every step. ``keep_search``: the database is kept, so its
    full-text search index is built (once, at the end). ``history``: the file's first hours are the brands'
    past, as a live first poll's backfill: the clock starts that much later, so its first pass holds them all.
    """
    forget_detectors()
    db_path = Path(settings.database_url().removeprefix("sqlite:///"))
    db_path.unlink(missing_ok=True)
    if input_file is not None:
        new_database(db_path, input_file.parent)  # migrated once per schema revision, not per replay
    feeds = _feeds(settings, input_file)
    texts = [m.text for feed in feeds for m in feed.rows]
    first = min(feed.rows[0].posted_at for feed in feeds).replace(second=0, microsecond=0)
    first -= timedelta(minutes=first.minute % 5)  # steps on 5-minute boundaries, like the detector's buckets
    last = max(feed.rows[-1].posted_at for feed in feeds) + timedelta(hours=4)  # let incidents resolve
    first = _after_history(feeds, first, history)
    runtime = Runtime(settings, clock=ManualClock(first))
    _throwaway(runtime.engine)
    insert_only(runtime.engine)  # the replay only inserts mentions: the hourly background reads what is new
    sole_writer(runtime.engine)  # and only its passes change incidents: a pass's join window is the next one's
    model = _cached_model(runtime, input_file, db_path.parent)
    # posts, repeats included (a first run said "118 read from the cache" of a file with 2 distinct texts)
    scored = sum(1 for text in texts if text_key(text) not in model.cache)
    model.prime(texts)
    signals = SignalCache(model.path.with_name(model.path.name.replace(".scores-", ".signals-").removesuffix(".json")))
    vectors = _vector_cache(settings, model.path)
    if vectors is not None:
        vectors.prime(texts)
    stepper = Stepper(runtime.engine, settings, feeds, model, signals, exact=exact, vectors=vectors)
    with search_index_deferred(runtime.engine, rebuild=keep_search), \
            text_caches(min(len(set(texts)), MAX_TEXT_CACHE)):
        replay(stepper, first, last, step, on_step)
    signals.save()
    events = _write_timeline(runtime, out)
    runtime.engine.dispose()
    history_rows = sum(1 for feed in feeds for m in feed.rows if history and m.posted_at <= first)
    return BacktestResult(events, len(texts), scored, model.path if input_file else None,
                          [b.id for b in settings.brands], stepper.runs, history_rows)


def _after_history(feeds: list[Feed], first: datetime, history: timedelta) -> datetime:
    """The first step once ``history`` is the past: every row posted by then reaches the first pass at once."""
    if history <= timedelta(0):
        return first
    span = max(f.rows[-1].posted_at for f in feeds) - min(f.rows[0].posted_at for f in feeds)
    if history > span:
        raise HistoryTooLong(history, span)
    return first + history


def _cached_model(runtime: Runtime, input_file: Path | None, fallback: Path) -> CachedModel:
    """The sentiment cache for this input, named by the model's (name, version) read from its meta.json,
    so the model itself is loaded only if some text is not cached (a Hugging Face id is loaded to name it)."""
    settings = runtime.settings
    identity = model_identity(settings.model.sentiment)
    named = identity or (runtime.model.name, runtime.model.version)
    path = cache_path(input_file, named, fallback) if input_file else fallback / "scores.json"
    return CachedModel(lambda: runtime.model, path, settings.model.batch_size, identity=named)


def _vector_cache(settings: Settings, scores: Path) -> VectorCache | None:
    """Story vectors, cached beside the scores under the encoder's own name (None: vectors are off)."""
    m = settings.model
    folder = embedder_folder(m.embedding, m.sentiment)
    if folder is None:
        return None
    identity = embedder_identity(folder)
    if identity is None:  # unreadable: loading it says what is wrong
        embedder = story_embedder(settings)
        assert embedder is not None
        identity = embedder.name, embedder.version
    name, version = identity
    stem = scores.name.split(".scores-")[0] if ".scores-" in scores.name else "backtest"

    def load() -> OnnxEmbedder:
        found = story_embedder(settings)
        assert found is not None
        return found

    return VectorCache(load, scores.with_name(f"{stem}.vectors-{name}-{version}.json"))


def _throwaway(engine: Engine) -> None:
    """A replay's database is scratch: no fsync per commit (wall time on slow disks), nothing else changes."""
    def no_sync(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")

    event.listen(engine, "connect", no_sync)
    engine.dispose()  # pooled connections were opened before the listener


def _write_timeline(runtime: Runtime, out: Path) -> int:
    with Session(runtime.engine) as session:
        events = session.exec(select(Alert, Incident).join(Incident, col(Incident.id) == Alert.incident_id)
                              .order_by(col(Alert.created_at), col(Alert.id))).all()
        wanted = {i for _, incident in events for i in (incident.example_mention_ids or [])}
        external = dict(session.exec(select(Mention.id, Mention.external_id)
                                     .where(col(Mention.id).in_(wanted))).all()) if wanted else {}
    with out.open("w", encoding="utf-8") as handle:
        for alert, incident in events:
            details = incident.details or {}
            handle.write(json.dumps({
                "time": as_utc(alert.created_at).isoformat(), "event": alert.event, "paged": alert.paged,
                "incident": incident.id,
                "brand": incident.brand_id, "trigger": incident.trigger,
                "facets": details.get("facets") or [incident.trigger], "severity": alert.severity,
                "status": incident.status, "opened_at": as_utc(incident.opened_at).isoformat(),
                "resolved_at": as_utc(incident.resolved_at).isoformat() if incident.resolved_at else None,
                "reason": incident.reason, "mentions": incident.mention_count, "authors": incident.author_count,
                "example_ids": [external[i] for i in incident.example_mention_ids or [] if i in external],
            }) + "\n")
    return len(events)
