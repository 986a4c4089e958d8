"""One wave, one incident (monitor/detection/wave_thread.py, issue #12), through ``groundswell backtest``'s replay.

A brand's complaints double for 14 hours (each a new person, the same grievance in varied words: no story forms of
them). The wave test pages; while the brand stays elevated its incident must stay open (before: it resolved as
quiet three hours after its page), so a story of new people retelling the cancellations, hours later, joins it
instead of paging again; a story of the same hours about something else opens its own incident; and once the
complaints are back to normal the wave's incident resolves as quiet as before. Real parts: the replay's SQLite
database, the lexicon sentiment model, the service's detection, incident and alert code.
"""

from __future__ import annotations

import json
import math
import pickle
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zstandard
from sqlmodel import Session, create_engine, select

from monitor.clock import as_utc
from monitor.detection import checkpoint
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation
from monitor.replay.backtest import backtest_settings, run_backtest
from monitor.storage import checkpoints
from monitor.storage.tables import Alert, Incident, Mention

T0 = datetime(2026, 1, 5, tzinfo=UTC)
SURGE = (T0 + timedelta(days=3, hours=6), T0 + timedelta(days=3, hours=20))  # complaints doubled
END = T0 + timedelta(days=4, hours=2)
WORDS = ["flight", "gate", "bag", "seat", "crew", "delay", "refund", "app", "lounge", "miles", "boarding"]
CANCEL = ["cancelled", "rebooking", "stranded", "voucher", "hotel", "airport"]
RETOLD = "@acme cancelled flight, stranded at the airport, no hotel voucher and rebooking is two days out"
OTHER = "@acme your new seat map keeps crashing, cannot pick a seat for tomorrow, useless"


def rate(now: datetime) -> float:
    """Mentions per 5 minutes: 6 on average, a daily peak at 15:00 and a trough at 03:00."""
    return 6.0 * (1 + 0.6 * math.sin((now.hour + now.minute / 60 - 9) / 24 * 2 * math.pi))


