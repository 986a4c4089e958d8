"""One wave, one thread: a paged wave's incident stays alive while the brand is elevated, and a story that retells
the wave's complaints joins it instead of paging again.

Why (issue #12): a day of cancellations paged twice on an airline week. The wave test (``wave.py``) paged first;
its incident then heard nothing more (the wave test pages once per wave) and resolved as quiet three hours later,
while the surge went on; 8-13 hours in, the people retelling the cancellations formed a story, which paged as a new
incident. So while the wave test still says the brand is elevated (its last hours at ``quiet_ratio`` times the usual
or more), every hour the detector says so again: an update of the wave's finding (``escalation``), which keeps its
incident active without a new page. And a story that first pages while the wave is elevated joins the wave's
incident (``Finding.joins``: its key) when most of its people came since the wave began and it tells what the
wave's complainers told when it paged: ``MIN_SHARED`` of its words are the wave's (far more common among the
complaints of the wave's window than among the brand's stories) and, with sentence vectors, its centroid is close to
the mean vector of those complaints. What the wave told is fixed when it pages: complaints after that would let an
unrelated story of the same hours (a joke going round) make the wave's words its own. Such a story still opens its
own incident. Once the brand is no longer elevated the thread stops, and the incident resolves as before.

State: the paged wave's key and start, the complaint words and vectors of the last few hours (the wave's window) and
what the wave told. Plain dicts and lists; a detector pickled before this module existed gets an empty one.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from monitor.detection.findings_text import Finding, Observation
from monitor.detection.stories import StoryTracker
from monitor.detection.story_text import WordStats, content_words
from monitor.detection.story_vectors import DIM, cached_vector
from monitor.detection.wave import WaveTest

STILL = "still"  # marks the hourly finding that a paged wave goes on (wave_incident.STILL)

NEW_SHARE = 0.5  # at least this share of the story's people (of its last day) came since the wave began
MIN_SHARED = 3  # words of the story that are the wave's
LIFT = 3.0  # a wave's word: this many times more common among its complaints than among the brand's stories
MIN_COUNT = 3.0  # ... and said by at least this many of its complaints
# the story's centroid this close to the mean vector of the wave's complaints when it paged (when both have one):
# on airline_episodes.py --split tune, stories retelling the surge had 0.81-0.93, a mockery told during it 0.44-0.61
MIN_COS = 0.7
MAX_WORDS = 400  # words kept per profile (the most said)
POST_SHARED = 2  # one complaint tells the wave: this many of the wave's words ...
POST_COS = 0.5  # ... and its sentence vector this close to the mean of the wave's complaints when it paged
MAX_PEOPLE = 5000  # tellers kept per wave (the earliest dropped first)


def _profile() -> dict[str, Any]:
    """What a set of complaints said: word counts, how many complaints, the sum of their unit vectors."""
    return {"words": {}, "n": 0.0, "vec": np.zeros(DIM), "nv": 0}


def _add(into: dict[str, Any], words: dict[str, float], n: float, vec: np.ndarray | None, nv: int) -> None:
    counts: dict[str, float] = into["words"]
    for word, count in words.items():
        counts[word] = counts.get(word, 0.0) + count
    if len(counts) > 2 * MAX_WORDS:  # the most said (ties: the first said), so the state stays small
        into["words"] = dict(sorted(counts.items(), key=lambda item: -item[1])[:MAX_WORDS])
    into["n"] += n
    if vec is not None and nv:
        np.add(into["vec"], vec, out=into["vec"])  # each profile owns its sum
        into["nv"] += nv


def _plain(profile: dict[str, Any]) -> dict[str, Any]:
    return {**profile, "vec": [float(x) for x in profile["vec"]]}


def _restored(profile: dict[str, Any] | None) -> dict[str, Any]:
    return {**profile, "vec": np.asarray(profile["vec"], dtype=np.float64)} if profile else _profile()


def _packed(profile: dict[str, Any]) -> dict[str, Any]:
    """A profile for a pickle: words as one text, the vector as bytes (no word or dtype object shared with the rest
    of the detector, whose sharing a pickle records)."""
    return {**profile, "words": "\n".join(profile["words"]), "counts": list(profile["words"].values()),
            "vec": profile["vec"].tobytes()}


def _unpacked(profile: dict[str, Any]) -> dict[str, Any]:
    words = [sys.intern(w) for w in profile["words"].split("\n")] if profile["words"] else []
    return {"words": dict(zip(words, profile["counts"], strict=True)), "n": profile["n"],
            "vec": np.frombuffer(profile["vec"], dtype=np.float64).copy(), "nv": profile["nv"]}


def _texts(values: dict[str, float]) -> tuple[str, list[float]]:
    """Names (people, story ids) as one text for a pickle, as ``_packed`` does with words."""
    return "\n".join(values), list(values.values())


def _untexts(packed: tuple[str, list[float]]) -> dict[str, float]:
    names = [sys.intern(n) for n in packed[0].split("\n")] if packed[0] else []
    return dict(zip(names, packed[1], strict=True))


class WaveThread:
    """The wave that paged (``key``) while the wave test holds it open; what its complainers said."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        st = state or {}
        self.key: str | None = st.get("key")  # the wave's finding key (None: no paged wave open)
        self.began: float = float(st.get("began", 0.0))  # the start of the window that paged
        self.severity: int = int(st.get("severity", 2))
        self.elevated: bool = bool(st.get("elevated", False))  # at the last whole hour
        self.checked: int | None = st.get("checked")  # the wave test's hour last looked at
        self.slots = {h: _restored(p) for h, p in st.get("slots", {}).items()}  # hour -> profile, the last hours
        self.told = _restored(st.get("told"))  # the complaints of the window that paged
        self.marks: list[str] = list(st.get("marks", []))  # the wave's words when it paged (wave_words), sorted
        self.people: dict[str, float] = dict(st.get("people", {}))  # who told the wave since it paged, and when
        self.news: dict[str, float] = dict(st.get("news", {}))  # story id -> when it last paged or escalated (a day)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "began": self.began, "severity": self.severity, "elevated": self.elevated,
                "checked": self.checked, "slots": {h: _plain(p) for h, p in self.slots.items()},
                "told": _plain(self.told), "marks": self.marks, "people": self.people,
                "news": self.news}

    def __getstate__(self) -> dict[str, Any]:
        """For a checkpoint (pickle): words as text, so the bytes never depend on which word objects the stories
        share with it (a detector rebuilt from its journal must pickle as the one that ran on)."""
        return {**vars(self), "slots": {h: _packed(p) for h, p in self.slots.items()}, "told": _packed(self.told),
                "marks": "\n".join(self.marks), "people": _texts(self.people), "news": _texts(self.news)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        marks = str(state.get("marks", ""))  # a format-4 pickle from before marks, people and news: none
        self.__dict__.update({**state, "slots": {h: _unpacked(p) for h, p in state["slots"].items()},
                              "told": _unpacked(state["told"]), "marks": marks.split("\n") if marks else [],
                              "people": _untexts(state.get("people", ("", []))),
                              "news": _untexts(state.get("news", ("", [])))})

    def note(self, obs: Observation, ts: float, keep_h: int) -> None:
        """A complaint: into its hour's profile (the last ``keep_h`` + 1 hours are kept: a wave's window)."""
        if not obs.is_negative:
            return
        hour = int(ts // 3600)
        words = dict.fromkeys(content_words(obs.text), 1.0)
        vec = cached_vector(obs.embedding) if obs.embedding else None
        slot = self.slots.setdefault(str(hour), _profile())
        _add(slot, words, 1.0, vec, 1)
        if self.key is not None and self.tells(words, vec):
            self.people[obs.author_id] = ts
            if len(self.people) > MAX_PEOPLE:  # the earliest tellers go first
                del self.people[min(self.people, key=self.people.__getitem__)]
        if len(self.slots) > keep_h + 1:
            for old in sorted(self.slots, key=int)[:-(keep_h + 1)]:
                del self.slots[old]

    def window(self, start: float, hours: int) -> dict[str, Any]:
        """The complaints of the wave test's window ending at ``start`` (its last ``hours`` whole hours)."""
        began, told = start - start % 3600 - hours * 3600, _profile()
        for hour, slot in self.slots.items():
            if int(hour) * 3600 >= began:
                _add(told, slot["words"], slot["n"], slot["vec"], slot["nv"])
        return told

    def begin(self, wave: Finding, start: float, hours: int, stats: WordStats) -> None:
        """The wave test paged ``wave`` at ``start``: its window's complaints are the first it told, and its words
        then (``marks``) say from now on which complaints tell it (``tells``)."""
        self.key, self.severity, self.elevated = wave.key, wave.severity, True
        self.began = start - start % 3600 - hours * 3600
        self.checked = int(start // 3600)
        self.told = self.window(start, hours)
        self.marks, self.people = sorted(self.wave_words(stats)), {}

    def tick(self, wave: WaveTest) -> list[Finding]:
        """After the wave test judged a new hour: while the paged wave is still elevated, an update of its finding
        (it keeps the wave's incident active: no new page); once the wave test closes it, the thread ends."""
        if wave.hour is None or wave.hour == self.checked:
            return []
        self.checked = wave.hour
        if self.key is None:
            return []
        if not wave.open:
            self.key, self.elevated, self.told, self.marks, self.people = None, False, _profile(), [], {}
            return []
        (people, _, _), past = wave.usual()
        usual = statistics.median(p[0] for p in past) if past else 0.0
        self.elevated = people >= wave.cfg.quiet_ratio * max(usual, 1.0)
        if not self.elevated:
            return []
        ratio = people / max(usual, 1.0)
        reason = (f"Still {people:.0f} negative people in the last {wave.cfg.hours} h, {ratio:.1f}x the usual"
                  f" for these hours ({usual:.0f})")
        counts = {"authors": people, "expected": round(usual, 2), "ratio": round(ratio, 2),
                  "window_min": wave.cfg.hours * 60.0, STILL: 1.0}  # no examples: see wave_incident.py
        return [Finding("spike", self.key, self.severity, reason, counts, (), escalation=True)]

    def wave_words(self, stats: WordStats, told: dict[str, Any] | None = None) -> set[str]:
        """The words the wave's complaints (``told``: those of another window) say far more often than the brand's
        stories do."""
        told = self.told if told is None else told
        n, docs = max(told["n"], 1.0), stats.docs + 1.0
        return {w for w, c in told["words"].items()
                if c >= MIN_COUNT and c / n >= LIFT * (stats.df.get(w, 0.0) + 1.0) / docs}

    def tells(self, words: dict[str, float] | set[str], vec: np.ndarray | None) -> bool:
        """A complaint that tells what the wave told when it paged: ``POST_SHARED`` of its words are the wave's and,
        when it and the wave's complaints have sentence vectors, it is at cosine ``POST_COS`` or more from their
        mean."""
        if len(self.marks) < POST_SHARED or sum(w in words for w in self.marks) < POST_SHARED:
            return False
        if vec is None or not self.told["nv"]:
            return True
        norm = float(np.linalg.norm(self.told["vec"]))
        return norm > 0 and float(vec @ self.told["vec"]) / norm >= POST_COS

    def hear(self, stories: Iterable[str], ts: float) -> None:
        """These stories paged or escalated at ``ts`` (their incidents are open for a while): kept for a day."""
        if stories:
            self.news = {sid: t for sid, t in self.news.items() if t >= ts - 86400} | dict.fromkeys(stories, ts)

    def member(self, obs: Observation) -> str:
        """The paged wave's key when this person is part of it while it is elevated: they told it since it paged
        (``note`` saw this post first: a post telling it makes its author one), else ""."""
        return self.key if self.key is not None and self.elevated and obs.author_id in self.people else ""

    def story(self, finding: Finding, tracker: StoryTracker) -> Finding:
        """A story's finding as it stands, or, when it retells the elevated wave, the same finding as news of the
        wave's incident (``joins``; ``escalation``: no page of its own). Its people are those of its last day: an old
        story of the same grievance woken by the wave (its escalation) is the wave's too, if the wave's people woke
        it; its own incident, if still open, keeps it (the incident layer tries its own key first)."""
        if self.key is None or not self.elevated or finding.kind != "story":
            return finding
        sid = finding.key.removeprefix("story:")
        story = tracker.stories.get(sid)
        if story is None:
            return finding
        day = [v.real for v in story.authors.values() if v.real >= story.last_ts - tracker.cfg.long_window_s]
        if not day or sum(t >= self.began for t in day) < NEW_SHARE * len(day):
            return finding
        if len(self.wave_words(tracker.stats) & set(story.words)) < MIN_SHARED:
            return finding
        mine = tracker.lookup.vectors.centroid(sid)
        if mine is not None and self.told["nv"]:
            theirs: np.ndarray = self.told["vec"]
            norm = float(np.linalg.norm(theirs))
            if norm <= 0 or float(mine @ theirs) / norm < MIN_COS:
                return finding
        return replace(finding, escalation=True, joins=self.key)
