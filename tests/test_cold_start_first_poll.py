"""Through the pipeline: a new brand's first poll (hours of posts before monitoring began) is its past.

A live source's first poll reads back (X 6 h, the others 24 h); the first detection pass reads those rows, not
yet examined, and the brand's detector learns them as its history. So a burst in the first minutes of monitoring
pages against hours of it, while a brand with no past learns the burst as its usual rate. Spikes in the backfill
itself are old news (issue 12: "34 negative mentions from 26 people; expected 0" on a brand whose data began at a
quiet moment).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from monitor.clock import as_utc
from monitor.detection.warmup import forget_detectors
from monitor.pipeline import run_detection
from monitor.storage.engine import open_database
from monitor.storage.tables import Incident, Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)  # monitoring begins: the first poll has just stored its backfill
STEP = timedelta(minutes=5)
WORDS = ["outage", "billing", "router", "slow", "refund", "support", "login", "wifi", "charge", "fibre", "modem"]


class Rows:
    def __init__(self, seed: int) -> None:
        self.rng, self.seq = random.Random(seed), 0

    def bucket(self, brand: str, start: datetime, negative: int, calm: int) -> list[dict[str, Any]]:
        return [self._one(brand, start, i < negative) for i in range(negative + calm)]

    def _one(self, brand: str, start: datetime, negative: bool) -> dict[str, Any]:
        self.seq += 1
        posted = start + timedelta(seconds=self.rng.uniform(0, 299))
        text = " ".join(f"{self.rng.choice(WORDS)}{self.rng.randint(0, 999)}" for _ in range(8))  # no story
        return {"brand_id": brand, "source_id": f"s-{brand}", "platform": "x", "external_id": f"p{self.seq}",
                "url": "", "author_id": f"u{self.seq}", "author_handle": f"someone{self.seq}", "author_followers": 50,
                "text": text, "posted_at": posted, "ingested_at": NOW,
                "sentiment": "negative" if negative else "neutral", "p_negative": 0.9 if negative else 0.1,
                "scored_at": NOW, "signals": {}, "detected_at": None}


def store(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Mention.__table__), rows)  # type: ignore[attr-defined]


def opened(engine: Engine) -> dict[str, datetime]:
    with Session(engine) as session:
        return {i.brand_id: as_utc(i.opened_at)
                for i in session.exec(select(Incident).where(Incident.trigger == "spike"))}


def test_a_burst_in_the_first_minutes_pages_against_the_backfill_and_not_without_one(database_url: str) -> None:
    forget_detectors()
    settings = make_settings(database={"url": database_url}, detection={"engine": "adaptive"},
                             brands=[{"id": "kept", "name": "Kept"}, {"id": "bare", "name": "Bare"}])
    engine, rows = open_database(database_url), Rows(3)
    store(engine, [r for i in range(72, 0, -1) for r in rows.bucket("kept", NOW - i * STEP, rows.rng.randint(1, 3),
                                                                      6)])
    assert run_detection(engine, settings, now=NOW).changes == ()  # six hours learnt, nothing old pages
    for i in range(4):  # 36 people in the first 15 minutes of monitoring, on both brands
        store(engine, [r for b in ("kept", "bare") for r in rows.bucket(b, NOW + i * STEP, 2 + 12 * (i < 3), 6)])
        run_detection(engine, settings, now=NOW + (i + 1) * STEP + timedelta(seconds=61))
    spikes = opened(engine)
    assert "kept" in spikes and spikes["kept"] - NOW <= 2 * STEP + timedelta(seconds=61), spikes
    assert "bare" not in spikes  # no past: its first 15 minutes became its usual rate (the cold case left)
    engine.dispose()
    forget_detectors()


def test_a_complaint_heavy_brand_whose_backfill_began_quietly_does_not_page_its_history(database_url: str) -> None:
    forget_detectors()
    settings = make_settings(database={"url": database_url}, detection={"engine": "adaptive"},
                             brands=[{"id": "air", "name": "Airline"}])
    engine, rows = open_database(database_url), Rows(4)
    quiet = [r for i in range(72, 69, -1) for r in rows.bucket("air", NOW - i * STEP, 0, 2)]  # a silent quarter hour
    busy = [r for i in range(69, 0, -1) for r in rows.bucket("air", NOW - i * STEP, rows.rng.randint(7, 11), 2)]
    store(engine, quiet + busy)  # 80 % complaints every hour since
    run_detection(engine, settings, now=NOW)
    for i in range(6):
        store(engine, rows.bucket("air", NOW + i * STEP, rows.rng.randint(7, 11), 2))
        run_detection(engine, settings, now=NOW + (i + 1) * STEP + timedelta(seconds=61))
    assert opened(engine) == {}
    engine.dispose()
    forget_detectors()
