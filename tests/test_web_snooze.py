"""The workspace's snooze, wake and "missed one" forms (TestClient, SQLite and PostgreSQL): recorded with
who, when and from where, shown on the incident page, escaped, and refused to viewers."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from monitor.storage.tables import Incident, MissedMention
from tests.fakes.web_client import signed_in
from tests.fakes.web_seed import Seeded, seed


@pytest.fixture
def seeded(database_url: str) -> Seeded:
    return seed(database_url)


def _form(page: str, marker: str) -> dict[str, str]:
    """The csrf and request_id of the form whose HTML contains ``marker``."""
    for form in re.findall(r"<form.*?</form>", page, re.DOTALL):
        if marker in form:
            return dict(re.findall(r'name="(csrf|request_id)" value="([^"]+)"', form))
    raise AssertionError(f"no form with {marker!r}")


def test_snooze_then_wake_from_the_incident_page(seeded: Seeded) -> None:
    client = signed_in(seeded)
    page_url = f"/incidents/{seeded.incident_id}"
    fields = _form(client.get(page_url).text, 'value="snooze"')
    done = client.post(f"{page_url}/action", data={**fields, "kind": "snooze", "value": "4h"})
    assert done.status_code == 303
    page = client.get(page_url).text
    assert 'id="snoozed">snoozed until 2026-11-20 16:00 UTC' in page
    assert "<strong>otto</strong> (from web testclient) snoozed until 2026-11-20 16:00 UTC" in page
    assert "(snoozed)</span>" in client.get("/incidents").text  # still listed, marked
    client.post(f"{page_url}/action", data={**_form(page, 'value="wake"'), "kind": "wake"})
    page = client.get(page_url).text
    assert 'id="snoozed"' not in page and "ended the snooze" in page
    with Session(seeded.engine) as session:
        incident = session.get(Incident, seeded.incident_id)
        assert incident is not None and incident.snoozed_until is None


def test_missed_one_is_recorded_for_tuning_and_shown_escaped(seeded: Seeded) -> None:
    client = signed_in(seeded)
    page_url = f"/incidents/{seeded.incident_id}"
    fields = _form(client.get(page_url).text, 'id="missed"')
    posted = client.post(f"/alerts/{seeded.alert_id}/missed", data={
        **fields, "link": "https://example.com/p/902", "note": "<script>x()</script> same outage"})
    assert posted.status_code == 303
    page = client.get(page_url).text
    assert "reported a missed post:" in page and "&lt;script&gt;x()&lt;/script&gt;" in page and "<script>x" not in page
    bad = client.post(f"/alerts/{seeded.alert_id}/missed", data={
        **_form(page, 'id="missed"'), "link": "that one yesterday"})
    assert bad.status_code == 400 and "give the post&#39;s address" in bad.text
    with Session(seeded.engine) as session:
        [row] = session.exec(select(MissedMention)).all()
    assert (row.brand_id, row.alert_id, row.actor, row.origin) == ("acme", seeded.alert_id, "otto", "web testclient")
    assert row.mention_id is not None  # the link named a stored mention


def test_viewers_cannot_snooze_or_report(seeded: Seeded) -> None:
    operator_page = signed_in(seeded).get(f"/incidents/{seeded.incident_id}").text
    viewer = signed_in(seeded, "vera")
    page = viewer.get(f"/incidents/{seeded.incident_id}").text
    assert 'id="snooze"' not in page and 'id="missed"' not in page and 'id="snooze"' in operator_page
    fields = dict(re.findall(r'name="(csrf)" value="([^"]+)"', page))
    refused = viewer.post(f"/alerts/{seeded.alert_id}/missed", data={
        **fields, "request_id": "r" * 22, "link": "https://example.com/p/902"})
    assert refused.status_code == 403
