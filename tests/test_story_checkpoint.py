"""Compact story state: a checkpoint gives back exactly the detector it was taken of, in little space.

A brand's traffic with every kind of story member (near-duplicates, new wordings, quotes and reposts, a post
id re-pointed to another story, long posts, sentence vectors, returning authors, merges) runs through one
detector; another is restored from its checkpoint at every pass and must say and hold the same thereafter.
"""

from __future__ import annotations

import copy
import pickle
import random
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from monitor.detection import checkpoint
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation
from monitor.detection.stories import StoryConfig, StoryTracker
from monitor.detection.story_state import Story
from monitor.detection.story_text import clean_text, minhash, minhash_many

START = datetime(2026, 11, 2, tzinfo=UTC)
WORDS = ["router", "billing", "refund", "outage", "firmware", "modem", "engineer", "contract", "upgrade", "invoice",
         "signal", "speed", "install", "support", "charge", "password", "account", "delivery", "parcel", "screen"]
GRIEVANCES = ["acme firmware update bricked my router again, no internet since",
              "acme charged me twice on this month's invoice and support hung up"]

EDITS = ["", "!!", " @acme", " so annoying", " third time this month", " unacceptable, switching providers"]


def _direction(seed: int) -> np.ndarray:
    direction = np.random.default_rng(seed).normal(size=384)
    return direction / np.linalg.norm(direction)


def _vector(rng: random.Random, base: int | None, aside: float = 0.0) -> bytes:
    """A sentence vector (int8 bytes): near one of two directions (``aside``: turned away from it), or anywhere."""
    direction = _direction(base if base is not None else rng.randrange(10**6))
    direction = (1 - aside) * direction + aside * _direction(7)
    noise = np.random.default_rng(rng.randrange(10**6)).normal(size=384) * (0.6 if base is not None else 0.0)
    vec = direction / np.linalg.norm(direction) + noise / np.sqrt(384)  # cosine to its direction about 0.86
    return bytes(np.clip(np.round(vec / np.abs(vec).max() * 127), -127, 127).astype(np.int8).tobytes())


def _mention(rng: random.Random, when: datetime, i: int) -> Observation:
    kind = rng.random()
    author, text, key, vec = f"x:{rng.randrange(400)}", "", None, None
    if kind < 0.45:  # chatter, each its own
        text = " ".join(rng.choice(WORDS) for _ in range(8)) + f" {i}"
    elif kind < 0.72:  # one of two grievances, retold with small edits and now and then with a vector
        g = rng.randrange(2)
        text = GRIEVANCES[g] + rng.choice(EDITS)
        vec = _vector(rng, g) if rng.random() < 0.5 else None
    elif kind < 0.8:  # the first grievance in other words, its vectors near enough to merge but not to join
        text = "acme router dead after last night's patch, helpdesk useless" + rng.choice(EDITS)
        vec = _vector(rng, 0, aside=0.55)
    elif kind < 0.85:  # a repost or quote of an earlier post (some unseen)
        text, key = "RT " + rng.choice(GRIEVANCES), f"p{rng.randrange(max(i, 1))}"
    elif kind < 0.9:  # a long post: its example is cut, its exemplar text is not
        text = " ".join(rng.choice(WORDS) for _ in range(70))
    else:  # too short for a story
        text = rng.choice(["thanks!", "I did", "ok"])
    negative = rng.random() < 0.5
    return Observation(posted_at=when, author_id=author, negative_weight=rng.random(), is_negative=negative,
                       text=text, followers=rng.randrange(5000), story_key=key, ref=f"r{i}", post_id=f"p{i}",
                       embedding=vec)


def _traffic(seed: int, hours: int, per_pass: int) -> list[tuple[datetime, list[Observation]]]:
    rng, passes, i = random.Random(seed), [], 0
    for step in range(hours * 4):
        now = START + timedelta(minutes=15 * (step + 1))
        batch = []
        for _ in range(per_pass):
            batch.append(_mention(rng, now - timedelta(seconds=rng.random() * 900), i))
            i += 1
        passes.append((now, batch))
    return passes


