"""`groundswell tune`: replay a brand's stored history with other detection settings, judged by feedback.

People mark alerts "useful" or "noise" in the workspace. Tuning exports the brand's stored mentions (with
their stored sentiment, primed into the backtest's score cache, so nothing is scored again), replays them
through the backtest (the same poll, score and detect functions as the service) once per candidate
setting, and matches each replayed incident to the judged ones: same trigger, opened within
``detection.join_minutes``. A candidate is better when it keeps more useful incidents, then drops more
noise, then pages less. The figures are measured on the history the choice was made on, so they flatter
it somewhat; the fewer judged alerts, the more.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.keywords import KeywordSentiment
from monitor.clock import as_utc
from monitor.detection.brand_detector import STORY_MIN_PEOPLE
from monitor.replay.backtest import NO_REMINDERS, run_backtest
from monitor.replay.score_cache import cache_path, text_key
from monitor.runtime import Runtime
from monitor.settings import (
    AppSettings,
    BrandSettings,
    DatabaseSettings,
    EscalationSettings,
    Settings,
    SourceSettings,
)
from monitor.storage.feedback_stats import judged_incidents
from monitor.storage.tables import Mention

SENSITIVITIES = ("low", "default", "high")
STORY_STEPS = (4.5, 6.5, 9.0, 12.0)
Progress = Callable[[str, int, int], None]  # (what, done, of)


@dataclass(frozen=True)
class Candidate:
    sensitivity: str
    story_min_people: float

    @property
    def lines(self) -> str:
        """What to paste under the brand's [[brands]] table."""
        return f'sensitivity = "{self.sensitivity}"\nstory_min_people = {self.story_min_people:g}'


@dataclass(frozen=True)
class Outcome:
    candidate: Candidate
    incidents: int  # incidents the replay alerted on (paged, or to the digest under the page budget)
    pages: int  # of those, how many paged someone
    useful_kept: int
    noise_dropped: int

    def rank(self) -> tuple[int, int, int]:
        return (self.useful_kept, self.noise_dropped, -self.pages)


@dataclass
class TuneReport:
    brand_id: str
    mentions: int
    useful: int  # judged incidents in the replayed span
    noise: int
    current: Outcome
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def best(self) -> Outcome:
        """The best-ranked outcome; the current setting wins ties (no change without a reason)."""
        return max(self.outcomes, key=lambda o: (o.rank(), o.candidate == self.current.candidate))


def current_candidate(settings: Settings, brand: BrandSettings) -> Candidate:
    sensitivity = brand.sensitivity or settings.detection.sensitivity
    return Candidate(sensitivity, brand.story_min_people or STORY_MIN_PEOPLE[sensitivity])


def export_history(engine: Engine, brand_id: str, since: datetime, until: datetime,
                   out: Path) -> dict[str, list[float]]:
    """The brand's stored mentions as a replay file; returns their stored scores keyed as the cache keys them."""
    scores: dict[str, list[float]] = {}
    with Session(engine) as session, out.open("w", encoding="utf-8") as handle:
        rows = session.exec(select(Mention).where(Mention.brand_id == brand_id, Mention.posted_at >= since,
                                                  Mention.posted_at < until).order_by(col(Mention.posted_at)))
        for m in rows:
            handle.write(json.dumps(_replay_row(m)) + "\n")
            if m.p_negative is not None and m.p_neutral is not None and m.p_positive is not None \
                    and not (m.sentiment_model or "").startswith(f"{KeywordSentiment.name}@"):  # not the model's
                scores[text_key(m.text)] = [m.p_negative, m.p_neutral, m.p_positive]
    return scores


def _replay_row(m: Mention) -> dict[str, Any]:
    return {"id": m.external_id, "text": m.text, "posted_at": as_utc(m.posted_at).isoformat(),
            "platform": m.platform, "url": m.url, "author_id": m.author_id, "author_handle": m.author_handle,
            "author_followers": m.author_followers, "lang": m.lang, "reposts": m.reposts, "likes": m.likes,
            "replies": m.replies, "quotes": m.quotes, "conversation_id": m.conversation_id,
            "parent_id": m.parent_id, "quoted_id": m.quoted_id, "reposted_id": m.reposted_id,
            "local_id": m.local_id, "is_brand_reply": m.is_brand_reply}


