"""Per-brand spread detection: pure, storage-free, state in a plain dict.

``detect_brand(observations, state, cfg, now) -> (findings, state)`` is the one call the pipeline
needs: give it the brand's mentions that are new since the last call (duplicates and late arrivals
are fine) and the state dict it returned last time (``None`` for a new brand). It buckets mentions by
*posted* time into 5-minute buckets, closes buckets that are complete, and runs:

* the spike test (:mod:`monitor.detection.seasonal`: the most negative people in 5 min / 30 min / 3 h in weeks, or a
  first-day burst far above the first hours) on unique negative authors per bucket (bots and one angry user do
  not count many times), gated by a negative-share test so a happy launch does not page;
* story tracking (:mod:`monitor.detection.stories`) on all mentions, weighted by negativity;
* individual triggers: churn threat, a high-reach negative author, a repeat complainer.

A new brand's first call buckets everything it is given, so a connector's first poll (hours of posts before
monitoring began) becomes the brand's past; spikes more than an hour before ``now`` in it are learnt, not reported.
Late mentions (posted in a bucket already closed, e.g. the rest of a backfill capped by a poll's limit) still feed
stories by their posted time but never the spike channel's current window. Findings carry plain-words reasons.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from monitor.detection.brand_config import BRAND_COLD_MIN_BUCKETS, STORY_MIN_PEOPLE, BrandConfig, required_share
from monitor.detection.findings_text import (
    Finding,
    Observation,
    reach_of,
    spike_finding,
    spike_key,
    story_finding,
)
from monitor.detection.individual import individual_findings
from monitor.detection.seasonal import SeriesConfig, SeriesDetector, Step
from monitor.detection.seen_keys import SeenKeys
from monitor.detection.stories import StoryEvent, StoryTracker
from monitor.detection.thread_home import story_member, wave_home
from monitor.detection.watched import early_burst, in_early_minutes
from monitor.detection.wave import WaveTest, told_by_stories, wave_finding
from monitor.detection.wave_thread import WaveThread

__all__ = ["BRAND_COLD_MIN_BUCKETS", "STORY_MIN_PEOPLE", "BrandConfig", "Finding", "Observation", "detect_brand",
           "SeriesDetector", "SeriesConfig", "required_share"]  # settings: brand_config.py


HISTORY_PAGES_S = 3600.0  # a new brand's first pass: spikes in buckets that ended longer ago than this never page


def _empty_bucket() -> dict[str, Any]:
    return {"neg": 0, "total": 0, "authors": [], "reach": 0.0, "refs": []}


class BrandDetector:
    """Stateful wrapper around the pure tests; ``to_dict`` gives the state to persist."""

    def __init__(self, cfg: BrandConfig, state: dict[str, Any] | None = None) -> None:
        self.cfg = cfg
        st = state or {}
        self.series = SeriesDetector(cfg.series, st.get("series"))
        self.stories = StoryTracker(cfg.stories, st.get("stories"))
        self.volume = SeriesDetector(cfg.series, st.get("volume"))  # all mentions: expected hourly volume
        self.wave, self.thread = WaveTest(cfg.wave, st.get("wave")), WaveThread(st.get("thread"))  # wave_thread.py
        self.open: dict[str, dict[str, Any]] = st.get("open", {})
        self.closed_until: float | None = st.get("closed_until")
        self.recent: list[list[float]] = st.get("recent", [])  # [neg, authors, total, expected, reach, usual]
        self.share_base: float | None = st.get("share_base")
        self.share_n: int = st.get("share_n", 0)
        self.seen = SeenKeys.from_state(st.get("seen"))  # dedupe keys, two days (compact: seen_keys.py)
        self.complaints: dict[str, list[float]] = st.get("complaints", {})
        self.fired: dict[str, float] = st.get("fired", {})
        self.last_prune: float = st.get("last_prune", 0.0)
        self.spike_open: str | None = st.get("spike_open")
        self.evaluated_until: float = float(st.get("evaluated_until", 0.0))  # stories were evaluated up to here
        self.watched_from: float | None = st.get("watched_from")  # its sources covered from here on (watch_from)

    def to_dict(self) -> dict[str, Any]:
        return {"series": self.series.to_dict(), "stories": self.stories.to_dict(), "volume": self.volume.to_dict(),
                "open": self.open, "closed_until": self.closed_until, "recent": self.recent,
                "share_base": self.share_base, "share_n": self.share_n, "thread": self.thread.to_dict(),
                "seen": self.seen.to_dict(), "complaints": self.complaints, "fired": self.fired,
                "last_prune": self.last_prune, "spike_open": self.spike_open,
                "evaluated_until": self.evaluated_until, "wave": self.wave.to_dict(),
                "watched_from": self.watched_from}

    def run(self, observations: Sequence[Observation], now: datetime) -> list[Finding]:
        """Ingest new observations, close complete buckets, and return new findings.

        Stories are evaluated at every bucket boundary the batch crosses (in posted time), so a batch of
        an hour (a poll after downtime, a replay that skips quiet steps) tells the same story as twelve
        5-minute batches would.
        """
        t_now = now.timestamp()
        findings: list[Finding] = []
        fired: dict[str, StoryEvent] = {}  # story id -> its first event in this batch
        touched: set[str] = set()
        size, due = self.cfg.bucket_s, 0.0  # due: the boundary at or after the previous mention
        for obs in sorted(observations, key=lambda o: o.posted_at):
            ts = obs.posted_at.timestamp()
            if ts > t_now + self.cfg.future_skew_s or not self._first_time(obs, ts):
                continue
            ts = min(ts, t_now)  # small clock skew: treat as "now"
            if touched and ts > due > self.evaluated_until:  # crossed a boundary: stories as they stood there
                for event in self.stories.evaluate(due, touched):
                    fired.setdefault(event.story_id, event)
                self.evaluated_until, touched = due, set()
            due = math.ceil(ts / size) * size
            sid = self.stories.add(ts, obs.author_id, obs.text, obs.story_key, obs.negative_weight, obs.ref,
                                   reach_of(obs.followers), obs.post_id, obs.embedding, obs.reply_to)
            if sid is not None:
                touched.add(sid)
            self._bucket(obs, ts)
            self.thread.note(obs, ts, self.cfg.wave.hours)
            findings.extend(self._individual(obs, ts, sid))
        findings.extend(self._close_buckets(t_now))
        self.evaluated_until = max(t_now, self.evaluated_until)
        for event in self.stories.evaluate(self.evaluated_until, touched):
            fired.setdefault(event.story_id, event)
        # one finding per story and batch, with its numbers as they stand now (one retelling a wave: news of it)
        findings.extend(self.thread.story(story_finding(self.stories.snapshot(e, self.evaluated_until)), self.stories)
                        for e in fired.values())
        self.thread.hear(fired, self.evaluated_until)  # which stories' incidents had news lately (thread_home.py)
        self._prune(t_now)
        return findings

    def _first_time(self, obs: Observation, ts: float) -> bool:
        key = obs.ref or f"{obs.author_id}|{ts}|{zlib.crc32(obs.text.encode())}"  # stable across restarts
        if key in self.seen:
            return False
        self.seen.add(key, ts)
        return True

    def _bucket(self, obs: Observation, ts: float) -> None:
        start = ts - ts % self.cfg.bucket_s
        if self.closed_until is not None and start < self.closed_until:
            return  # late arrival (backfill): stories only, never the current window
        b = self.open.setdefault(str(int(start)), _empty_bucket())
        b["total"] += 1
        if obs.is_negative:
            b["neg"] += 1
            if obs.author_id not in b["authors"]:
                b["authors"].append(obs.author_id)
                b["reach"] += reach_of(obs.followers)
            if obs.ref and len(b["refs"]) < 5:
                b["refs"].append(obs.ref)

    def _close_buckets(self, t_now: float) -> list[Finding]:
        """Close every complete bucket; on the brand's first close, the backfill's older buckets are its past.

        A live connector's first poll reads hours back (X 6 h, the others 24 h), so a new brand's first pass holds
        its recent history: it is learnt, as ``warm_up`` learns stored history, and only a spike in the last
        ``HISTORY_PAGES_S`` before now pages (a brand added because something is going wrong still pages at once;
        a busy hour at the start of the backfill is old news, not a page).
        """
        size, past = self.cfg.bucket_s, -math.inf
        last_complete = (t_now - self.cfg.grace_s) - (t_now - self.cfg.grace_s) % size - size
        if self.closed_until is None:
            if not (starts := [float(k) for k in self.open]):
                return []
            self.closed_until, past = min(starts), t_now - HISTORY_PAGES_S
        if last_complete - self.closed_until > self.cfg.max_gap_buckets * size:
            self.closed_until = last_complete - self.cfg.max_gap_buckets * size  # long outage: skip
        findings = []
        while self.closed_until <= last_complete:
            bucket = self.open.pop(str(int(self.closed_until)), _empty_bucket())
            found = self._feed(self.closed_until, bucket)
            if self.closed_until + size >= past:
                findings.extend(found)
            self.closed_until += size
        return findings

    def _feed(self, start: float, b: dict[str, Any]) -> list[Finding]:
        when = datetime.fromtimestamp(start, UTC)
        step = self.series.step(when, len(b["authors"]))
        usual = self.volume.step(when, b["total"]).expected
        row = [b["neg"], len(b["authors"]), b["total"], step.expected, b["reach"], usual]
        self.recent = (self.recent + [row])[-12:]
        window = self.recent[-6:]
        neg, total = sum(r[0] for r in window), sum(r[2] for r in window)
        share = neg / total if total else 0.0
        if not step.in_episode and total:
            self._learn_share(share)
        waved = self._wave(start, b)
        if not (step.alert or step.escalated) or share < required_share(self.share_base or 0.0, self.cfg):
            return waved + self._early(start, step, window, share, b)
        opened = self.series.s.episode_start or start
        finding = spike_finding(step, window, share, self.share_base or 0.0, tuple(b["refs"]), opened,
                                 self.cfg.bucket_s)
        if self.wave.open and self.spike_open:  # a record inside a wave that paged: news of the same incident
            finding = replace(finding, key=self.spike_open, escalation=True)
        elif finding.key != self.spike_open:  # opening was held back by the share gate: this opens it
            self.spike_open = finding.key
            finding = replace(finding, escalation=False)
        return waved + [finding]

    def _wave(self, start: float, b: dict[str, Any]) -> list[Finding]:
        """The slow-wave test (wave.py); no page while a record the record test paged is open (the same trouble).
        A wave that paged is said again every hour it stays elevated, as news of its incident (wave_thread.py)."""
        verdict = self.wave.add(start, len(b["authors"]), b["neg"], b["total"])
        opened, still = self.series.s.episode_start, self.thread.tick(self.wave)
        if verdict is None or (opened is not None and self.spike_open == spike_key(opened)):
            return still
        extra = verdict.people - verdict.usual
        if told_by_stories(self.stories.stories.values(), start, verdict.hours) >= 0.5 * extra:
            return still  # most of the extra people are in stories that paged: a second page would say it again
        finding = wave_finding(verdict, start, tuple(b["refs"]))
        self.spike_open = finding.key
        home = wave_home(self.stories, self.thread, start, verdict.hours, extra)  # a story told it first
        self.thread.begin(finding, start, verdict.hours, self.stories.stats)
        return [replace(finding, escalation=True, joins=home) if home else finding]

    def _early(self, start: float, step: Step, window: list[list[float]], share: float,
               b: dict[str, Any]) -> list[Finding]:
        """A burst in the first minutes of a brand whose sources saw nothing before (watched.py): it pages and opens
        the spike episode, so the cold test's later alerts about it are the same incident."""
        if step.in_episode or not in_early_minutes(self.watched_from, self.series.s.first_ts, start):
            return []
        burst = early_burst(self.recent)
        if burst is None:
            return []
        self.series.open_episode(start, "watched")
        hours = step.history_h + self.cfg.bucket_s / 3600
        step = replace(step, alert=True, in_episode=True, kind="watched", window=burst.buckets, count=burst.people,
                       high=0.0, history_h=hours, score=max(step.score, 1.0))
        finding = spike_finding(step, window, share, self.share_base or 0.0, tuple(b["refs"]), start,
                                self.cfg.bucket_s)
        self.spike_open = finding.key
        return [finding]

    def watch_from(self, when: datetime) -> None:
        """The brand's sources have covered it since ``when`` (a first poll's time minus its lookback): if it had no
        mention for an hour or more before its first one, its first minutes are judged by ``_early``."""
        self.watched_from = when.timestamp()

    def warm_up(self, buckets: Sequence[tuple[datetime, int, int]]) -> None:
        """Seed the baselines from stored history: (bucket start, unique negative authors, all mentions).

        For a brand whose detector state was lost or is new but whose mentions are stored; nothing is
        reported for these buckets. Buckets must be in time order and older than the next ``run``.
        """
        for when, authors, total in buckets:
            self.series.step(when, authors)
            self.volume.step(when, total)
            self.wave.add(when.timestamp(), authors, authors, total)
            if total > 0:
                self._learn_share(min(authors / total, 1.0))
            start = when.timestamp() - when.timestamp() % self.cfg.bucket_s
            self.closed_until = max(self.closed_until or start, start + self.cfg.bucket_s)

    def _learn_share(self, share: float) -> None:
        """Usual negative share: a plain mean of what was seen at first, then a slow moving average."""
        self.share_n += 1
        base = self.share_base if self.share_base is not None else share
        self.share_base = base + max(self.cfg.share_rate, 1.0 / self.share_n) * (share - base)

    def _individual(self, obs: Observation, ts: float, sid: str | None) -> list[Finding]:
        """A person's triggers; from someone who is part of an open wave or story, news of it (thread_home.py)."""
        found = individual_findings(obs, ts, self.cfg, self.complaints, self.fired)
        home = (self.thread.member(obs) or story_member(self.stories, obs.author_id, ts, sid)) if found else ""
        return [replace(f, joins=home) for f in found] if home else found

    def _prune(self, t_now: float) -> None:
        """Forget old dedupe keys (oldest first, O(removed)) and, every 6 h, old complaint times."""
        self.seen.prune(t_now)
        if t_now - self.last_prune < 6 * 3600:
            return
        self.last_prune = t_now
        horizon = t_now - self.cfg.repeat_days * 86400
        self.complaints = {k: v for k, v in self.complaints.items() if v and v[-1] >= horizon}
        self.fired = {k: v for k, v in self.fired.items() if v >= horizon}


def detect_brand(observations: Sequence[Observation], state: dict[str, Any] | None,
                 cfg: BrandConfig | None, now: datetime) -> tuple[list[Finding], dict[str, Any]]:
    """Pure entry point: new observations + previous state -> findings + next state."""
    det = BrandDetector(cfg or BrandConfig.for_sensitivity("default"), state)
    findings = det.run(observations, now)
    return findings, det.to_dict()