def test_a_detector_restored_from_its_checkpoint_at_every_pass_says_and_holds_the_same() -> None:
    """Restored from its checkpoint, or its stories from their plain-dict state (which, rebuilding the band
    index in story order, used to give a band key whose holder had expired to another story)."""
    cfg = BrandConfig.for_sensitivity("high")
    kept, hopping, replanted = BrandDetector(cfg), BrandDetector(cfg), BrandDetector(cfg)
    said: dict[str, list[Any]] = {"kept": [], "hopping": [], "replanted": []}
    for step, (now, batch) in enumerate(_traffic(seed=5, hours=24, per_pass=20)):
        said["kept"] += kept.run(batch, now)
        hopping = checkpoint.decode(checkpoint.encode(hopping))  # another worker runs the brand each pass
        said["hopping"] += hopping.run(batch, now)
        replanted.stories = StoryTracker(cfg.stories, copy.deepcopy(replanted.stories.to_dict()))
        said["replanted"] += replanted.run(batch, now)
        if step % 8 == 0:
            assert hopping.to_dict() == kept.to_dict()
            assert replanted.stories.to_dict() == kept.stories.to_dict()
    assert hopping.to_dict() == kept.to_dict() and replanted.stories.to_dict() == kept.stories.to_dict()
    assert said["hopping"] == said["kept"] == said["replanted"] and any(f.kind == "story" for f in said["kept"])
    stories = kept.stories.stories
    assert any(s.texts and s.texts[0] is not None for s in stories.values())  # a long post's exemplar text
    assert any(len(s.vecs) > 1 for s in stories.values()) and kept.stories.lookup.by_post
    assert any(s.lost for s in stories.values())  # band keys held by another story: not taken on a rebuild
    for sid, story in hopping.stories.stories.items():
        assert np.array_equal(story.sigs, stories[sid].sigs)


def test_a_loaded_story_shares_each_authors_entry_between_its_lists() -> None:
    tracker = StoryTracker(StoryConfig())
    for n in range(30):
        tracker.add(1000.0 + n, f"u{n}", "acme router keeps dropping the wifi every evening", None, 0.8)
    (story,) = pickle.loads(pickle.dumps(tracker)).stories.values()
    assert len(story.recent) == 30 and all(r is a for r, a in zip(story.recent, story.authors.values(), strict=True))
    tracker.add(2000.0, "u3", "acme router keeps dropping the wifi every evening", None, 1.0)  # weight goes up
    loaded = pickle.loads(pickle.dumps(tracker))  # recent keeps u3's first weight: stored on its own
    (story,) = loaded.stories.values()
    assert story.recent[3] == complex(1003.0, 0.88) and story.authors["u3"] == complex(1003.0, 1.0)
    assert loaded.to_dict() == tracker.to_dict()


def test_many_signatures_at_once_equal_one_at_a_time() -> None:
    texts = ["", "a", "ab", "héé", "😀", "acme router", "acme firmware bricked my router " * 20, "<empty>"]
    cleans = [clean_text(t) for t in texts]
    many = minhash_many(cleans, 64, 5, chunk=16)  # a small chunk: texts span several groups
    assert many.dtype == np.uint32 and many.shape == (len(texts), 64)
    for clean, row in zip(cleans, many, strict=True):
        assert np.array_equal(row, minhash(clean, 64, 5))


def test_a_plain_state_of_61_bit_signatures_keeps_their_low_32_bits() -> None:
    story = Story(sigs=[[(1 << 60) + 7] * 64], first_ts=1.0, last_ts=2.0)
    assert story.sigs.dtype == np.uint32 and int(story.sigs[0, 0]) == 7 and story.texts == [None]


def test_a_busy_brands_stories_take_a_small_checkpoint() -> None:
    """2,000 one-post stories of ten words: their part of the checkpoint stays under 100 bytes a story
    (pickled story objects with their signatures took about 630)."""
    rng, tracker = random.Random(1), StoryTracker(StoryConfig())
    for n in range(2000):
        text = " ".join(rng.choice(WORDS) for _ in range(10)) + f" {n}"
        tracker.add(1000.0 + n, f"x:{rng.randrange(20000)}", text, None, rng.random(), ref=str(n),
                    reach=rng.random() * 3)
    assert len(tracker.stories) > 1500
    size = len(zlib.compress(pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL), 1))
    assert size < 100 * len(tracker.stories), size
