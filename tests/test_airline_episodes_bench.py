"""benchmarks/airline_episodes.py: the injected episode shapes and how a page is credited to an episode."""

from __future__ import annotations

import random

from benchmarks import airline_episodes as ae
from benchmarks.spread_text import Post


def test_mockery_is_one_joke_told_by_100_to_200_people_within_five_hours_with_reposts() -> None:
    onset, end, raw = ae.mockery(random.Random(1), "tune", "t")
    authors = {a for _, a, _, _ in raw}
    assert 100 <= len(authors) == len(raw) <= 200 and onset <= end <= onset + 5 * 3600
    posts = ae.as_posts(raw, "t-mockery", {text: (0.3, False) for _, _, text, _ in raw}, random.Random(2))
    refs = {p.ref for p in posts}
    reposts = [p for p in posts if p.story_key is not None]
    assert reposts and all(p.text.startswith("RT @") and p.story_key in refs for p in reposts)
    assert all(any(j[:20] in p.text for j in ae.JOKES["tune"]) for p in posts)


def test_wave_rises_gradually_and_each_complaint_is_a_new_person() -> None:
    onset = ae.START + 2 * 86400
    _, end, raw = ae.complaints(random.Random(3), "tune", "w", onset, 30.0, 0.0, 2.0, 600.0, 0.6)
    assert end == onset + 31 * 3600 and len({a for _, a, _, _ in raw}) == len(raw)
    first = sum(onset <= t < onset + 6 * 3600 for t, *_ in raw)
    last = sum(onset + 24 * 3600 <= t < onset + 30 * 3600 for t, *_ in raw)
    assert last > 3 * first > 0  # rising over the day, not a step


def test_a_spike_during_an_episode_is_credited_to_it_and_a_story_of_background_text_is_false() -> None:
    wave = [Post(ae.START + 3600 * h, f"p{h}", "flight cancelled", 0.9, True, f"wave-{h}") for h in range(10)]
    spans = {"wave": (ae.START, ae.START + 9 * 3600, wave)}
    pages = [(ae.START + 5 * 3600, "story", ("bg4", "bg5")),  # a story of background posts: false
             (ae.START + 6 * 3600, "story", ("wave-1", "wave-2", "bg6")),  # mostly the wave's posts
             (ae.START + 10 * 3600, "spike", ("bg1", "bg2")),  # in the 3 h after it: the wave's
             (ae.START + 20 * 3600, "spike", ("bg3",))]  # long after: false
    verdict = ae.judge(spans, pages)
    assert verdict["false"] == 2
    row = verdict["episodes"]["wave"]
    assert row["pages"] == 2 and row["kinds"] == ["spike", "story"] and row["delay_h"] == 6.0  # from onset
