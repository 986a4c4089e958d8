"""Big customers joining one story are folded into one update every few minutes (issue #12, the soak's 24 emails
in 12 minutes): the first is told at once, the next ones within ``detection.joined_fold_minutes`` go out together,
each person once; a fold pending at a crash goes out once; held ones are named in the digest.

Real parts as in tests/test_churn_joins_story.py: SQLite and PostgreSQL, the detection pass, the pipeline's page
budget, the outbox, a local Slack Web API server and a real SMTP server.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from alerts.digest import build_digest
from alerts.digest_render import render_html, render_text
from alerts.outbox import deliver_due
from monitor.detection.incidents import detect_brand
from monitor.pipeline.alerting import pages_this_week, record_alerts
from monitor.runtime import Runtime, build_notifiers
from monitor.settings import Settings
from monitor.storage.engine import transaction
from monitor.storage.tables import Incident
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP
from tests.test_churn_joins_story import NOW, alerts, detect, open_story, part, post, settings_for

LEEDS = "Acme internet down in Leeds again, no service since lunch. Terrible, cancelling my subscription {n}"
SNEAKY = ("Acme <!here> <b>internet</b> down in Leeds again, no service since lunch. Terrible, cancelling my "
          "subscription")


def join(engine: Engine, author: str, minutes: float, text: str = "", followers: int = 900_000) -> None:
    with transaction(engine) as session:
        post(session, author, text or LEEDS.format(n=author), followers, NOW + timedelta(minutes=minutes))


def acknowledge(engine: Engine) -> None:
    """Someone is on the story: no "unacknowledged" reminders in these threads."""
    with transaction(engine) as session:
        for incident in session.exec(select(Incident)):
            incident.acked_by, incident.acked_at = "dana", NOW - timedelta(minutes=19)
            session.add(incident)


def started(database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch,
            **detection: int) -> tuple[Settings, Engine]:
    """A delivered six-person story, and a first big customer told at once (``@big1`` at NOW); budget to spare."""
    settings = settings_for(database_url, slack, smtp, monkeypatch, None, **{"pages_per_week": 10, **detection})
    engine = Runtime(settings).engine
    open_story(engine, settings)
    deliver_due(engine, build_notifiers(settings), now=NOW - timedelta(minutes=20))
    acknowledge(engine)
    join(engine, "big1", -2)
    assert detect(engine, settings, NOW) == ["joined"]
    return settings, engine


def test_big_customers_joining_within_the_window_are_one_update_naming_them_all(
        database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, engine = started(database_url, slack, smtp, monkeypatch)
    assert len(smtp.received) == 2 and len(slack.calls_to("chat.postMessage")) == 2  # story + @big1 at once
    join(engine, "big2", 1)
    join(engine, "big3", 2, SNEAKY)
    assert detect(engine, settings, NOW + timedelta(minutes=3)) == []  # folded: nothing sent yet
    join(engine, "big4", 5)
    join(engine, "big2", 6, "Acme Leeds still down, cancelling my subscription for real")  # told once: quiet
    assert detect(engine, settings, NOW + timedelta(minutes=7)) == []
    assert len(smtp.received) == 2 and len(slack.calls_to("chat.postMessage")) == 2
    assert detect(engine, settings, NOW + timedelta(minutes=10)) == ["joined"]  # the window after @big1 is over
    assert detect(engine, settings, NOW + timedelta(minutes=11)) == []

    joined = [a for a in alerts(engine) if a.event == "joined"]
    assert [(a.about, a.paged) for a in joined] == [("x:big1", True), ("x:big2", True)]
    assert joined[1].summary is not None and joined[1].summary.startswith(
        '3 more big customers joined this complaint: @big2 (900,000 followers) "Acme internet down in Leeds')
    with Session(engine) as session:
        assert pages_this_week(session, "acme", NOW + timedelta(minutes=11)) == 3  # the story, @big1, the fold
    [_, _, mail] = smtp.received
    text = part(mail.message, "plain")
    for handle in ("@big2 (900,000 followers)", "@big3 (900,000 followers)", "@big4 (900,000 followers)"):
        assert handle in text, handle
    assert "Big customer joined:" in mail.message["Subject"]
    assert "<b>internet" not in part(mail.message, "html") and "&lt;b&gt;internet" in part(mail.message, "html")
    [_, _, reply] = slack.calls_to("chat.postMessage")
    assert "@big4" in str(reply.body) and "<!here>" not in str(reply.body)  # escaped: it pings nobody


def test_a_big_customer_after_the_window_is_told_at_once(
        database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, engine = started(database_url, slack, smtp, monkeypatch, joined_fold_minutes=10)
    join(engine, "big2", 11)
    assert detect(engine, settings, NOW + timedelta(minutes=12)) == ["joined"]
    joined = [a for a in alerts(engine) if a.event == "joined"]
    assert [a.about for a in joined] == ["x:big1", "x:big2"]
    assert joined[1].summary is not None and joined[1].summary.startswith(
        "@big2 (900,000 followers) is cancelling their service and joined this complaint")
    assert len(smtp.received) == 3


def test_a_fold_pending_at_a_crash_goes_out_once_after_the_restart(
        database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, engine = started(database_url, slack, smtp, monkeypatch)
    join(engine, "big2", 1)
    join(engine, "big3", 2)
    assert detect(engine, settings, NOW + timedelta(minutes=3)) == []
    due = NOW + timedelta(minutes=10)
    with pytest.raises(RuntimeError), transaction(engine) as session:  # the pass dies before it commits
        changes = detect_brand(session, settings, settings.brands[0], due)
        assert [c.event for c in changes] == ["joined"]
        record_alerts(session, settings, changes, due)
        raise RuntimeError("worker killed")
    assert [a.event for a in alerts(engine)] == ["opened", "joined"]  # nothing of the fold was kept...

    engine = Runtime(settings).engine  # ...and a restarted service finds it still pending
    with transaction(engine) as session:
        changes = detect_brand(session, settings, settings.brands[0], due + timedelta(minutes=1))
        record_alerts(session, settings, changes, due)
        record_alerts(session, settings, changes, due)  # the same changes recorded twice: one alert
    assert detect(engine, settings, due + timedelta(minutes=2)) == []
    deliver_due(engine, build_notifiers(settings), now=due + timedelta(minutes=3))
    assert [(a.event, a.about) for a in alerts(engine)] == [("opened", ""), ("joined", "x:big1"),
                                                             ("joined", "x:big2")]
    assert len(smtp.received) == 3 and len(slack.calls_to("chat.postMessage")) == 3
    text = part(smtp.received[-1].message, "plain")
    assert "2 more big customers joined this complaint: @big2" in text and "@big3 (900,000 followers)" in text


def test_the_digest_names_big_customers_held_by_the_budget_and_still_waiting(
        database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(database_url, slack, smtp, monkeypatch, pages_per_week=1)
    engine = Runtime(settings).engine
    open_story(engine, settings)  # the week's one page
    acknowledge(engine)
    join(engine, "big1", -2)
    assert detect(engine, settings, NOW) == ["joined"]
    join(engine, "big2", 1, SNEAKY.replace("<!here>", "<script>x()</script>"))
    assert detect(engine, settings, NOW + timedelta(minutes=2)) == []  # waiting in the fold at digest time
    assert [a.paged for a in alerts(engine)] == [True, False]  # @big1: over budget, held
    assert len(smtp.received) == 1

    digest = build_digest(engine, settings, settings.brands[0], date(2026, 11, 7))
    text = render_text([digest])
    assert "Big customers who joined an incident (not paged):" in text
    assert "@big1 (900k followers)" in text and "(held by the page budget, not paged)" in text
    assert "@big2 (900k followers)" in text and "(waiting for the incident's next update)" in text
    html = render_html([digest], ["cid:chart"])
    assert "@big1" in html and "&lt;script&gt;" in html and "<script>x()" not in html
