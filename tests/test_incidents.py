"""One real-world event, one incident: facets, new wordings, routing by facet, watch list and page budget.

Runs the incident layer and the pipeline's alert recording on real databases, with findings as the
detectors give them, so each rule is checked on its own.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from alerts.outbox import build_message
from alerts.render import alert_view, render_text
from models.signals import extract_signals
from monitor.detection.changes import IncidentChange
from monitor.detection.incidents import apply_finding, source_health_changed
from monitor.detection.simple_rules import Finding
from monitor.pipeline.alerting import record_alerts
from monitor.runtime import Runtime
from monitor.settings import Settings
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem, SourceState
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 7, 18, 30, tzinfo=UTC)
WORDINGS = ["Acme internet down in Leeds again, no service for an hour",
            "Is Acme down? No internet connection at all since 6pm, service is terrible",
            "Acme outage: whole street has no internet service and nobody answers",
            "No internet AGAIN from Acme, working from home impossible, service down"]
CHANNELS = [{"id": "comms", "kind": "console"}, {"id": "ops", "kind": "console", "triggers": ["spike"]}]


def setup(database_url: str, **detection: Any) -> tuple[Settings, Runtime]:
    settings = make_settings(database={"url": database_url}, channels=CHANNELS,
                             brands=[{"id": "acme", "name": "Acme", "names": ["Acme"], "timezone": "America/New_York"}],
                             detection=detection)
    return settings, Runtime(settings)


def mentions(session: Session, texts: list[str], authors: list[str], *, minutes_ago: int = 10,
             followers: int = 100) -> list[int]:
    rows = [Mention(brand_id="acme", source_id="s", platform="x", external_id=f"{author}-{i}-{text[:8]}",
                    author_id=author, author_handle=author, author_followers=followers, text=text,
                    sentiment="negative", posted_at=NOW - timedelta(minutes=minutes_ago),
                    signals=extract_signals(text, None).to_json(),
                    ingested_at=NOW) for i, (text, author) in enumerate(zip(texts, authors, strict=True))]
    session.add_all(rows)
    session.flush()
    return [m.id or 0 for m in rows]


def finding(trigger: str, key: str, ids: list[int], severity: int = 2, authors: int = 6) -> Finding:
    return Finding(trigger, key, severity, f"{trigger} title", f"{authors} people", ids, len(ids), authors,
                   {"authors": authors, "expected": 1.0})


def run(settings: Settings, runtime: Runtime, work: Any) -> list[IncidentChange]:
    with Session(runtime.engine) as session:
        changes: list[IncidentChange] = work(session)
        record_alerts(session, settings, changes, NOW)
        session.commit()
    return changes


def test_one_outage_in_four_wordings_with_a_spike_and_a_big_account_is_one_incident(database_url: str) -> None:
    settings, runtime = setup(database_url)
    brand = settings.brands[0]

    def work(session: Session) -> list[IncidentChange]:
        changes = []
        for n, text in enumerate(WORDINGS):  # four story clusters, different people, shared words
            ids = mentions(session, [text] * 6, [f"w{n}p{k}" for k in range(6)])
            changes += apply_finding(session, settings, brand, finding("story", f"story:acme:{n}", ids), NOW)
        spike_ids = mentions(session, ["Acme is down, no internet"], ["late1"])
        changes += apply_finding(session, settings, brand, finding("spike", "spike:acme:1", spike_ids, 3), NOW)
        big = mentions(session, [WORDINGS[0]], ["w0p1"], followers=900_000)
        changes += apply_finding(session, settings, brand, finding("high_reach", "reach:acme:w0p1", big), NOW)
        return changes

    changes = run(settings, runtime, work)
    with Session(runtime.engine) as session:
        [incident] = session.exec(select(Incident)).all()
        assert set(incident.facets or {}) == {"story", "spike", "high_reach"}
        events = [a.event for a in session.exec(select(Alert).order_by(Alert.id))]
        routed = {(a.event, o.channel_id) for a, o in session.exec(
            select(Alert, OutboxItem).where(OutboxItem.alert_id == Alert.id))}
    assert events.count("opened") == 1 and [c.event for c in changes] == ["opened", "escalated"]
    assert "also negative mentions spiking" in changes[1].summary
    assert "severity now high (was medium)" in changes[1].summary
    assert ("escalated", "ops") in routed and ("opened", "comms") in routed  # ops asked for spikes: it hears


def test_an_unrelated_complaint_at_the_same_time_is_its_own_incident(database_url: str) -> None:
    settings, runtime = setup(database_url)
    brand = settings.brands[0]

    def work(session: Session) -> list[IncidentChange]:
        a = mentions(session, [WORDINGS[0]] * 6, [f"a{k}" for k in range(6)])
        b = mentions(session, ["Charged twice for my Acme bill, refund please"] * 6, [f"b{k}" for k in range(6)])
        return (apply_finding(session, settings, brand, finding("story", "story:acme:a", a), NOW)
                + apply_finding(session, settings, brand, finding("story", "story:acme:b", b), NOW))

    run(settings, runtime, work)
    with Session(runtime.engine) as session:
        assert len(session.exec(select(Incident)).all()) == 2


def test_individual_triggers_are_watched_and_the_page_budget_holds(database_url: str) -> None:
    settings, runtime = setup(database_url, pages_per_week=1)
    brand = settings.brands[0]

    def work(session: Session) -> list[IncidentChange]:
        watched = mentions(session, ["Acme, third complaint this week"], ["margaret"])
        one = mentions(session, [WORDINGS[0]] * 6, [f"a{k}" for k in range(6)])
        two = mentions(session, ["Charged twice for my Acme bill, refund please"] * 6, [f"b{k}" for k in range(6)])
        three = mentions(session, ["Acme app deleted all my saved settings, rubbish"] * 6, [f"c{k}" for k in range(6)])
        return (apply_finding(session, settings, brand, finding("repeat_complainer", "repeat:acme:m", watched), NOW)
                + apply_finding(session, settings, brand, finding("story", "story:acme:a", one), NOW)
                + apply_finding(session, settings, brand, finding("story", "story:acme:b", two), NOW)
                + apply_finding(session, settings, brand, finding("story", "story:acme:c", three, 4), NOW))

    run(settings, runtime, work)
    with Session(runtime.engine) as session:
        watch = session.exec(select(Incident).where(Incident.trigger == "repeat_complainer")).one()
        paged = {a.incident_id: a.paged for a in session.exec(select(Alert))}
        outbox = {a.incident_id for a, _ in session.exec(select(Alert, OutboxItem).where(
            OutboxItem.alert_id == Alert.id))}
    assert watch.status == "watch" and watch.id not in paged  # stored, never paged
    assert list(paged.values()) == [True, False, True]  # 2nd page over budget: digest; critical: pages anyway
    assert outbox == {k for k, v in paged.items() if v}


def test_detection_does_not_import_alerts() -> None:
    code = ("import sys, monitor.detection.incidents, monitor.detection.brand_detector; "
            "print(sorted(m for m in sys.modules if m == 'alerts' or m.startswith('alerts.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_message_is_plain_local_and_distinct_and_source_down_has_no_counts(database_url: str) -> None:
    settings, runtime = setup(database_url)
    brand = settings.brands[0]

    def work(session: Session) -> list[IncidentChange]:
        texts = [WORDINGS[0], WORDINGS[0].replace("Leeds", "York"), WORDINGS[0].replace("Leeds", "Bath"), WORDINGS[2]]
        ids = mentions(session, texts, ["p1", "p2", "p3", "p4"])
        state = SourceState(id="x-acme", brand_id="acme", kind="x", status="failing", last_error="HTTP 401")
        return (apply_finding(session, settings, brand, finding("spike", "spike:acme:9", ids, 3, 40), NOW)
                + source_health_changed(session, state, NOW))

    run(settings, runtime, work)
    with Session(runtime.engine) as session:
        items = {o.alert_id: o for o in session.exec(select(OutboxItem).where(OutboxItem.channel_id == "comms"))}
        spike, down = (build_message(session, item) for item in items.values())
    view = alert_view(spike)
    assert view.opened_at == "Sat 7 Nov 13:30 EST"  # the brand's time, not UTC
    assert [e.text[:20] for e in view.examples] == [WORDINGS[0][:20], WORDINGS[2][:20]]  # town variants folded
    text = render_text(view)
    for internal in ("Weighted", "Threshold", "Total authors", "spike:", "_"):
        assert internal not in text.split("--")[0], internal
    assert "people complaining" in view.headline and "People" in text
    down_text = render_text(alert_view(down))
    assert "People" not in down_text and "Mentions" not in down_text and "HTTP 401" in down_text


def test_a_repeat_complainer_pages_only_when_the_brand_ignores_them(database_url: str) -> None:
    from monitor.detection.watchlist import page_reason

    settings, runtime = setup(database_url)
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        def complaints(author: str, answered: bool) -> Incident:
            ids = []
            for k in range(3):
                m = Mention(brand_id="acme", source_id="s", platform="x", external_id=f"{author}{k}", author_id=author,
                            author_handle=author, text=f"Acme still broken, attempt {k}", sentiment="negative",
                            conversation_id=f"conv-{author}", posted_at=NOW - timedelta(hours=5 - k),
                            ingested_at=NOW)
                session.add(m)
                session.flush()
                ids.append(m.id or 0)
            if answered:  # support replied to the first complaint; the last one is not answered yet
                session.add(Mention(brand_id="acme", source_id="s", platform="x", external_id=f"r-{author}",
                                    author_id="acme", text="DM us please", is_brand_reply=True,
                                    parent_id=f"{author}0", conversation_id=f"conv-{author}",
                                    posted_at=NOW - timedelta(hours=4, minutes=30), ingested_at=NOW))
            incident = Incident(brand_id="acme", key=f"repeat:{author}", trigger="repeat_complainer", status="watch",
                                opened_at=NOW - timedelta(hours=2), updated_at=NOW, last_activity_at=NOW,
                                example_mention_ids=ids[-1:])
            session.add(incident)
            session.flush()
            return incident

        talking, ignored = complaints("talking", True), complaints("ignored", False)
        assert page_reason(session, settings, brand, talking, NOW) == ""
        assert "not answered" in page_reason(session, settings, brand, ignored, NOW)


def test_a_tweetstorm_is_one_complaint_not_a_repeat_complainer() -> None:
    from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation

    detector = BrandDetector(BrandConfig.for_sensitivity("default"))
    storm = [Observation(NOW + timedelta(minutes=k), "x:ann", 0.9, True, f"part {k} of my complaint", ref=str(k))
             for k in range(6)]
    assert not [f for f in detector.run(storm, NOW + timedelta(minutes=10)) if f.kind == "repeat"]
    later = [Observation(NOW + timedelta(hours=h), "x:ann", 0.9, True, f"still broken, day {h}", ref=f"d{h}")
             for h in (3, 30)]
    repeats = [f for f in detector.run(later, NOW + timedelta(hours=31)) if f.kind == "repeat"]
    assert len(repeats) == 1 and "3 occasions" in repeats[0].reason


def test_a_watched_complaint_that_starts_spreading_pages_once_and_is_not_unacknowledged_at_once(
        database_url: str) -> None:
    from monitor.detection.incidents import detect_brand

    settings, runtime = setup(database_url)
    brand = settings.brands[0]
    earlier = NOW - timedelta(minutes=50)

    def work(session: Session) -> list[IncidentChange]:
        ids = mentions(session, [WORDINGS[0]], ["sam"], minutes_ago=55)
        watched = apply_finding(session, settings, brand, finding("churn_threat", "churn:acme:sam", ids), earlier)
        spread = mentions(session, [WORDINGS[1]] * 9 + [WORDINGS[0]], [f"p{k}" for k in range(9)] + ["sam"])
        joined = apply_finding(session, settings, brand, finding("spike", "spike:acme:2", spread, 2, 10), NOW)
        return watched + joined + detect_brand(session, settings, brand, NOW)

    changes = run(settings, runtime, work)
    assert [c.event for c in changes] == ["opened"]  # watched first (no page), one page when it spread
    with Session(runtime.engine) as session:
        [incident] = session.exec(select(Incident)).all()
        assert incident.trigger == "spike" and set(incident.facets or {}) == {"churn_threat", "spike"}
