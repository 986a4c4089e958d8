"""A story's per-author memory (issue #17): a spreading story holds a day or two of authors, so each must be small."""

from __future__ import annotations

import gc
import pickle
import random
import tracemalloc

from monitor.detection.stories import StoryConfig, StoryTracker
from monitor.detection.story_state import NUMPY_FROM, Story

TEXT = "acme router keeps dropping the wifi every evening"


def test_a_new_author_in_a_story_costs_under_100_bytes() -> None:
    tracker = StoryTracker(StoryConfig())
    n = 20_000
    names = [f"x:user{i}" for i in range(n + 1)]  # the caller's strings: the key itself is not counted
    tracker.add(1000.0, names[0], TEXT, None, 0.5)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1, n + 1):
            tracker.add(1000.0 + i, names[i], TEXT, None, 0.5 + (i % 7) / 14)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    (story,) = tracker.stories.values()
    assert len(story.authors) == len(story.recent) == n + 1 and story.total_authors == n + 1
    assert held / n < 100  # a (first, weight) tuple of two floats took ~133 B an author; one complex: ~61 B


def test_author_entries_keep_their_exact_times_and_weights_through_a_checkpoint() -> None:
    tracker = StoryTracker(StoryConfig())
    times = [1e9 + 0.1, 1e9 + 1 / 3, 1e9 + 2.0 ** -20, 1e9 + 7.123456789]
    for n, ts in enumerate(times):
        tracker.add(ts, f"u{n}", TEXT, None, n / 3)
    tracker.add(1e9 - 0.5, "u2", TEXT, None, 0.0)  # an earlier post by u2: its first time moves back
    (story,) = tracker.stories.values()
    entries = [(v.real, v.imag) for v in story.authors.values()]
    assert entries[2] == (1e9 - 0.5, 0.4 + 0.6 * 2 / 3) and story.recent[2].real == times[2]
    (loaded,) = pickle.loads(pickle.dumps(tracker)).stories.values()
    assert [(v.real, v.imag) for v in loaded.authors.values()] == entries
    assert [(r.real, r.imag) for r in loaded.recent] == [(r.real, r.imag) for r in story.recent]
    assert story.tone() == loaded.tone() and story.recent_authors(1e9 + 10, 3600) == loaded.recent_authors(
        1e9 + 10, 3600)


def test_long_and_short_recent_lists_count_the_same_people_and_weights() -> None:
    rng = random.Random(3)
    for size in (0, 1, 5, NUMPY_FROM - 1, NUMPY_FROM, NUMPY_FROM + 1, 500):
        entries = [complex(1e9 + rng.uniform(-30 * 3600, 600), rng.choice([0.4, 0.55, 1.0, rng.random()]))
                   for _ in range(size)]
        now, window, keep = 1e9, 6 * 3600.0, 24 * 3600.0
        story = Story(first_ts=1e9)
        story.recent = list(entries)
        expected = [r for r in entries if r.real >= now - keep]
        hits = [r.imag for r in expected if now - window <= r.real <= now]
        assert story.recent_authors(now, window, keep) == (len(hits), sum(hits))
        assert story.recent == expected and all(a is b for a, b in zip(story.recent, expected, strict=True))
        short = [r.imag for r in expected if now - keep <= r.real <= now]
        assert story.recent_authors(now, keep) == (len(short), sum(short))
