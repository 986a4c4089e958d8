"""The grievance without its frame (models/story_input): measured for story vectors, not the pipeline's default.

The vector tests show what the frame does to the bundled encoder (issue #12): two different grievances told in
the same sarcastic frames merge into one story with it and stay two without it, and a sarcastic paraphrase joins
the plain story only without it.  The pipeline still embeds the whole post: on the tune splits the rule did not
beat it everywhere (models/story_input's docstring), so these tests call ``story_input`` themselves.
"""

from __future__ import annotations

import pytest

from models.embedding import OnnxEmbedder, load_embedder, pack
from models.story_input import story_input
from monitor.detection.stories import StoryConfig, StoryTracker


@pytest.mark.parametrize(("text", "grievance"), [
    ("wow, love it: still no refund after three weeks", "still no refund after three weeks"),
    ("great job @acme 👏 charged twice for one order", "charged twice for one order"),
    ("thanks so much @acme, the app wiped my saved cards 🙃", "the app wiped my saved cards"),
    ("best service ever. router bricked since the update lol", "router bricked since the update"),
    ("Hi! I can't log in since this morning :( thank you", "I can't log in since this morning"),
    ("RT @bob: outage again!! 😡 https://t.co/x1", "outage again"),
    ("hey @acme the refund never came #fail", "the refund never came fail"),
    ("so my order arrived broken. not happy", "so my order arrived broken"),
])
def test_frames_are_peeled_off_both_ends(text: str, grievance: str) -> None:
    assert story_input(text) == grievance


@pytest.mark.parametrize(("text", "kept"), [
    ("not working since this morning", "not working since this morning"),  # a leading "not" is the grievance
    ("the refund, great job, never came", "the refund, great job, never came"),  # a frame inside stays
    ("this is so bad", "this is so bad"),  # all frame: the cleaned post
    ("great job @acme 👏", "great job"),
    ("🙃🙃", "🙃🙃"),
    ("", ""),
])
def test_grievance_words_and_all_frame_posts_are_kept(text: str, kept: str) -> None:
    assert story_input(text) == kept


TRAIN = ["the train was cancelled again and no replacement bus showed up",
         "our train got cancelled and the replacement bus never arrived"]
VISIT = ["waited all day for the technician and nobody came",
         "sat at home all day waiting for your technician, nobody turned up"]
FRAMES = ["thanks so much @acme, {} 🙃", "great job @acme 👏 {}"]


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    model = load_embedder("bundled", threads=1)
    assert model is not None
    return model


@pytest.mark.parametrize(("peel", "stories"), [(False, 1), (True, 2)])
def test_two_grievances_in_the_same_sarcastic_frames_merge_only_through_the_frame(
        embedder: OnnxEmbedder, peel: bool, stories: int) -> None:
    """Centroids 0.52 apart with the frames (the merge is at 0.5), 0.38 without."""
    texts = [frame.format(t) for frame in FRAMES for t in TRAIN + VISIT]
    blobs = pack(embedder.embed([story_input(t) if peel else t for t in texts]))
    vectors = dict(zip(texts, blobs, strict=True))
    tr = StoryTracker(StoryConfig(min_authors=20))  # both growing, neither paging: only the merge is looked at
    for i in range(8):
        train, visit = FRAMES[i % 2].format(TRAIN[i // 2 % 2]), FRAMES[(i + 1) % 2].format(VISIT[i // 2 % 2])
        tr.add(100.0 + i, f"p{i}", train, None, 0.9, embedding=vectors[train])
        tr.add(100.0 + i, f"q{i}", visit, None, 0.9, embedding=vectors[visit])
    assert len(tr.stories) == 2
    tr.evaluate(200.0)
    assert len(tr.stories) == stories


@pytest.mark.parametrize(("peel", "joins"), [(False, False), (True, True)])
def test_a_sarcastic_paraphrase_joins_the_plain_story_only_without_the_frame(
        embedder: OnnxEmbedder, peel: bool, joins: bool) -> None:
    plain = "my flight home was cancelled and the airline offered no hotel"
    sarcastic = "great job @acme 👏 no hotel offered after they scrapped our flight home"
    one, two = pack(embedder.embed([plain, story_input(sarcastic) if peel else sarcastic]))
    tr = StoryTracker(StoryConfig())
    sid = tr.add(0.0, "a", plain, None, 0.9, embedding=one)
    assert (tr.add(10.0, "b", sarcastic, None, 0.9, embedding=two) == sid) is joins  # cosine 0.64 / 0.81