def replay_settings(settings: Settings, brand: BrandSettings, candidate: Candidate, history: Path,
                    work: Path) -> Settings:
    """The live settings for one brand, its tuning replaced, reading ``history`` into a scratch database."""
    tuned = brand.model_copy(update={"sensitivity": candidate.sensitivity,
                                     "story_min_people": candidate.story_min_people})
    source = SourceSettings.model_validate({"id": "history", "kind": "replay", "brand": brand.id,
                                            "path": str(history), "limit": 100_000})
    return settings.model_copy(update={
        "app": AppSettings(data_dir=work), "database": DatabaseSettings(url=f"sqlite:///{work / 'tune.db'}"),
        "escalation": EscalationSettings(unacknowledged_minutes=NO_REMINDERS), "brands": [tuned],
        "sources": [source], "channels": []})


def candidates(current: Candidate) -> list[Candidate]:
    """Each sensitivity at its own story threshold, and the current sensitivity at each threshold step."""
    found = [Candidate(s, STORY_MIN_PEOPLE[s]) for s in SENSITIVITIES]
    found += [Candidate(current.sensitivity, step) for step in STORY_STEPS]
    return list(dict.fromkeys([current, *found]))


def tune(engine: Engine, settings: Settings, brand_id: str, *, since: datetime, until: datetime, work: Path,
         progress: Progress | None = None) -> TuneReport:
    """Replay ``brand_id``'s history in [since, until) once per candidate; raises ValueError with one line."""
    brand = settings.brand(brand_id)
    judged = judged_incidents(engine, brand_id, since, until)
    if not judged:
        raise ValueError(f"no alert of {brand_id} between {since:%Y-%m-%d} and {until:%Y-%m-%d} has feedback "
                         "yet; mark alerts useful or noise in the workspace first")
    history = work / f"{brand_id}-history.jsonl"
    scores = export_history(engine, brand_id, since, until, history)
    current = current_candidate(settings, brand)
    _prime_scores(replay_settings(settings, brand, current, history, work), history, work, scores)
    window = timedelta(minutes=settings.detection.join_minutes)
    outcomes: list[Outcome] = []
    todo = candidates(current)
    for n, candidate in enumerate(todo):
        if progress:
            progress(f"Replaying {candidate.sensitivity} / stories at {candidate.story_min_people:g}", n, len(todo))
        timeline = _replay(replay_settings(settings, brand, candidate, history, work), history, work)
        outcomes.append(judge(candidate, timeline, judged, window))
    if progress:
        progress("Done", len(todo), len(todo))
    useful = sum(1 for _, _, verdict in judged if verdict)
    return TuneReport(brand_id, sum(1 for _ in history.open(encoding="utf-8")), useful, len(judged) - useful,
                      outcomes[0], outcomes)


def _prime_scores(settings: Settings, history: Path, work: Path, scores: dict[str, list[float]]) -> None:
    """Write the stored scores into the backtest's cache for the configured model: no text is scored again."""
    model = Runtime(settings).model
    path = cache_path(history, model, work)
    path.write_text(json.dumps(scores), encoding="utf-8")


def _replay(settings: Settings, history: Path, work: Path) -> list[dict[str, Any]]:
    out = work / "timeline.jsonl"
    run_backtest(settings, out, input_file=history)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def judge(candidate: Candidate, timeline: list[dict[str, Any]], judged: list[tuple[str, datetime, bool]],
          window: timedelta) -> Outcome:
    """Match each judged incident to a replayed one (same trigger among its facets, opened within ``window``)."""
    opened: dict[int, tuple[set[str], datetime, bool]] = {}
    for event in timeline:
        if event["event"] == "opened" and event["incident"] not in opened:
            facets = {str(event["trigger"]), *map(str, event.get("facets") or [])}
            opened[event["incident"]] = (facets, datetime.fromisoformat(event["opened_at"]),
                                         bool(event.get("paged", True)))
    kept = [any(trigger in facets and abs(at - as_utc(when)) <= window for facets, at, _ in opened.values())
            for trigger, when, _ in judged]
    useful_kept = sum(1 for hit, (_, _, useful) in zip(kept, judged, strict=True) if hit and useful)
    noise_dropped = sum(1 for hit, (_, _, useful) in zip(kept, judged, strict=True) if not hit and not useful)
    return Outcome(candidate, len(opened), sum(1 for *_, paged in opened.values() if paged), useful_kept,
                   noise_dropped)
