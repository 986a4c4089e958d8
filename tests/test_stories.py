"""Story clustering and per-story unique-author growth, on texts written here."""

from __future__ import annotations

import json

from monitor.detection.stories import StoryConfig, StoryTracker, normalise

BASE = "@acme your update deleted all my saved photos and nobody at support answers"
OTHER = [
    "loving the new coffee flavour at acme this morning",
    "acme delivery arrived two days early, great job",
    "does anyone know if acme stores open on sunday",
]


def test_near_duplicates_share_a_story_and_different_texts_do_not() -> None:
    tr = StoryTracker()
    a = tr.assign(BASE, None)
    assert tr.assign("RT " + BASE + " https://t.co/xyz #fail", None) == a
    assert tr.assign(BASE.replace("photos", "pictures"), None) == a
    assert all(tr.assign(text, None) != a for text in OTHER)
    assert tr.assign("anything at all", "https://acme.example/outage") == "k:https://acme.example/outage"


def test_normalise_drops_urls_handles_and_punctuation() -> None:
    assert normalise("@Acme WHY?! https://x.y/z #fail now") == "why now"


def test_unique_authors_not_mentions_make_a_story() -> None:
    tr = StoryTracker(StoryConfig(min_authors=5))
    for i in range(20):
        tr.add(1000.0 + i, "same-angry-user", BASE, None, 1.0, ref=f"m{i}")
    assert tr.evaluate(1100.0) == []
    for i in range(5):
        tr.add(1200.0 + i, f"user{i}", BASE, None, 1.0, ref=f"n{i}")
    events = tr.evaluate(1300.0)
    assert len(events) == 1 and events[0].authors == 6 and not events[0].escalated
    assert events[0].refs and events[0].mentions == 25


def test_alert_once_then_escalate_when_it_doubles() -> None:
    tr = StoryTracker(StoryConfig(min_authors=4))
    fired = []
    for i in range(20):
        tr.add(float(i * 60), f"u{i}", f"{BASE} {i}", None, 1.0)
        fired += tr.evaluate(float(i * 60))
    assert [e.escalated for e in fired] == [False, True, True]
    assert [e.authors for e in fired] == [4, 8, 16]


def test_mockery_counts_with_lower_weight_and_old_authors_fall_out_of_the_window() -> None:
    cfg = StoryConfig(min_authors=5, base_weight=0.5)
    tr = StoryTracker(cfg)
    for i in range(8):
        tr.add(float(i), f"u{i}", BASE, None, 0.0)  # neutral sarcasm: 0.5 each
    assert tr.evaluate(10.0) == []  # 4.0 weighted < 5
    for i in range(8, 10):
        tr.add(float(i), f"u{i}", BASE, None, 0.0)
    assert len(tr.evaluate(10.0)) == 1  # 5.0 weighted
    tr2 = StoryTracker(cfg)
    events = []
    for i in range(10):  # 10 authors, but one every 25 min: never 5 within an hour
        tr2.add(float(i * 1500), f"u{i}", BASE, None, 1.0)
        events += tr2.evaluate(float(i * 1500))
    assert events == []
    sid = next(iter(tr2.stories))
    assert tr2.stories[sid].recent_authors(13500.0, 3600.0)[0] == 3
    assert len(tr2.stories[sid].authors) == 10


def test_threshold_calibrates_to_brand_history_and_state_round_trips() -> None:
    cfg = StoryConfig(min_authors=3, min_calib_days=3)
    tr = StoryTracker(cfg)
    day = 86400.0
    for d in range(5):  # a generic phrase that always gathers ~6 authors a day
        for i in range(6):
            tr.add(d * day + i, f"d{d}u{i}", "where is my package", None, 1.0)
        tr.evaluate(d * day + 10)
    assert tr.threshold() >= 7.0
    again = StoryTracker(cfg, json.loads(json.dumps(tr.to_dict())))
    assert again.threshold() == tr.threshold()
    assert again.assign("where is my package!", None) == tr.assign("where is my package", None)


def test_old_stories_are_pruned() -> None:
    tr = StoryTracker(StoryConfig(singleton_ttl_s=100.0, story_ttl_s=1000.0))
    tr.add(0.0, "a", OTHER[0], None, 0.0)
    tr.add(0.0, "b", BASE, None, 1.0)
    tr.add(1.0, "c", BASE, None, 1.0)
    tr.evaluate(500.0)
    assert len(tr.stories) == 1
    tr.evaluate(2000.0)
    assert tr.stories == {} and tr.index == {}
