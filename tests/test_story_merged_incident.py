"""One mockery told in several wordings is one incident; two different stories told at once stay two.

Why (issue #12, ``benchmarks/airline_incidents.py``): the airline week's mockery (one joke about lost bags told
in eight wordings by ~150 people) became two or three story incidents. Two faults: (1) the detector merged two
stories after each had paged, and the merged story's next finding carried only its own key, so it opened a second
incident instead of joining the one the merged-away story had opened; (2) two wordings of the joke whose
sentence vectors are close never merged because a sentiment model reads part of the mockery as neutral, so their
mean negativity differed by more than ``embed_tone``. Real parts: the story tracker, the incident layer on the
test databases, the bundled encoder, and ``run_backtest`` (what ``groundswell backtest`` runs).
"""

from __future__ import annotations

import pickle
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session, col, select

from benchmarks import airline_episodes as ae
from benchmarks import airline_incidents as ai
from benchmarks.spread_text import TWCS, sentiment
from benchmarks.synthetic_spreads import background
from models.embedding import OnnxEmbedder, load_embedder, pack
from monitor.detection.incidents import apply_finding
from monitor.detection.simple_rules import Finding
from monitor.detection.stories import StoryConfig, StoryTracker
from monitor.runtime import Runtime
from monitor.storage.tables import Incident, Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 3, 3, 12, 15, tzinfo=UTC)
needs_airline_tweets = pytest.mark.skipif(not TWCS.exists(), reason="needs the twcs sample in ../shared/data")
LOST = "@brand lost my luggage again, at this point my suitcase has more air miles than I do"  # reads negative
HOLIDAY = "@brand should start selling vacation packages for suitcases, they clearly send them everywhere"
MOCKERY = ["my bag is enjoying a lovely holiday in a city I've never been to, thanks @brand",  # neutral to a model
           "@brand congrats, my suitcase now has a more exciting travel life than me",
           "just checked the tracker, my luggage is touring Europe without me. @brand travel agency for bags",
           "shoutout to @brand for giving my bag the trip of a lifetime while I wear the same socks for day 3"]
TAILS = ["", " 😂", " lol", " 🙃", " 10/10", " #travel", " 👏👏", " iconic", " never change"]
CANCELLED = ["@brand you cancelled my flight and the rebooking is two days out",
             "hey @brand my flight got cancelled, no hotel, no food voucher",
             "@brand flight cancelled last minute and nobody at the desk can help",
             "just got the cancellation text @brand, stuck at the airport with my kids"]


def unit(seed: int, near: np.ndarray | None = None, cos: float = 0.9) -> np.ndarray:
    """A random unit vector, or one at cosine ``cos`` from ``near``."""
    v = np.random.default_rng(seed).normal(size=384).astype(np.float32)
    v /= np.linalg.norm(v)
    if near is None:
        return v
    v -= (v @ near) * near
    v /= np.linalg.norm(v)
    out: np.ndarray = (cos * near + np.sqrt(1 - cos**2) * v).astype(np.float32)
    return out


def blob(v: np.ndarray) -> bytes:
    return pack(v[None, :])[0]


def tell(tr: StoryTracker, t0: float, who: str, text: str, vector: np.ndarray, negativity: list[float]) -> str:
    """One person per negativity, a minute apart, all telling ``text``; the story they landed in."""
    sids = {tr.add(t0 + 60 * k, f"{who}{k}", text, None, neg, embedding=blob(vector))
            for k, neg in enumerate(negativity)}
    [sid] = sids
    assert sid is not None
    return sid


