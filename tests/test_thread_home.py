"""A person's trigger inside an open wave joins the wave's incident, and a wave a story told first joins the
story's incident (monitor/detection/thread_home.py, issue #12: one real-world event, one incident), through
``groundswell backtest``'s replay.

The brand's complaints double for 14 hours (``tests/test_wave_thread``'s surge: each a new person, the same
cancellations in varied words); the wave test pages a few hours in. Then:

* someone who told the wave (a cancellation complaint after its page) threatens to leave in other words: a big
  customer's threat is told once in the wave's thread (``joined``), an ordinary customer's joins it quietly; before,
  each opened an incident of its own (the big customer's a second page);
* a big customer who had said nothing threatens to leave over something else in the same hours: their own
  incident and page, as before;
* (a second replay) a story of new people retelling the cancellations pages in the wave's first hours, before the
  wave test does: the wave joins the story's incident, one thread (before: a second incident and page).

Real parts: the replay's SQLite database, the lexicon sentiment and churn models, the service's detection, incident
and alert code.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, create_engine, select

from monitor.clock import as_utc
from monitor.detection.wave_thread import WaveThread
from monitor.replay.backtest import backtest_settings, run_backtest
from monitor.storage.tables import Alert, Incident, Mention
from tests.test_wave_thread import SURGE, rows

TOLD = "@acme cancelled again, stranded with no voucher terrible"  # tells the wave (its words)
LEAVING = "@acme I am done with you, closing my account today"  # in other words: not the wave's
STUCK = "@acme they kept us on the tarmac for four hours without water or air conditioning"
ELSEWHERE = "@acme your loyalty app charged me twice, I am switching to another airline"  # not the wave


def post(tag: str, at: timedelta, text: str, followers: int) -> dict[str, Any]:
    return {"id": tag, "author_id": tag.split("-")[0], "text": text, "author_followers": followers,
            "posted_at": (SURGE[0] + at).isoformat()}


def replay(tmp_path: Path, data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every incident of the replay, the watch list's too: trigger, keys, people, its mentions' ids, its alerts."""
    path = tmp_path / "mentions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    settings = backtest_settings(tmp_path, path, "lexicon", "default", "adaptive")
    run_backtest(settings, tmp_path / "timeline.jsonl", input_file=path)
    engine = create_engine(settings.database_url())
    with Session(engine) as session:
        external = dict(session.exec(select(Mention.id, Mention.external_id)).all())
        alerts = session.exec(select(Alert)).all()
        out = [{"trigger": i.trigger, "key": i.key, "facets": set(i.facets or {}), "opened": as_utc(i.opened_at),
                "ids": {external[m] for m in i.example_mention_ids or []},
                "keys": set((i.details or {}).get("join", {}).get("keys", [])),
                "people": {p.split(":", 1)[-1] for p in (i.details or {}).get("join", {}).get("people", [])},
                "alerts": sorted((as_utc(a.created_at), a.event, a.paged, a.about, a.summary or "") for a in alerts
                                 if a.incident_id == i.id)}
               for i in session.exec(select(Incident)).all()]
    engine.dispose()
    return out


