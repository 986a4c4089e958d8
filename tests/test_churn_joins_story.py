"""A big customer's churn threat joining an open story is told once in the story's thread (issue #12).

Real parts: SQLite and PostgreSQL, the detection pass (``detect_brand``, simple engine: the churn threat is found
from the post's own signals), the pipeline's alert recording and page budget, the outbox, a local Slack Web API
server (``FakeSlack``) and a real SMTP server (aiosmtpd, ``FakeSMTP``). The story itself is given as the story
detector reports it (``apply_finding``), as in tests/test_incidents.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.outbox import deliver_due
from models.signals import extract_signals
from monitor.detection.incidents import apply_finding, detect_brand
from monitor.detection.simple_rules import Finding
from monitor.pipeline.alerting import pages_this_week, record_alerts
from monitor.runtime import Runtime, build_notifiers
from monitor.settings import Settings
from monitor.storage.engine import transaction
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem
from tests.fakes.settings_files import make_settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP

NOW = datetime(2026, 11, 7, 23, 50, tzinfo=UTC)  # 18:50 in New York
STORY = "Acme internet down in Leeds again, no service for an hour"
BIG_POST = ("Acme internet down in Leeds again, no service since lunch. Terrible, cancelling my subscription "
            "<!here> today")


def settings_for(database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch,
                 key_accounts: list[str] | None = None, **detection: Any) -> Settings:
    monkeypatch.setenv("GS_TEST_SLACK", "xoxb-test-token")
    channels = [{"id": "slack", "kind": "slack", "token": {"env": "GS_TEST_SLACK"}, "channel": "C0ALERTS1",
                 "base_url": slack.api_url},
                {"id": "mail", "kind": "email", "host": "127.0.0.1", "port": smtp.port, "security": "none",
                 "from_addr": "alerts@acme.example", "to": ["team@acme.example"], "timeout_s": 5}]
    brand = {"id": "acme", "name": "Acme", "names": ["Acme"], "timezone": "America/New_York",
             "key_accounts": key_accounts or []}
    return make_settings(database={"url": database_url}, channels=channels, brands=[brand],
                         detection={"engine": "simple", "min_negative": 1000, **detection})


def post(session: Session, author: str, text: str, followers: int, at: datetime, examined: bool = False) -> int:
    row = Mention(brand_id="acme", source_id="x-acme", platform="x", external_id=f"{author}-{at:%H%M%S}-{len(text)}",
                  author_id=author, author_handle=author, author_followers=followers, text=text,
                  sentiment="negative", posted_at=at, signals=extract_signals(text, None).to_json(), ingested_at=at,
                  detected_at=at if examined else None)
    session.add(row)
    session.flush()
    return row.id or 0


def open_story(engine: Engine, settings: Settings, people: int = 6) -> None:
    """A story of ``people`` people, paged and delivered (its Slack headline and first email)."""
    at = NOW - timedelta(minutes=20)
    with transaction(engine) as session:
        ids = [post(session, f"p{k}", STORY, 120, at, examined=True) for k in range(people)]
        story = Finding("story", "story:acme:leeds", 2, "One complaint is spreading", f"{people} people", ids,
                        people, people, {"authors": people, "weighted": float(people)})
        record_alerts(session, settings, apply_finding(session, settings, settings.brands[0], story, at), at)


def detect(engine: Engine, settings: Settings, at: datetime) -> list[str]:
    """One detection pass at ``at`` and one delivery pass: the events recorded."""
    with transaction(engine) as session:
        changes = detect_brand(session, settings, settings.brands[0], at)
        record_alerts(session, settings, changes, at)
    deliver_due(engine, build_notifiers(settings), now=at)
    return [c.event for c in changes]


def part(message: EmailMessage, kind: str) -> str:
    body = message.get_body((kind,))
    assert body is not None
    return str(body.get_content())


def alerts(engine: Engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.exec(select(Alert).order_by(col(Alert.id))))


def test_a_big_customer_joining_the_story_is_told_once_in_its_thread(
        database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(database_url, slack, smtp, monkeypatch)
    engine = Runtime(settings).engine
    open_story(engine, settings)
    deliver_due(engine, build_notifiers(settings), now=NOW - timedelta(minutes=20))
    [headline] = slack.calls_to("chat.postMessage")
    [first_mail] = smtp.received

    with transaction(engine) as session:
        post(session, "bigcust", BIG_POST, 900_000, NOW - timedelta(minutes=2))
    assert detect(engine, settings, NOW) == ["joined"]

    with Session(engine) as session:
        [incident] = session.exec(select(Incident)).all()
        assert "churn_threat" in (incident.facets or {})  # it joined the story: no incident of its own
    [_, joined] = alerts(engine)
    assert (joined.event, joined.paged, joined.about) == ("joined", True, "x:bigcust")
    [_, reply] = slack.calls_to("chat.postMessage")
    [root] = [m for m in slack.messages.values() if m.thread_ts is None]
    assert reply.body["thread_ts"] == root.ts and root.text == headline.body["text"] or root.updates == 1
    body = str(reply.body)
    for words in ("@bigcust (900,000 followers) is cancelling their service and joined this complaint",
                  "cancelling my subscription", "posted Sat 7 Nov 18:48 EST", "BIG CUSTOMER JOINED"):
        assert words in body, words
    assert "<!here>" not in body  # what they said is escaped: it pings nobody
    assert len(slack.calls_to("chat.update")) == 1  # the headline shows the news too
    [_, mail] = smtp.received
    assert mail.message["In-Reply-To"] == first_mail.message["Message-ID"]  # the story's email thread
    assert "Big customer joined: [MEDIUM] Acme: 6 people repeating one complaint" in mail.message["Subject"]
    text = part(mail.message, "plain")
    assert "What changed: @bigcust (900,000 followers) is cancelling their service" in text
    assert text.index("@bigcust (900k followers), Sat 7 Nov 18:48 EST") < text.index("@p0")  # their post first
    assert "&lt;!here&gt;" in part(mail.message, "html")

    # the same person again: a later post the same day, then one after midnight UTC (a new churn key)
    for minutes, text in ((3, "Acme still down in Leeds. Cancelling my subscription, done with you"),
                          (15, "Acme in Leeds still down tonight, I am switching to another provider")):
        with transaction(engine) as session:
            post(session, "bigcust", text, 900_000, NOW + timedelta(minutes=minutes))
        assert "joined" not in detect(engine, settings, NOW + timedelta(minutes=minutes + 1))
    with Session(engine) as session:
        keys = (session.exec(select(Incident)).one().details or {})["join"]["keys"]
        assert {k for k in keys if k.startswith("churn:")} == {"churn:acme:x:bigcust:20261107",
                                                                "churn:acme:x:bigcust:20261108"}
    assert [a.event for a in alerts(engine)].count("joined") == 1
    assert len(slack.calls_to("chat.postMessage")) == 2 and len(smtp.received) == 2

def test_a_small_customers_churn_threat_joins_quietly(database_url: str, slack: FakeSlack, smtp: FakeSMTP,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(database_url, slack, smtp, monkeypatch)
    engine = Runtime(settings).engine
    open_story(engine, settings)
    deliver_due(engine, build_notifiers(settings), now=NOW - timedelta(minutes=20))
    with transaction(engine) as session:
        post(session, "smallcust", BIG_POST, 50, NOW - timedelta(minutes=2))
    assert detect(engine, settings, NOW) == []
    with Session(engine) as session:
        [incident] = session.exec(select(Incident)).all()
        assert "churn_threat" in (incident.facets or {})
    assert [a.event for a in alerts(engine)] == ["opened"]
    assert len(slack.calls_to("chat.postMessage")) == 1 and len(smtp.received) == 1


def test_a_key_account_with_few_followers_is_told_once_through_a_crash_and_a_retry(
        database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(database_url, slack, smtp, monkeypatch, key_accounts=["@OfficeCo"])
    engine = Runtime(settings).engine
    open_story(engine, settings)
    deliver_due(engine, build_notifiers(settings), now=NOW - timedelta(minutes=20))
    with transaction(engine) as session:
        post(session, "officeco", BIG_POST, 800, NOW - timedelta(minutes=2))
    with pytest.raises(RuntimeError), transaction(engine) as session:  # the pass dies before it commits
        record_alerts(session, settings, detect_brand(session, settings, settings.brands[0], NOW), NOW)
        raise RuntimeError("worker killed")
    with transaction(engine) as session:  # the retry finds the post again and tells it once
        changes = detect_brand(session, settings, settings.brands[0], NOW)
        record_alerts(session, settings, changes, NOW)
        record_alerts(session, settings, changes, NOW)  # the same changes recorded twice: one alert
    [joined] = [a for a in alerts(engine) if a.event == "joined"]
    assert joined.summary is not None and joined.summary.startswith(
        "@officeco (one of your key accounts, 800 followers) is cancelling their service and joined this complaint")
    deliver_due(engine, build_notifiers(settings), now=NOW)
    assert len(slack.calls_to("chat.postMessage")) == 2
    with transaction(engine) as session:  # a crash after Slack took the reply, before it was recorded as sent
        row = session.exec(select(OutboxItem).where(OutboxItem.alert_id == joined.id,
                                                    OutboxItem.channel_id == "slack")).one()
        row.status, row.attempts, row.next_attempt_at = "pending", 1, NOW
        session.add(row)
    [again] = deliver_due(engine, build_notifiers(settings), now=NOW + timedelta(seconds=5))
    assert again.status == "sent" and len(slack.calls_to("chat.postMessage")) == 2  # found in the thread


def test_the_update_counts_against_the_page_budget_unless_the_story_is_past_the_bar(
        database_url: str, slack: FakeSlack, smtp: FakeSMTP, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(database_url, slack, smtp, monkeypatch, pages_per_week=1)
    engine = Runtime(settings).engine
    open_story(engine, settings)  # six people: a marginal story, the week's one page
    with transaction(engine) as session:
        post(session, "bigcust", BIG_POST, 900_000, NOW - timedelta(minutes=2))
    detect(engine, settings, NOW)
    [_, held] = alerts(engine)
    assert held.event == "joined" and not held.paged  # over budget: the digest shows it
    assert len(slack.calls_to("chat.postMessage")) == 1 and len(smtp.received) == 1

    big_story = settings_for(database_url, slack, smtp, monkeypatch, pages_per_week=2)
    with Session(engine) as session:
        assert pages_this_week(session, "acme", NOW) == 1  # the held update is no page
    with transaction(engine) as session:  # the brand's second story, past the bar (12 people): pages anyway
        ids = [post(session, f"q{k}", "Acme app deleted all my saved settings, rubbish", 80, NOW, examined=True)
               for k in range(12)]
        story = Finding("story", "story:acme:app", 2, "One complaint is spreading", "12 people", ids, 12, 12,
                        {"authors": 12, "weighted": 12.0})
        record_alerts(session, big_story, apply_finding(session, big_story, big_story.brands[0], story, NOW), NOW)
        post(session, "vip", "Acme app deleted all my saved settings. Rubbish, cancelling my subscription", 900_000,
             NOW + timedelta(minutes=1))
    detect(engine, big_story, NOW + timedelta(minutes=2))
    joined = [a for a in alerts(engine) if a.event == "joined"]
    assert [(a.about, a.paged) for a in joined] == [("x:bigcust", False), ("x:vip", True)]
    with Session(engine) as session:
        assert pages_this_week(session, "acme", NOW + timedelta(minutes=2)) == 3  # two first pages + the update
