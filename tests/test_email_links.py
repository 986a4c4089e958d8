"""One-click links in alert emails: a real SMTP server (aiosmtpd) receives the alert, its links are opened
in the web app (Starlette's TestClient) on SQLite and PostgreSQL.  GET only asks; POST acts, once, from
"email"; expired and altered links get a clear page and a 400."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from alerts.email import EmailNotifier, EmailOptions
from alerts.outbox import build_message
from monitor.links import ActionLinks
from monitor.storage.tables import Alert, AlertFeedback, Incident, IncidentAction, OutboxItem
from tests.fakes.smtp import FakeSMTP
from tests.fakes.web_client import client_for, signed_in
from tests.fakes.web_seed import NOW, Seeded, seed

PUBLIC = "https://gs.example.com"
SECRET = "a-long-random-link-secret-for-tests"


@pytest.fixture
def seeded(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    monkeypatch.setenv("GS_TEST_LINK_SECRET", SECRET)
    return seed(database_url, public_url=PUBLIC, link_secret={"env": "GS_TEST_LINK_SECRET"}, link_expiry_hours=72)


def mailed_links(seeded: Seeded, smtp: FakeSMTP, links: ActionLinks) -> dict[str, str]:
    """Send the seeded alert by email through the fake SMTP server; the links its text part carries."""
    notifier = EmailNotifier("mail", EmailOptions.model_validate({
        "host": "127.0.0.1", "port": smtp.port, "security": "none", "from_addr": "alerts@acme.example",
        "to": ["team@acme.example"], "timeout_s": 5}))
    notifier.links = links
    with Session(seeded.engine) as session:
        item = session.exec(select(OutboxItem).where(OutboxItem.alert_id == seeded.alert_id)).one()
        notifier.send(build_message(session, item), idempotency_key="gs-test-mail")
    message = smtp.received[-1].message
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    found = dict(re.findall(r"^(.+): (https://\S+)\r?$", text.get_content(), re.MULTILINE))
    for url in found.values():
        assert f'href="{url}"' in html.get_content()  # the HTML buttons are the same links
    return found


def path(url: str) -> str:
    assert url.startswith(PUBLIC)
    return url[len(PUBLIC):]


def confirm_form(client: TestClient, url: str) -> str:
    page = client.get(path(url))
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match and 'id="confirm"' in page.text
    return match.group(1)


def actions_of(seeded: Seeded) -> list[tuple[str, str, str]]:
    with Session(seeded.engine) as session:
        return [(a.kind, a.actor, a.origin) for a in session.exec(select(IncidentAction)).all()]


def test_an_alert_email_link_asks_first_then_acknowledges_once(seeded: Seeded, smtp: FakeSMTP) -> None:
    links = mailed_links(seeded, smtp, ActionLinks.from_settings(seeded.settings, lambda: NOW))
    assert set(links) == {"Open in Groundswell", "Acknowledge", "Snooze 4 h", "Useful alert", "Noise"}
    assert links["Open in Groundswell"] == f"{PUBLIC}/incidents/{seeded.incident_id}"
    client = client_for(seeded)  # not signed in: the link is the permission
    csrf = confirm_form(client, links["Acknowledge"])
    confirm_form(client, links["Acknowledge"])  # a mail scanner fetching it again changes nothing
    assert actions_of(seeded) == []
    done = client.post(path(links["Acknowledge"]), data={"csrf": csrf, "name": "Dana"})
    assert done.status_code == 200 and f"Incident #{seeded.incident_id} acknowledged." in done.text
    again = client.post(path(links["Acknowledge"]), data={"csrf": csrf, "name": "Dana"})
    assert "already acknowledged" in again.text
    assert actions_of(seeded) == [("ack", "Dana", "email")]
    with Session(seeded.engine) as session:
        incident = session.get(Incident, seeded.incident_id)
        assert incident is not None and incident.acked_by == "Dana"
        told = session.exec(select(Alert).where(Alert.event == "acknowledged")).one()
        assert told.summary == "Acknowledged by Dana from an email link"
        assert session.exec(select(OutboxItem).where(OutboxItem.alert_id == told.id)).all()  # channels hear it


def test_feedback_by_link_and_in_the_workspace_lands_once(seeded: Seeded, smtp: FakeSMTP) -> None:
    links = mailed_links(seeded, smtp, ActionLinks.from_settings(seeded.settings, lambda: NOW))
    client = signed_in(seeded)  # otto is signed in: the link records him, no name asked
    page = client.get(path(links["Noise"]))
    assert "Recorded as <strong>otto</strong>" in page.text
    csrf = confirm_form(client, links["Noise"])
    assert "marked as noise" in client.post(path(links["Noise"]), data={"csrf": csrf}).text
    form = client.get(f"/incidents/{seeded.incident_id}").text
    request_id = re.findall(r'name="request_id" value="([^"]+)"', form)[0]
    client.post(f"/alerts/{seeded.alert_id}/feedback", data={"csrf": csrf, "request_id": request_id,
                                                             "verdict": "noise", "incident_id": seeded.incident_id})
    with Session(seeded.engine) as session:
        rows = session.exec(select(AlertFeedback)).all()
    assert [(r.alert_id, r.actor, r.verdict, r.origin) for r in rows] == [(seeded.alert_id, "otto", "noise", "email")]
    page = client.get(f"/incidents/{seeded.incident_id}").text
    assert "<strong>otto</strong> (from email) called alert" in page


def test_a_snooze_link_quiets_the_incident_for_four_hours(seeded: Seeded, smtp: FakeSMTP) -> None:
    links = mailed_links(seeded, smtp, ActionLinks.from_settings(seeded.settings, lambda: NOW))
    client = client_for(seeded)
    csrf = confirm_form(client, links["Snooze 4 h"])
    assert "snoozed for 4 hours" in client.post(path(links["Snooze 4 h"]), data={"csrf": csrf}).text
    with Session(seeded.engine) as session:
        incident = session.get(Incident, seeded.incident_id)
        assert incident is not None and incident.snoozed_until is not None
        assert incident.snoozed_until.replace(tzinfo=NOW.tzinfo) == NOW + timedelta(hours=4)
    assert actions_of(seeded) == [("snooze", "someone by email", "email")]


def test_expired_and_altered_links_get_a_clear_page_and_nothing_happens(seeded: Seeded, smtp: FakeSMTP) -> None:
    old = mailed_links(seeded, smtp, ActionLinks.from_settings(seeded.settings, lambda: NOW - timedelta(hours=73)))
    client = client_for(seeded)
    expired = client.get(path(old["Acknowledge"]))
    assert expired.status_code == 400 and "This link has expired" in expired.text and "72 hours" in expired.text
    fresh = mailed_links(seeded, smtp, ActionLinks.from_settings(seeded.settings, lambda: NOW))["Acknowledge"]
    token = fresh.rsplit("/", 1)[1]
    altered = fresh[:-len(token)] + token.replace(token[5], "A" if token[5] != "A" else "B", 1)
    csrf = confirm_form(client, fresh)
    for url in (altered, f"{PUBLIC}/a/not-a-link", old["Acknowledge"]):
        for response in (client.get(path(url)), client.post(path(url), data={"csrf": csrf, "name": "x"})):
            assert response.status_code == 400 and "cannot be used" in response.text
            assert "Traceback" not in response.text
    other = ActionLinks(PUBLIC, "someone-elses-secret", 72, lambda: NOW).action_url("ack", seeded.incident_id, 1)
    assert "not valid" in client.get(path(other)).text
    assert actions_of(seeded) == []


def test_a_read_only_workspace_refuses_link_actions(seeded: Seeded, smtp: FakeSMTP) -> None:
    links = mailed_links(seeded, smtp, ActionLinks.from_settings(seeded.settings, lambda: NOW))
    client = client_for(seeded, allow_actions=False)
    refused = client.post(path(links["Acknowledge"]), data={"csrf": confirm_form(client, links["Acknowledge"])})
    assert refused.status_code == 403 and "read-only" in refused.text
    assert actions_of(seeded) == []


def test_without_a_link_secret_emails_carry_only_the_incident_link(database_url: str, smtp: FakeSMTP) -> None:
    seeded = seed(database_url, public_url=PUBLIC)  # no link_secret: only the incident link
    links = mailed_links(seeded, smtp, ActionLinks.from_settings(seeded.settings, lambda: NOW))
    assert set(links) == {"Open in Groundswell"}
    off = client_for(seeded).get("/a/anything")
    assert off.status_code == 400 and "switched off" in off.text
