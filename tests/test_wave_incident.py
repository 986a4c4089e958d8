"""The incident layer's side of a wave that goes on (monitor/detection/wave_incident.py, issue #12), on real SQLite.

The detector's hourly "still elevated" finding keeps the wave's incident active and tells nothing; a story that
retells the wave (``Finding.joins``) finds its incident even after a day of churn threats joined it (an incident
keeps 50 keys: one person's trigger goes before the wave's own key), and once resolved the wave's incident is
not reopened by it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from monitor.detection import joining
from monitor.detection.incidents import apply_finding
from monitor.detection.simple_rules import Finding
from monitor.detection.wave_incident import MAX_KEYS, kept_keys
from monitor.storage.tables import Incident
from tests.test_incidents import NOW, finding, mentions, setup

WAVE = "spike:acme:spike:20261107T1500"
RETOLD = "Acme cancelled my flight, stranded at the airport, no hotel voucher, rebooking is two days out"


def still(minutes: int) -> tuple[Finding, datetime]:
    return Finding("spike", WAVE, 2, "spike title", "Still 40 negative people", [], 1, 40,
                   {"authors": 40.0, "still": 1.0}), NOW + timedelta(minutes=minutes)


def test_the_hourly_still_elevated_finding_keeps_the_incident_active_and_tells_nothing(tmp_path: Path) -> None:
    settings, runtime = setup(f"sqlite:///{tmp_path / 'w.db'}")
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        ids = mentions(session, [RETOLD] * 3, ["a", "b", "c"])
        opened = apply_finding(session, settings, brand, finding("spike", WAVE, ids), NOW)
        incident = session.get(Incident, opened[0].incident_id)
        assert incident is not None and [c.event for c in opened] == ["opened"]
        people, examples = dict(incident.details or {})["join"], list(incident.example_mention_ids or [])
        for minutes in (60, 120, 180, 240):
            beat, when = still(minutes)
            assert apply_finding(session, settings, brand, beat, when) == []  # no alert
        assert incident.last_activity_at == NOW + timedelta(minutes=240)
        assert (incident.details or {})["join"] == people and incident.example_mention_ids == examples  # no evidence
        incident.status = "resolved"
        beat, when = still(300)
        assert apply_finding(session, settings, brand, beat, when) == []
        assert incident.last_activity_at == NOW + timedelta(minutes=240)  # a resolved wave stays resolved


def test_a_story_retelling_the_wave_finds_its_incident_after_a_day_of_churn_threats_joined_it(tmp_path: Path) -> None:
    settings, runtime = setup(f"sqlite:///{tmp_path / 'w.db'}")
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        churn = mentions(session, ["I am cancelling my Acme account after this"], ["a"])
        apply_finding(session, settings, brand, finding("churn_threat", "churn_threat:acme:a", churn), NOW)
        ids = mentions(session, [RETOLD] * 3, ["a", "b", "c"])
        opened = apply_finding(session, settings, brand, finding("spike", WAVE, ids), NOW)
        incident = session.get(Incident, opened[0].incident_id)
        assert incident is not None and incident.key != WAVE  # the wave joined the customer's watched threat
        for n in range(2 * MAX_KEYS):  # a day of churn threats taken in
            joining.absorb(incident, finding("churn_threat", f"churn_threat:acme:p{n}", []), joining.Evidence(), NOW)
        keys = (incident.details or {})["join"]["keys"]
        assert WAVE in keys and len(keys) == MAX_KEYS
        story_ids = mentions(session, [RETOLD + "!!"] * 7, [f"s{k}" for k in range(7)])
        retold = Finding("story", "story:acme:story:s9", 3, "story title", "7 people", story_ids, 7, 7,
                         {"authors": 7.0, "weighted": 6.0}, (), WAVE)
        changes = apply_finding(session, settings, brand, retold, NOW + timedelta(minutes=30))
        assert [c.incident_id for c in changes] == [incident.id] and "story" in (incident.facets or {})
        assert "the complaint behind the rise" in changes[0].summary


def test_an_incident_keeps_its_last_keys_and_drops_one_persons_before_a_spike_or_a_story() -> None:
    keys = ["spike:a:1", *(f"churn_threat:a:{n}" for n in range(60)), "story:a:2"]
    kept = kept_keys(keys)
    assert len(kept) == MAX_KEYS and kept[0] == "spike:a:1" and kept[-1] == "story:a:2"
    assert kept[1:-1] == keys[-MAX_KEYS + 1:-1]  # the newest of the others
    assert kept_keys(keys[:10]) == keys[:10]