def test_a_story_merged_into_one_that_paged_is_named_by_its_later_findings() -> None:
    tr, base, hour = StoryTracker(StoryConfig(min_authors=5)), unit(1), 3600.0
    first = tell(tr, 0.0, "a", "my suitcase now has more air miles than I do", base, [0.9] * 7)
    assert [e.story_id for e in tr.evaluate(600.0)] == [first]  # it pages on its own
    late = 7 * hour  # its people out of the window: it is no burst, so nothing merges into it
    holiday = "selling vacation packages for bags they send everywhere"
    other = tell(tr, late, "b", holiday, unit(2, base, 0.65), [0.9] * 10)
    assert [e.story_id for e in tr.evaluate(late + 700.0, {other})] == [other]  # a story of its own, paging
    assert tell(tr, late + 800.0, "c", "my suitcase now has more air miles than I do", base, [0.9] * 8) == first
    tr.evaluate(late + 1400.0, {first})  # both growing, close in meaning: the one that paged louder keeps them
    assert first not in tr.stories and tr.merged == {other: [first]}
    tell(tr, late + 1500.0, "d", holiday, unit(2, base, 0.65), [0.9] * 20)
    [event] = tr.evaluate(late + 2800.0, {other})  # it escalates: its finding names the story it took in
    assert event.escalated and event.merged == (first,) and tr.snapshot(event, late + 2800.0).merged == (first,)
    assert pickle.loads(pickle.dumps(tr)).merged == {other: [first]}  # a checkpoint keeps it
    assert StoryTracker(tr.cfg, tr.to_dict()).merged == {other: [first]}


def test_a_mockery_read_as_neutral_and_as_negative_is_one_story() -> None:
    """Half its people read neutral (weight 0.4), half clearly negative: tone 0.61 against 0.94, both complaints."""
    tr, base = StoryTracker(StoryConfig(min_authors=5)), unit(3)
    mixed = tell(tr, 0.0, "a", "my bag is on a lovely holiday without me", base, [0.0, 0.7] * 4)
    angry = tell(tr, 30.0, "b", "their baggage service is magic, bags just vanish", unit(4, base, 0.7), [0.9] * 5)
    assert mixed != angry
    [event] = tr.evaluate(900.0)
    assert event.total_authors == 13 and len(tr.stories) == 1


def test_calm_chatter_close_in_meaning_never_merges_with_a_complaint() -> None:
    """The guard ``embed_tone`` was made for (the bundled demo): "new router arrived" chatter (tone 0.43) and a
    router outage (0.97), closer in meaning than the mockery's wordings, stay two stories."""
    tr, base = StoryTracker(StoryConfig(min_authors=5)), unit(5)
    calm = tell(tr, 0.0, "a", "new router arrived today, setting it up tonight", base, [0.05] * 8)
    outage = tell(tr, 30.0, "b", "router dead since six, whole street offline", unit(6, base, 0.75), [0.95] * 8)
    tr.evaluate(900.0)
    assert calm in tr.stories and outage in tr.stories


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    model = load_embedder("bundled", threads=1)
    assert model is not None
    return model


def story(session: Session, embedder: OnnxEmbedder, text: str, who: str, minutes_ago: int,
          aliases: tuple[str, ...] = ()) -> Finding:
    """Six people post ``text`` (to @acme, the test brand); the story finding that names them as examples."""
    text = text.replace("@brand", "@acme")
    [vector] = pack(embedder.embed([text]))
    rows = [Mention(brand_id="acme", source_id="s", platform="x", external_id=f"{who}{k}", author_id=f"{who}{k}",
                    author_handle=f"{who}{k}", author_followers=100, text=text + TAILS[k], sentiment="negative",
                    posted_at=NOW - timedelta(minutes=minutes_ago), ingested_at=NOW, embedding=vector)
            for k in range(6)]
    session.add_all(rows)
    session.flush()
    return Finding("story", f"story:acme:story:{who}", 2, "story title", "6 people", [m.id or 0 for m in rows], 6, 6,
                   {"authors": 6}, aliases=aliases)


def incidents_for(database_url: str, embedder: OnnxEmbedder, aliases: tuple[str, ...], resolve: bool = False
                  ) -> list[Incident]:
    settings = make_settings(database={"url": database_url})
    brand = settings.brands[0]
    with Session(Runtime(settings).engine) as session:
        apply_finding(session, settings, brand, story(session, embedder, LOST, "s1", 85), NOW - timedelta(minutes=85))
        if resolve:
            for incident in session.exec(select(Incident)):
                incident.status = "resolved"
        apply_finding(session, settings, brand, story(session, embedder, HOLIDAY, "s2", 5, aliases), NOW)
        session.commit()
        return list(session.exec(select(Incident).order_by(col(Incident.id))).all())


