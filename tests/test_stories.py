"""Story clustering and per-story unique-author growth, on texts written here."""

from __future__ import annotations

import json
import random

from monitor.detection.stories import StoryConfig, StoryTracker, normalise
from monitor.detection.story_text import content_words

BASE = "@acme your update deleted all my saved photos and nobody at support answers"
OTHER = [
    "loving the new coffee flavour at acme this morning",
    "acme delivery arrived two days early, great job",
    "does anyone know if acme stores open on sunday",
]
FILLER = "order store price phone shop bill login parcel driver queue music coffee weekend manager branch city"
FILLER += " screen camera speaker ticket seat voucher points train station airport kitchen garden"
WORDS = FILLER.split(" ")


def taught(cfg: StoryConfig | None = None, docs: int = 400, seed: int = 3) -> StoryTracker:
    """A tracker that has seen an ordinary stream, so it knows which words are common."""
    tr, rng = StoryTracker(cfg), random.Random(seed)
    for i in range(docs):
        tr.add(float(i), f"bg{i}", " ".join(rng.sample(WORDS, 5)) + f" item{i} thing{i}", None, 0.1)
    return tr


def test_near_duplicates_share_a_story_and_different_texts_do_not() -> None:
    tr = StoryTracker()
    a = tr.assign(BASE, None)
    assert tr.assign("RT " + BASE + " https://t.co/xyz #fail", None) == a
    assert tr.assign(BASE.replace("photos", "pictures"), None) == a
    assert all(tr.assign(text, None) != a for text in OTHER)


def test_reposts_and_quotes_join_the_story_of_the_post_they_share() -> None:
    tr = StoryTracker()
    root = tr.add(0.0, "bigaccount", BASE, None, 0.1, ref="m1", post_id="p1")
    assert tr.add(10.0, "fan1", "wow @acme", "p1", 0.3, ref="m2", post_id="p2") == root  # quote: too short alone
    assert tr.add(20.0, "fan2", "RT @fan1: wow @acme", "p2", 0.3, ref="m3") == root  # a quote of the quote
    assert tr.add(30.0, "x", "same here", "unknown-post", 0.5) not in (None, root)  # an unseen post: its own
    assert tr.assign("thanks!", None) is None and tr.assign("I did", None) is None  # no story material


def test_a_new_wording_with_the_same_rare_words_joins_its_story() -> None:
    tr = taught()
    sid = tr.add(500.0, "a", "the firmware update bricked my router and the warranty desk refuses a replacement",
                 None, 0.9)
    again = tr.add(510.0, "b", "router bricked overnight by firmware, warranty desk refuses replacement!!", None, 0.9)
    assert again == sid
    assert tr.add(520.0, "c", "my router order is late and the shop queue is long", None, 0.9) != sid


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


def test_a_fizzle_of_six_people_never_pages_but_eight_do() -> None:
    tr = StoryTracker()  # defaults
    for i in range(6):
        tr.add(float(i * 60), f"u{i}", f"{BASE} {i}", None, 0.95)
    assert tr.evaluate(400.0) == []
    for i in range(6, 8):
        tr.add(float(i * 60), f"u{i}", f"{BASE} {i}", None, 0.95)
    assert len(tr.evaluate(500.0)) == 1


def test_alert_once_then_escalate_when_it_doubles() -> None:
    tr = StoryTracker(StoryConfig(min_authors=4))
    fired = []
    for i in range(20):
        tr.add(float(i * 60), f"u{i}", f"{BASE} {i}", None, 1.0)
        fired += tr.evaluate(float(i * 60))
    assert [e.escalated for e in fired] == [False, True, True]
    assert [e.authors for e in fired] == [4, 8, 16]


