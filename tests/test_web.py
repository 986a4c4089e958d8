"""The web workspace over HTTP (Starlette's TestClient, real SQLite and PostgreSQL): sign-in, roles, CSRF,
rate limit, escaping, filters, exports and actions recorded once."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from monitor.storage.tables import AlertFeedback, Incident, IncidentAction, OutboxItem
from tests.fakes.web_client import client_for, signed_in, token
from tests.fakes.web_seed import FORMULA, PASSWORD, Seeded, seed


@pytest.fixture
def seeded(database_url: str) -> Seeded:
    return seed(database_url)


def next_field(page: str) -> str:
    match = re.search(r'name="next" value="([^"]*)"', page)
    assert match
    return match.group(1)


def form_ids(page: str) -> Iterator[str]:
    yield from re.findall(r'name="request_id" value="([^"]+)"', page)


def test_every_page_needs_a_signed_in_user(seeded: Seeded) -> None:
    client = client_for(seeded)
    for path in ("/", "/incidents", f"/incidents/{seeded.incident_id}", "/mentions", "/mentions.csv", "/trends",
                 "/sources"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    assert client.get("/static/htmx.min.js").status_code == 200
    back = client.get("/mentions?sentiment=negative&q=a+b").headers["location"]
    assert back == "/login?next=%2Fmentions%3Fsentiment%3Dnegative%26q%3Da%2Bb"
    page = client.get(back)
    response = client.post("/login", data={"csrf": token(client), "name": "vera", "password": PASSWORD,
                                           "next": html.unescape(next_field(page.text))})
    assert response.headers["location"] == "/mentions?sentiment=negative&q=a+b"  # back where the link pointed


def test_sign_in_sets_a_hardened_cookie_and_refuses_wrong_passwords(seeded: Seeded) -> None:
    client = client_for(seeded)
    wrong = client.post("/login", data={"csrf": token(client), "name": "otto", "password": "not it"})
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    right = client.post("/login", data={"csrf": token(client), "name": "otto", "password": PASSWORD,
                                        "next": "//evil.example/x"})
    assert right.status_code == 303 and right.headers["location"] == "/incidents"  # no open redirect
    cookie = right.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert "default-src 'self'" in client.get("/incidents").headers["content-security-policy"]


def test_cookie_is_secure_when_served_over_tls(tmp_path: object) -> None:
    seeded = seed(f"sqlite:///{tmp_path}/tls.db", secure_cookies=True)
    client = client_for(seeded)
    response = client.post("/login", data={"csrf": token(client), "name": "otto", "password": PASSWORD})
    assert "secure" in response.headers["set-cookie"].lower()


def test_login_is_rate_limited_per_client(seeded: Seeded) -> None:
    client = client_for(seeded)
    for _ in range(seeded.settings.web.login_attempts):
        assert client.post("/login", data={"csrf": token(client), "name": "vera", "password": "guess"}
                           ).status_code == 401
    blocked = client.post("/login", data={"csrf": token(client), "name": "otto", "password": PASSWORD})
    assert blocked.status_code == 429  # even the right password waits: the client is blocked


def test_forms_without_the_session_csrf_token_are_refused(seeded: Seeded) -> None:
    client = client_for(seeded)
    assert client.post("/login", data={"name": "otto", "password": PASSWORD}).status_code == 403
    client = signed_in(seeded)
    path = f"/incidents/{seeded.incident_id}/action"
    for csrf in (None, "forged-" + "x" * 40):
        data = {"kind": "ack", "request_id": "r" * 20} | ({"csrf": csrf} if csrf else {})
        assert client.post(path, data=data).status_code == 403
    with Session(seeded.engine) as session:
        assert session.exec(select(IncidentAction)).all() == []
        assert session.get(Incident, seeded.incident_id).acked_by is None  # type: ignore[union-attr]


def test_viewers_and_read_only_workspaces_cannot_act(seeded: Seeded) -> None:
    for client in (signed_in(seeded, "vera"), signed_in(seeded, "otto", allow_actions=False)):
        page = client.get(f"/incidents/{seeded.incident_id}")
        assert "Acknowledge" not in page.text
        response = client.post(f"/incidents/{seeded.incident_id}/action",
                               data={"csrf": token(client, "/incidents"), "kind": "ack", "request_id": "r" * 20})
        assert response.status_code == 403
    with Session(seeded.engine) as session:
        assert session.exec(select(IncidentAction)).all() == []


def test_acknowledge_is_recorded_once_and_tells_the_channels(seeded: Seeded) -> None:
    client = signed_in(seeded)
    page = client.get(f"/incidents/{seeded.incident_id}").text
    request_id = next(form_ids(page))
    data = {"csrf": token(client, "/incidents"), "kind": "ack", "request_id": request_id}
    for _ in range(2):  # a double submit
        assert client.post(f"/incidents/{seeded.incident_id}/action", data=data).status_code == 303
    data["request_id"] = "another-request-1234"  # a second ack from a stale page: already acknowledged
    client.post(f"/incidents/{seeded.incident_id}/action", data=data)
    with Session(seeded.engine) as session:
        actions = session.exec(select(IncidentAction)).all()
        assert [(a.kind, a.actor, a.origin) for a in actions] == [("ack", "otto", "web testclient")]
        assert session.get(Incident, seeded.incident_id).acked_by == "otto"  # type: ignore[union-attr]
        queued = session.exec(select(OutboxItem).where(OutboxItem.status == "pending")).all()
        assert [q.channel_id for q in queued] == ["ops"]
    assert "acknowledged by <strong id=\"acked\">otto" in client.get(f"/incidents/{seeded.incident_id}").text


def test_assign_note_and_resolve(seeded: Seeded) -> None:
    client = signed_in(seeded)
    path, csrf = f"/incidents/{seeded.incident_id}/action", token(client, "/incidents")
    for n, (kind, value) in enumerate([("assign", "dana"), ("note", "<b>called</b> the NOC"), ("resolve", "")]):
        client.post(path, data={"csrf": csrf, "kind": kind, "value": value, "request_id": f"request-{n:012d}"})
    page = client.get(f"/incidents/{seeded.incident_id}").text
    assert "&lt;b&gt;called&lt;/b&gt; the NOC" in page and "<b>called" not in page
    with Session(seeded.engine) as session:
        incident = session.get(Incident, seeded.incident_id)
        assert incident is not None and (incident.owner, incident.status, incident.resolved_by) == (
            "dana", "resolved", "otto")
    assert "otto" in client.get("/incidents?owner=dana").text or "dana" in client.get("/incidents?owner=dana").text
    assert "No incidents match" in client.get("/incidents?owner=nobody").text


def test_feedback_is_one_verdict_per_person(seeded: Seeded) -> None:
    client = signed_in(seeded)
    csrf, path = token(client, "/incidents"), f"/alerts/{seeded.alert_id}/feedback"
    for n, verdict in enumerate(["useful", "useful", "noise"]):
        response = client.post(path, data={"csrf": csrf, "verdict": verdict, "request_id": f"feedback-{n:010d}",
                                           "incident_id": str(seeded.incident_id)})
        assert response.status_code == 303
    with Session(seeded.engine) as session:
        rows = session.exec(select(AlertFeedback)).all()
        assert [(r.alert_id, r.verdict, r.actor) for r in rows] == [(seeded.alert_id, "noise", "otto")]
    assert client.post(path, data={"csrf": csrf, "verdict": "maybe", "request_id": "feedback-x123456789"}
                       ).status_code == 400


def test_mention_text_is_escaped_and_unsafe_links_dropped(seeded: Seeded) -> None:
    page = signed_in(seeded, "vera").get("/mentions?author=mallory").text
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page
    assert "<script>window" not in page and "javascript:" not in page


def test_mention_filters_narrow_the_stream(seeded: Seeded) -> None:
    client = signed_in(seeded, "vera")

    def count(query: str) -> int:
        return client.get(f"/mentions?{query}").text.count('<article class="post')

    assert count("") == 45  # everything seeded (a page holds 100)
    assert count("platform=reddit") == 1
    assert count("sentiment=negative&since=24h") == 4  # 2 a day seeded + the script one + dana's
    assert count("q=third+time") == 1 and count("q=%25") == 0  # LIKE wildcards are literal
    assert count("category=hardware") == 1 and count("author=@dana") == 1
    assert count("lang=de") == 0


def test_exports_neutralise_formulas_and_follow_the_filters(seeded: Seeded) -> None:
    client = signed_in(seeded, "vera")
    rows = list(csv.DictReader(io.StringIO(client.get("/mentions.csv?author=eve").text)))
    assert [r["text"] for r in rows] == ["'" + FORMULA]
    exported = json.loads(client.get("/mentions.json?sentiment=negative&since=24h").text)
    assert len(exported) == 4 and {m["sentiment"] for m in exported} == {"negative"}
    assert client.get("/mentions.xlsx").status_code == 404


def test_trends_compare_each_day_with_the_week_before(seeded: Seeded) -> None:
    client = signed_in(seeded, "vera")
    page = client.get("/trends?brand=acme&days=7").text
    day = re.search(r"<td>2026-11-19</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)%</td><td>(\d+)%</td>", page)
    assert day and day.groups() == ("4", "2", "50", "50")
    assert "<polyline" in page and 'hx-get="/trends/categories?brand=acme' in page
    categories = client.get("/trends/categories?brand=acme").text  # loaded after the page
    growth = re.findall(r">(\w+)</a></td><td>(\d+)</td><td>(\d+)</td>", categories)
    assert growth == [("outage", "15", "7"), ("hardware", "1", "0")]  # 2 a day + dana; 1 a day


def test_incident_page_and_sources(seeded: Seeded) -> None:
    client = signed_in(seeded, "vera")
    page = client.get(f"/incidents/{seeded.incident_id}").text
    assert "Outage spike" in page and "ops (sent" in page and "<polyline" in page
    assert page.index("window.pwned") < page.index("third time")  # first post first
    sources = client.get("/sources").text
    assert "failing" in sources and "HTTP 503 from api.x.com" in sources
    assert client.get("/incidents/999999").status_code == 404
