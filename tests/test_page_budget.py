"""The weekly page budget holds weak evidence only: a real spreading event pages even when the budget is spent.

Real parts: the database, the incident layer (``apply_finding``) and the pipeline's ``record_alerts``, the
digest as built and rendered for people. Each scenario first spends the brand's budget (two marginal
stories of six people, ``pages_per_week = 2``), then something arrives.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from alerts.digest import build_digest
from alerts.digest_render import render_text
from alerts.outbox import build_message
from monitor.detection.changes import IncidentChange
from monitor.detection.incidents import apply_finding
from monitor.detection.simple_rules import Finding
from monitor.pipeline.alerting import record_alerts
from monitor.settings import Settings
from monitor.storage.tables import Alert, Incident, OutboxItem
from tests.fakes.web_client import signed_in
from tests.fakes.web_seed import seed
from tests.test_incidents import NOW, WORDINGS, mentions, setup

BILLING = "Charged twice for my Acme bill, refund please"
APP = "Acme app deleted all my saved settings, rubbish"


def spread(trigger: str, key: str, ids: list[int], authors: int, severity: int = 2,
           expected: float = 0.0) -> Finding:
    details: dict[str, Any] = {"authors": authors, "expected": expected}
    return Finding(trigger, key, severity, f"{trigger} title", f"{authors} people", ids, len(ids), authors, details)


def spend_budget(session: Session, settings: Settings) -> list[IncidentChange]:
    """Two marginal stories page: the brand's two pages this week are used."""
    brand = settings.brands[0]
    one = mentions(session, [BILLING] * 6, [f"b{k}" for k in range(6)], minutes_ago=300)
    two = mentions(session, [APP] * 6, [f"c{k}" for k in range(6)], minutes_ago=300)
    earlier = NOW - timedelta(hours=5)
    changes = (apply_finding(session, settings, brand, spread("story", "story:acme:bill", one, 6), earlier)
               + apply_finding(session, settings, brand, spread("story", "story:acme:app", two, 6), earlier))
    record_alerts_now(session, settings, changes, earlier)
    return changes


def paged_by_incident(session: Session) -> dict[int, list[bool]]:
    out: dict[int, list[bool]] = {}
    for alert in session.exec(select(Alert).order_by(col(Alert.id))):
        out.setdefault(alert.incident_id, []).append(alert.paged)
    return out


@pytest.mark.parametrize(("trigger", "people", "usual"), [("story", 40, 0.0), ("spike", 30, 6.0)])
def test_a_big_story_or_spike_pages_after_the_budget_is_spent(database_url: str, trigger: str, people: int,
                                                              usual: float) -> None:
    settings, runtime = setup(database_url, pages_per_week=2)
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        spend_budget(session, settings)
        ids = mentions(session, [WORDINGS[0]] * people, [f"s{k}" for k in range(people)])
        found = spread(trigger, f"{trigger}:acme:out", ids, people, 3, usual)
        big = apply_finding(session, settings, brand, found, NOW)
        record_alerts_now(session, settings, big)
        paged = paged_by_incident(session)
        sent = set(session.exec(select(Alert.incident_id).join(OutboxItem, col(OutboxItem.alert_id) == Alert.id)))
    assert [p[0] for p in paged.values()] == [True, True, True]  # severity 3, budget spent: still pages
    assert set(paged) == sent


@pytest.mark.parametrize(("trigger", "people", "usual"), [("story", 6, 0.0), ("spike", 60, 40.0)])
def test_a_marginal_story_or_a_big_brands_usual_crowd_is_held_and_shown_in_the_digest(
        database_url: str, trigger: str, people: int, usual: float) -> None:
    settings, runtime = setup(database_url, pages_per_week=2)
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        spend_budget(session, settings)
        ids = mentions(session, [WORDINGS[0]] * people, [f"s{k}" for k in range(people)])
        found = spread(trigger, f"{trigger}:acme:out", ids, people, 3, usual)  # 60 where 40 are usual: not 2x
        record_alerts_now(session, settings, apply_finding(session, settings, brand, found, NOW))
        paged = paged_by_incident(session)
        sent = set(session.exec(select(Alert.incident_id).join(OutboxItem, col(OutboxItem.alert_id) == Alert.id)))
    assert [p[0] for p in paged.values()] == [True, True, False]
    digest = build_digest(runtime.engine, settings, brand, date(2026, 11, 7))
    assert digest.held == set(paged) - sent and len(digest.held) == 1
    lines = [line for line in render_text([digest]).splitlines() if "held by the page budget" in line]
    assert len(lines) == 1 and f"#{min(digest.held)} " in lines[0]