def wave_of(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    waves = [i for i in incidents if "spike" in i["facets"] and SURGE[0] <= i["opened"] <= SURGE[1]]
    assert len(waves) == 1, incidents
    return waves[0]


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    people = [post("bigm-1", timedelta(hours=7), TOLD, 50_000), post("bigm-2", timedelta(hours=9), LEAVING, 50_000),
              post("small-1", timedelta(hours=7, minutes=20), TOLD, 120),
              post("small-2", timedelta(hours=9, minutes=20), LEAVING, 120),
              post("outsider-1", timedelta(hours=9, minutes=40), ELSEWHERE, 50_000)]
    return replay(tmp_path_factory.mktemp("thread-home"), rows(people))


def test_a_big_customer_of_the_wave_threatening_to_leave_is_told_in_the_waves_thread(
        incidents: list[dict[str, Any]]) -> None:
    wave = wave_of(incidents)
    theirs = [i for i in incidents if "bigm-2" in i["ids"]]
    assert theirs == [wave] and "churn_threat" in wave["facets"], theirs  # before: an incident and page of its own
    joined = [a for a in wave["alerts"] if a[1] == "joined"]
    assert [a[3] for a in joined] == ["replay:bigm"] and joined[0][2], wave["alerts"]  # told once, in the thread
    assert "joined this complaint" in joined[0][4] and "story" not in joined[0][4], joined  # a wave is no story


def test_an_ordinary_customer_of_the_wave_threatening_to_leave_joins_it_quietly(
        incidents: list[dict[str, Any]]) -> None:
    wave = wave_of(incidents)
    assert not [i for i in incidents if i is not wave and "small-2" in i["ids"]], incidents  # no watch-list entry
    assert "small" in wave["people"] and not [a for a in wave["alerts"] if a[3] == "replay:small"]
    told = [a[4] for a in wave["alerts"] if "threatening to leave joined" in a[4]]  # in its next update
    assert told == ["Quiet for 180 min; 1 more customer threatening to leave joined"], wave["alerts"]


def test_a_churn_threat_from_someone_outside_the_wave_still_pages_on_its_own(incidents: list[dict[str, Any]]) -> None:
    theirs = [i for i in incidents if "outsider-1" in i["ids"]]
    assert len(theirs) == 1 and theirs[0] is not wave_of(incidents) and theirs[0]["trigger"] == "churn_threat"
    assert theirs[0]["alerts"][0][1] == "opened", theirs  # "worth your attention now" (a page within the budget)


def test_a_wave_a_story_told_first_joins_the_storys_incident(tmp_path: Path) -> None:
    """48 new people tell one story in the wave's first two hours (in words of their own: stuck on the tarmac) and it
    pages; the wave test pages an hour after the story's last post, with a quarter or more of its extra people the
    story's. Before, the wave opened an incident of its own: no example, word or person of its last hour was the
    story's."""
    ends = ["", "!!", " ridiculous", " so tired", " unbelievable", " :(", " again", " help"]
    first = [{"id": f"first{k}", "author_id": f"first-p{k}", "text": STUCK + ends[k % len(ends)],
              "posted_at": (SURGE[0] + timedelta(minutes=90, seconds=150 * k)).isoformat()} for k in range(48)]
    incidents = [i for i in replay(tmp_path, rows(first)) if i["alerts"]]
    told = [i for i in incidents if any(r.startswith("first") for r in i["ids"])]
    assert len(told) == 1 and told[0]["trigger"] == "story", told
    waves = [i for i in incidents if "spike" in i["facets"] and SURGE[0] <= i["opened"] <= SURGE[1]]
    assert waves == told, incidents  # before: the wave opened (and paged) an incident of its own
    assert any(k.startswith("spike:") for k in told[0]["keys"])
    assert [a[1] for a in told[0]["alerts"] if a[2]].count("opened") == 1


def test_a_wave_thread_pickled_before_its_tellers_were_kept_loads_with_none() -> None:
    thread = WaveThread({"marks": ["cancel", "strand"], "people": {"ann": 1.0, "bo": 2.0}, "news": {"s1": 3.0}})
    again = WaveThread.__new__(WaveThread)
    again.__setstate__(thread.__getstate__())
    assert (again.marks, again.people, again.news) == (["cancel", "strand"], {"ann": 1.0, "bo": 2.0}, {"s1": 3.0})
    state = WaveThread().__getstate__()
    del state["marks"], state["people"], state["news"]  # as the first format-4 checkpoints pickled it
    loaded = WaveThread.__new__(WaveThread)
    loaded.__setstate__(state)
    assert loaded.marks == [] and loaded.people == loaded.news == {} and loaded.to_dict()["news"] == {}