def draw(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def noise(rng: random.Random, n: int) -> str:
    return " ".join(f"{w}{rng.randrange(10**6)}" for w in rng.choices(WORDS, k=n))  # varied: no story of them


def story(start: datetime, text: str, tag: str, ends: list[str], people: int = 12) -> list[dict[str, Any]]:
    """``people`` new people telling one thing within an hour (small ``ends``: near-duplicates, one story)."""
    return [{"id": f"{tag}{k}", "author_id": f"{tag}-p{k}", "text": text + ends[k % len(ends)],
             "posted_at": (start + timedelta(minutes=5 * k)).isoformat()} for k in range(people)]


def rows(*stories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Background (half complaints) from T0 to END, the complaints of the surge, and the given stories."""
    rng, now = random.Random(7), T0
    out: list[dict[str, Any]] = []
    while now < END:
        extra = draw(rng, rate(now)) if SURGE[0] <= now < SURGE[1] else 0
        for kind in ["bg"] * draw(rng, rate(now)) + ["surge"] * extra:
            negative = kind == "surge" or rng.random() < 0.5
            text = noise(rng, 5) + (" terrible" if negative else "")
            if kind == "surge":
                text = f"@acme {' '.join(rng.sample(CANCEL, 2))} {text}"
            out.append({"id": f"{kind}{len(out)}", "author_id": f"u{len(out)}", "text": text,
                        "posted_at": (now + timedelta(seconds=rng.randint(0, 299))).isoformat()})
        now += timedelta(minutes=5)
    for told in stories:
        out += told
    return sorted(out, key=lambda r: r["posted_at"])


def replay(tmp_path: Path, data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every incident the replay told: trigger, facets, opened/resolved, its mentions' ids, its alerts."""
    path = tmp_path / "mentions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    settings = backtest_settings(tmp_path, path, "lexicon", "default", "adaptive")
    run_backtest(settings, tmp_path / "timeline.jsonl", input_file=path)
    engine = create_engine(settings.database_url())
    with Session(engine) as session:
        external = dict(session.exec(select(Mention.id, Mention.external_id)).all())
        alerts = session.exec(select(Alert)).all()
        told = [{"trigger": i.trigger, "facets": set(i.facets or {}), "opened": as_utc(i.opened_at),
                 "resolved": as_utc(i.resolved_at) if i.resolved_at else None, "by": i.resolved_by,
                 "ids": {external[m] for m in i.example_mention_ids or []},
                 "people": set((i.details or {}).get("join", {}).get("people", [])),
                 "alerts": sorted((as_utc(a.created_at), a.event, a.paged) for a in alerts if a.incident_id == i.id)}
                for i in session.exec(select(Incident)).all()]
    engine.dispose()
    return [i for i in told if i["alerts"]]


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The surge, a story retelling it 8 h after it began, and a story about something else an hour later."""
    retold = story(SURGE[0] + timedelta(hours=8), RETOLD, "retold", ["", "!!", " ridiculous", " never again"])
    other = story(SURGE[0] + timedelta(hours=9, minutes=30), OTHER, "other", ["", " :(", " so annoying", " fix it"])
    return replay(tmp_path_factory.mktemp("wave-thread"), rows(retold, other))


def wave_of(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    waves = [i for i in incidents if i["trigger"] == "spike" and SURGE[0] <= i["opened"] <= SURGE[1]]
    assert len(waves) == 1, incidents
    return waves[0]


def test_the_waves_incident_stays_open_while_the_brand_is_elevated(incidents: list[dict[str, Any]]) -> None:
    wave = wave_of(incidents)
    assert wave["opened"] < SURGE[0] + timedelta(hours=6)  # the wave test paged it
    assert wave["resolved"] is not None and wave["resolved"] > SURGE[1], wave  # before: 3 h after its page


def test_a_story_retelling_the_wave_joins_its_incident_without_a_page_of_its_own(
        incidents: list[dict[str, Any]]) -> None:
    wave = wave_of(incidents)
    retold = [i for i in incidents if any(r.startswith("retold") for r in i["ids"])]
    assert retold == [wave] and "story" in wave["facets"], retold
    paged = [a for a in wave["alerts"] if a[2]]
    assert paged[0][1] == "opened" and any(e == "updated" for _, e, _ in paged[1:]), paged  # news in its thread


def test_a_story_about_something_else_in_the_same_hours_opens_its_own_incident(
        incidents: list[dict[str, Any]]) -> None:
    other = [i for i in incidents if any(r.startswith("other") for r in i["ids"])]
    assert len(other) == 1 and other[0]["trigger"] == "story" and other[0] is not wave_of(incidents), other
    assert other[0]["alerts"][0][1] == "opened" and other[0]["alerts"][0][2]


def test_once_the_complaints_are_back_to_normal_the_waves_incident_resolves_as_quiet(
        incidents: list[dict[str, Any]]) -> None:
    wave = wave_of(incidents)
    assert wave["by"] == "auto (quiet)" and wave["resolved"] < SURGE[1] + timedelta(hours=5), wave


def test_a_detector_checkpoint_of_format_3_still_loads_with_an_empty_wave_thread(tmp_path: Path) -> None:
    """Format 4 adds the wave thread; a format-3 checkpoint (a detector pickled before it existed) is read, not
    warmed up anew, and its detector behaves as one with no paged wave open."""
    from sqlmodel import SQLModel

    cfg = BrandConfig.for_sensitivity("default")
    old = BrandDetector(cfg)
    old.run([Observation(T0 + timedelta(minutes=k), f"u{k}", 0.9, True, f"{noise(random.Random(k), 5)} terrible",
                         ref=f"m{k}") for k in range(30)], T0 + timedelta(minutes=40))
    seen = old.to_dict()["seen"]
    del old.thread  # as format 3 pickled it
    blob = zstandard.ZstdCompressor().compress(pickle.dumps(old))
    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        checkpoints.save(session, "acme", after=0, version=3, settings_hash=checkpoint.settings_hash(cfg, 3),
                         blob=blob, now=T0)
        session.commit()
        loaded = checkpoint.resume(session, "acme", cfg, None)
    assert checkpoint.FORMAT == 4 and loaded is not None
    assert loaded.thread.key is None and loaded.to_dict()["thread"]["key"] is None
    assert loaded.to_dict()["seen"] == seen  # the rest as it was
    later = T0 + timedelta(minutes=50)
    loaded.run([Observation(later, "late", 0.9, True, "late terrible", ref="late")], later)  # and it runs on
