"""The brand's common complaint words, relearned each hour from the last hour's split texts (issue #12, replay speed).

Real SQLite and PostgreSQL databases. Relearning used to split every text of the background again (up to 2,000
per brand and hour: 12 % of a backtest's replay); it now splits only the texts it did not see last hour, and must
give exactly what learning from scratch gives.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlmodel import Session

from monitor.detection import join_background
from monitor.detection.join_background import common_words
from monitor.detection.joining import words_of
from monitor.runtime import Runtime
from monitor.storage.tables import Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 7, 18, 30, tzinfo=UTC)
WORDS = ["router", "refund", "parcel", "invoice", "engineer", "modem", "roaming", "voucher", "tariff", "landline"]


def background(session: Session, hours: int) -> None:
    """Negative complaints, one every 10 minutes, the newest 4 hours after NOW - 1 day (so each hour of the test
    brings six new ones into the background, all about a "blackout": common from the test's third hour), and
    twelve a week older, six leaving in each of its first two hours ("ancient": common in its first hour only)."""
    rows = []
    for k in range(hours * 6):
        posted = NOW - timedelta(days=1) + timedelta(hours=4) - timedelta(minutes=10 * k)
        topic = "blackout" if k < 24 else WORDS[(k // 40) % len(WORDS)]
        rows.append(Mention(brand_id="acme", source_id="s", platform="x", external_id=f"m{k}", author_id=f"a{k}",
                            author_handle=f"a{k}", text=f"customer service never fixed my {topic} number {k}",
                            sentiment="negative", posted_at=posted, ingested_at=posted))
    for k in range(12):  # the oldest: leave the background in the test's first two hours
        posted = NOW - timedelta(days=8) + timedelta(hours=2) - timedelta(minutes=10 * k)
        rows.append(Mention(brand_id="acme", source_id="s", platform="x", external_id=f"old{k}", author_id=f"o{k}",
                            author_handle=f"o{k}", text=f"the ancient complaint number {k}", sentiment="negative",
                            posted_at=posted, ingested_at=posted))
    session.add_all(rows)
    session.commit()


def test_relearning_splits_only_new_texts_and_learns_what_a_fresh_learn_does(database_url: str) -> None:
    settings = make_settings(database={"url": database_url}, brands=[{"id": "acme", "name": "Acme"}])
    runtime = Runtime(settings)
    seen: list[str] = []

    def split(text: str, ignore: frozenset[str] = frozenset()) -> set[str]:
        seen.append(text)
        return words_of(text, ignore)

    with Session(runtime.engine) as session:
        background(session, hours=64)
        learned = []
        for hour in range(4):
            now = NOW + timedelta(hours=hour)
            seen.clear()
            learned.append(common_words(session, "acme", now, partial(split, ignore=frozenset(["acme"]))))
            split_now = len(seen)
            join_background._LEARNED.clear()  # a fresh learn at the same hour: every text split again
            fresh = common_words(session, "acme", now, partial(split, ignore=frozenset(["acme"])))
            assert learned[-1] == fresh
            if hour:
                assert split_now <= 6  # one hour of new texts (six), not the whole background (360)
            assert len(seen) - split_now == 360 + 6 * hour + [12, 6, 0, 0][hour]
    assert "blackout" not in learned[1] and "blackout" in learned[2]  # the hours learned different words
    assert "ancient" in learned[0] and "ancient" not in learned[1]
    assert {"customer", "service", "never", "fixed", "number"} <= learned[0]


def test_another_splitter_splits_every_text_again(database_url: str) -> None:
    """Words split with other ignored words are not reused (a brand renamed between two hours)."""
    settings = make_settings(database={"url": database_url}, brands=[{"id": "acme", "name": "Acme"}])
    with Session(Runtime(settings).engine) as session:
        background(session, hours=30)
        first = common_words(session, "acme", NOW, partial(words_of, ignore=frozenset()))
        later = common_words(session, "acme", NOW + timedelta(hours=1),
                             partial(words_of, ignore=frozenset(["customer"])))
    assert "customer" in first and "customer" not in later


def test_an_insert_only_database_reads_only_what_is_new_and_learns_what_the_full_read_does(tmp_path: Path) -> None:
    """A backtest's database (``insert_only``) keeps last hour's texts and reads only the ones new to the window:
    posted since its last end, or stored late (posted inside it). Each hour must hold exactly the texts the full
    query returns, in its order at the 2,000 cut (ties by id); ~2,000 complaints a day, so the cut always bites.
    SQLite only (a replay's database): PostgreSQL returns ties in no set order, and ``insert_only`` ignores it."""
    settings = make_settings(database={"url": f"sqlite:///{tmp_path / 'replay.db'}"},
                             brands=[{"id": "acme", "name": "Acme"}])
    engine = Runtime(settings).engine
    join_background.insert_only(engine)
    rng = random.Random(12)
    split = partial(words_of, ignore=frozenset(["acme"]))
    counter = 0

    def add(session: Session, posted: list[datetime]) -> None:
        nonlocal counter
        rows = []
        for when in posted:
            counter += 1
            topic = WORDS[rng.randrange(len(WORDS))] if rng.random() < 0.7 else f"rare{rng.randrange(500)}"
            brand = rng.choice(["acme"] * 12 + ["other"] * 5 + ["tiny"])
            rows.append(Mention(brand_id=brand, source_id="s", platform="x",
                                external_id=f"m{counter}", author_id="a", author_handle="a",
                                text=f"my {topic} is broken again {rng.randrange(40)}", posted_at=when,
                                sentiment=rng.choice(["negative", "negative", "neutral"]), ingested_at=when,
                                is_brand_reply=rng.random() < 0.05))
        session.add_all(rows)
        session.commit()

    def tens(when: datetime) -> datetime:  # ten-minute times: ~14 complaints at each, so the cut falls in a tie
        return when.replace(minute=when.minute // 10 * 10, second=0)

    start = NOW - timedelta(days=9)
    with Session(engine) as session:
        add(session, [tens(start + timedelta(seconds=rng.randrange(0, 8 * 86400))) for _ in range(30_000)])
        for hour in range(30):
            now = NOW.replace(minute=0) + timedelta(hours=hour, minutes=rng.randrange(60))  # one learn an hour
            late = [now - timedelta(days=rng.uniform(1.01, 7.9)) for _ in range(rng.randrange(0, 30))]
            fresh = [now - timedelta(seconds=rng.randrange(0, 3600)) for _ in range(200)]
            add(session, [tens(t) for t in fresh + late])
            for brand in ("acme", "tiny"):  # tiny: under 2,000 in the window, so its start drops the oldest
                kept = common_words(session, brand, now, split)
                learned = join_background._LEARNED[engine][brand]
                full = list(session.connection().execute(join_background._background(), {
                    "brand": brand, "start": now - timedelta(days=8), "end": now - timedelta(days=1)}).scalars())
                assert learned.texts == Counter(full)
                assert len(full) == join_background.SAMPLE if brand == "acme" else 400 < len(full) < 1_000
                assert learned.window is not None and learned.rows is not None
                join_background._INSERT_ONLY.discard(engine)
                del join_background._LEARNED[engine][brand]  # a fresh, full learn at the same hour
                assert common_words(session, brand, now, split) == kept
                fresh_learn = join_background._LEARNED[engine][brand]
                assert (learned.df, learned.words) == (fresh_learn.df, fresh_learn.words)  # counted on, not recounted
                join_background.insert_only(engine)
                join_background._LEARNED[engine][brand] = learned

def test_insert_only_ignores_postgresql(pg_url: str) -> None:
    """PostgreSQL gives a tie at the cut in any order, so an incremental read could keep other texts: full reads."""
    engine = Runtime(make_settings(database={"url": pg_url}, brands=[{"id": "acme", "name": "Acme"}])).engine
    join_background.insert_only(engine)
    assert engine not in join_background._INSERT_ONLY