def test_mockery_counts_with_lower_weight_and_slow_builds_page_in_the_long_window() -> None:
    cfg = StoryConfig(min_authors=5, base_weight=0.5)
    tr = StoryTracker(cfg)
    for i in range(8):
        tr.add(float(i), f"u{i}", BASE, None, 0.0)  # neutral sarcasm: 0.5 each
    assert tr.evaluate(10.0) == []  # 4.0 weighted < 5
    for i in range(8, 10):
        tr.add(float(i), f"u{i}", BASE, None, 0.0)
    assert len(tr.evaluate(10.0)) == 1  # 5.0 weighted
    slow, events = StoryTracker(StoryConfig(min_authors=5)), []
    for i in range(12):  # one person every 100 min: never 5 in 6 h, but 10 (= 2 x 5) within 24 h
        slow.add(float(i * 6000), f"u{i}", BASE, None, 1.0)
        events += slow.evaluate(float(i * 6000))
    assert len(events) == 1 and events[0].window_h == 24 and events[0].authors == 10
    crawl, events = StoryTracker(StoryConfig(min_authors=5)), []
    for i in range(12):  # one person every 4 h: never 10 within a day
        crawl.add(float(i * 14400), f"u{i}", BASE, None, 1.0)
        events += crawl.evaluate(float(i * 14400))
    assert events == []


def test_stories_that_paged_do_not_raise_the_bar_but_daily_chatter_does() -> None:
    day = 86400.0
    stormy = StoryTracker(StoryConfig(min_calib_days=3))
    for d in range(6):  # a 40-person story every day
        for i in range(40):
            stormy.add(d * day + i, f"d{d}u{i}", f"{BASE} day {d}", None, 1.0)
        stormy.evaluate(d * day + 50)
    assert stormy.threshold() == StoryConfig().min_authors
    chatty = StoryTracker(StoryConfig(min_authors=6.0, min_calib_days=3, typical_factor=2.0))
    for d in range(5):  # a generic phrase that gathers 5 people every day: not a page, but ordinary here
        for i in range(5):
            chatty.add(d * day + i, f"d{d}u{i}", "where is my package, the courier is late again", None, 1.0)
        chatty.evaluate(d * day + 10)
    assert chatty.threshold() == 10.0
    again = StoryTracker(chatty.cfg, json.loads(json.dumps(chatty.to_dict())))
    assert again.threshold() == chatty.threshold()
    assert again.assign("where is my package, the courier is late again!", None) == chatty.assign(
        "where is my package, the courier is late again", None)


def test_two_wordings_growing_together_merge_into_one_page() -> None:
    tr = taught(StoryConfig(min_authors=6, word_overlap=0.9))  # word joins off: only the merge can join them
    one = "the acme bank app locked everyone out on payday, helpline queue two hours"
    two = "payday lockout: acme banking app rejects logins and the helpline has a two hour queue"
    events = []
    for i in range(5):
        tr.add(1000.0 + i, f"a{i}", f"{one} {'!' * i}", None, 0.9)
        tr.add(1000.0 + i, f"b{i}", f"{two} {'?' * i}", None, 0.9)
        events += tr.evaluate(1000.0 + i)
    assert len(events) == 1 and events[0].authors >= 6
    assert sum(s.total_authors >= 5 for s in tr.stories.values()) == 1


def test_normalise_and_content_words() -> None:
    assert normalise("@Acme WHY?! https://x.y/z #fail now") == "why now"
    assert content_words("@acme I was hanging on hold, they hung up. Updated app!") == [
        "hang", "hold", "hung", "updat", "app"]


def test_old_stories_are_pruned() -> None:
    tr = StoryTracker(StoryConfig(singleton_ttl_s=100.0, story_ttl_s=1000.0))
    tr.add(0.0, "a", OTHER[0], None, 0.0)
    tr.add(0.0, "b", BASE, None, 1.0, post_id="p1")
    tr.add(1.0, "c", BASE, None, 1.0)
    tr.evaluate(500.0)
    assert len(tr.stories) == 1
    tr.evaluate(2000.0)
    assert tr.stories == {} and tr.index == {} and tr.lookup.by_post == {} and tr.lookup.by_word == {}
