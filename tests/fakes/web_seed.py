"""A small, known database for the web workspace's tests: two weeks of mentions, one incident, two users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.settings import Settings
from monitor.storage.engine import open_database, transaction
from monitor.storage.tables import Alert, Brand, Incident, Mention, OutboxItem, SourceState
from monitor.web.accounts import add_user
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SCRIPT = "<script>window.pwned = 1</script> Acme broke my router"
FORMULA = "=HYPERLINK(\"http://evil\") Acme support"


@dataclass
class Seeded:
    engine: Engine
    settings: Settings
    incident_id: int
    alert_id: int


def web_settings(**web: object) -> Settings:
    return make_settings(channels=[{"id": "ops", "kind": "console"}], web=web)


def _mention(n: int, when: datetime, text: str, sentiment: str, *, author: str = "", url: str = "",
             category: str | None = None, platform: str = "x") -> Mention:
    return Mention(brand_id="acme", source_id="acme-x", platform=platform, external_id=f"m{n}", url=url,
                   author_id=author or f"a{n}", author_handle=f"@{author or f'user{n}'}", text=text, lang="en",
                   posted_at=when, ingested_at=when, sentiment=sentiment, p_negative=0.9 if sentiment == "negative"
                   else 0.1, signals={"category": {"value": category}} if category else None)


def seed(url: str, **web: object) -> Seeded:
    """Last week: 2 mentions a day (1 negative); this week: 4 a day (2 negative); an outage incident today."""
    engine = open_database(url)
    settings = web_settings(**web)
    mentions, n = [], 0
    for day in range(14):
        moment = NOW - timedelta(days=day, hours=1)
        per_day = 4 if day < 7 else 2
        for k in range(per_day):
            n += 1
            negative = k % 2 == 0
            mentions.append(_mention(n, moment - timedelta(minutes=k), f"acme mention {n} outage" if negative
                                     else f"acme mention {n} thanks", "negative" if negative else "positive",
                                     category="outage" if negative else None))
    specials = [_mention(900, NOW - timedelta(minutes=30), SCRIPT, "negative", author="mallory",
                         url="javascript:alert(1)", category="hardware"),
                _mention(901, NOW - timedelta(minutes=20), FORMULA, "neutral", author="eve", platform="reddit"),
                _mention(902, NOW - timedelta(minutes=10), "Acme outage again, third time", "negative",
                         author="dana", url="https://example.com/p/902", category="outage")]
    with transaction(engine) as session:
        session.add(Brand(id="acme", name="Acme"))
        session.add(SourceState(id="acme-x", brand_id="acme", kind="x", status="failing", consecutive_failures=2,
                                last_error="HTTP 503 from api.x.com", last_success_at=NOW - timedelta(hours=2)))
        session.add_all(mentions + specials)
        session.flush()
        incident = Incident(brand_id="acme", key="spike:test", trigger="spike", severity=3, title="Outage spike",
                            reason="12 negative mentions from 12 people in 30 min", opened_at=NOW - timedelta(hours=1),
                            updated_at=NOW, last_activity_at=NOW, mention_count=12, author_count=12,
                            example_mention_ids=[m.id for m in specials if m.id])
        session.add(incident)
        session.flush()
        alert = Alert(incident_id=incident.id or 0, event="opened", severity=3, created_at=NOW - timedelta(hours=1))
        session.add(alert)
        session.flush()
        session.add(OutboxItem(alert_id=alert.id or 0, channel_id="ops", idempotency_key=f"gs-{alert.id}-ops",
                               status="sent", next_attempt_at=NOW, sent_at=NOW - timedelta(minutes=59)))
        incident_id, alert_id = incident.id or 0, alert.id or 0
    for name, role in (("vera", "viewer"), ("otto", "operator")):
        add_user(engine, name, PASSWORD, role, now=NOW)
    return Seeded(engine, settings, incident_id, alert_id)