def test_a_held_story_that_grows_past_the_bar_pages_once_and_says_it_was_held(database_url: str) -> None:
    settings, runtime = setup(database_url, pages_per_week=2)
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        spend_budget(session, settings)
        first = mentions(session, [WORDINGS[0]] * 6, [f"s{k}" for k in range(6)], minutes_ago=40)
        held = apply_finding(session, settings, brand, spread("story", "story:acme:out", first, 6),
                             NOW - timedelta(minutes=30))
        record_alerts_now(session, settings, held, NOW - timedelta(minutes=30))
        more = mentions(session, [WORDINGS[1]] * 22, [f"t{k}" for k in range(22)])
        grown = apply_finding(session, settings, brand, spread("story", "story:acme:out", first + more, 28), NOW)
        record_alerts_now(session, settings, grown)
        later = mentions(session, [WORDINGS[2]] * 20, [f"u{k}" for k in range(20)])
        again = apply_finding(session, settings, brand,
                              spread("story", "story:acme:out", first + more + later, 50), NOW + timedelta(minutes=10))
        record_alerts_now(session, settings, again, NOW + timedelta(minutes=10))
        incident = session.exec(select(Incident).where(Incident.key == "story:acme:out")).one()
        alerts = session.exec(select(Alert).where(Alert.incident_id == incident.id).order_by(col(Alert.id))).all()
        posts = session.exec(select(OutboxItem).join(Alert, col(Alert.id) == OutboxItem.alert_id).where(
            Alert.incident_id == incident.id)).all()
        message = build_message(session, posts[0])
    assert [(a.event, a.paged) for a in alerts] == [("opened", False), ("escalated", True)]
    assert [c.event for c in again] == []  # past the bar once: no second page for the same crowd
    assert {p.alert_id for p in posts} == {alerts[1].id} and len(posts) == 1  # one channel routes stories
    assert (alerts[1].summary or "").startswith("First held for the digest (weekly page budget spent)")
    assert "Now 28 people (was 6)" in (alerts[1].summary or "")
    assert "First held for the digest" in message.change


def test_the_workspace_says_which_alert_the_budget_held(database_url: str) -> None:
    seeded = seed(database_url)
    with Session(seeded.engine) as session:
        session.add(Alert(incident_id=seeded.incident_id, event="escalated", severity=4, created_at=NOW,
                          summary="Now 9 people (was 6)", paged=False))
        session.commit()
    rows = signed_in(seeded).get(f"/incidents/{seeded.incident_id}").text.split("<tr")
    held = [row for row in rows if "held by the page budget (digest only)" in row]
    assert len(held) == 1 and "escalated" in held[0]


def test_the_bar_can_be_switched_off(database_url: str) -> None:
    settings, runtime = setup(database_url, pages_per_week=2, budget_exempt_people=0)
    brand = settings.brands[0]
    with Session(runtime.engine) as session:
        spend_budget(session, settings)
        story_ids = mentions(session, [WORDINGS[0]] * 40, [f"s{k}" for k in range(40)])
        story = apply_finding(session, settings, brand, spread("story", "story:acme:out", story_ids, 40, 3), NOW)
        record_alerts_now(session, settings, story)
        assert [p[0] for p in paged_by_incident(session).values()] == [True, True, False]


def record_alerts_now(session: Session, settings: Settings, changes: list[IncidentChange],
                      when: datetime = NOW) -> None:
    record_alerts(session, settings, changes, when)
    session.commit()