def test_a_merged_storys_finding_joins_the_incident_its_merged_part_opened(database_url: str,
                                                                          embedder: OnnxEmbedder) -> None:
    [incident] = incidents_for(database_url, embedder, ("story:acme:story:s1",))
    assert incident.key == "story:acme:story:s1" and (incident.details or {})["join"]["keys"] == ["story:acme:story:s2"]


def test_without_the_merge_the_two_wordings_are_two_incidents(database_url: str, embedder: OnnxEmbedder) -> None:
    """What every finding of the merged story did before: its own key only (the words and vectors differ too much)."""
    assert [i.key for i in incidents_for(database_url, embedder, ())] == ["story:acme:story:s1", "story:acme:story:s2"]


def test_a_resolved_incident_of_a_merged_part_does_not_swallow_the_story(database_url: str,
                                                                       embedder: OnnxEmbedder) -> None:
    incidents = incidents_for(database_url, embedder, ("story:acme:story:s1",), resolve=True)
    assert [(i.key, i.status) for i in incidents] == [("story:acme:story:s1", "resolved"),
                                                      ("story:acme:story:s2", "open")]


def airline_day(tmp_path: Path, seed: int, joke_during_surge: bool = False) -> dict[str, Any]:
    """``benchmarks/airline_incidents.py``'s tune week ``seed`` (real airline tweets as background), replayed by
    ``run_backtest`` up to 6 h after the mockery (or, told during the surge, to the surge's end): per episode, the
    incidents credited to it and the other episodes' people they took in."""
    pool_raw = ae.airline_pool("tune")
    scores = sentiment([t for _, t in pool_raw], "bundled")
    rng = random.Random(f"airline-tune-{seed}")  # week_posts' draws, the mockery moved as --joke-during-surge does
    base = background([(a, t, *scores[t]) for a, t in pool_raw], rng, 7, 600.0, f"w{seed}")
    raw = ae.episodes(rng, "tune", f"w{seed}", 600.0, sum(p.negative for p in base) / len(base))
    if joke_during_surge:
        onset, end, posts = raw["mockery"]
        shift = 4 * 86400 + 5 * 3600
        raw["mockery"] = (onset + shift, end + shift, [(t + shift, a, x, p) for t, a, x, p in posts])
    texts = sentiment(sorted({x for _, _, posts in raw.values() for _, _, x, _ in posts}), "bundled")
    spans = {n: (a, b, ae.as_posts(posts, f"w{seed}-{n}", texts, rng)) for n, (a, b, posts) in raw.items()}
    until = max(spans["surge"][1], spans["mockery"][1]) if joke_during_surge else spans["mockery"][1] + 6 * 3600
    path = tmp_path / "episodes.jsonl"
    ai.write_rows(path, [p for p in base + [p for _, _, ps in spans.values() for p in ps] if p.ts <= until])
    spans = {n: (a, b, [p for p in ps if p.ts <= until]) for n, (a, b, ps) in spans.items() if a <= until}
    episodes: dict[str, Any] = ai.credit(spans, ai.replay(path, spike_only=False))["episodes"]
    return episodes


@needs_airline_tweets
@pytest.mark.parametrize("seed", [1, 303])  # the two faults: a merge after both parts paged (1), the tone gate (303)
def test_the_airline_mockery_is_one_incident(tmp_path: Path, seed: int) -> None:
    mockery = airline_day(tmp_path, seed)["mockery"]
    assert (mockery["incidents"], mockery["pages"]) == (1, 1), mockery


@needs_airline_tweets
def test_the_mockery_told_during_the_surge_keeps_its_own_incident(tmp_path: Path) -> None:
    episodes = airline_day(tmp_path, 303, joke_during_surge=True)
    assert episodes["mockery"]["incidents"] == 1 and episodes["surge"]["incidents"] >= 1, episodes
    assert "surge" not in episodes["mockery"]["took_in"] and "mockery" not in episodes["surge"]["took_in"], episodes
