"""The digest archive: the scheduled digest is stored as sent (HTML and text) and listed under Digests,
escaped in the workspace and sandboxed as HTML (real SQLite and PostgreSQL, a real console channel)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from monitor.pipeline import run_digest
from monitor.runtime import build_notifiers
from monitor.settings import AppSettings, ChannelSettings
from monitor.storage.engine import transaction
from monitor.storage.tables import DigestArchive, Incident
from tests.fakes.web_client import client_for, signed_in
from tests.fakes.web_seed import NOW, Seeded, seed

TITLE = "<img src=x onerror=alert(1)> Outage spike"


def archived(database_url: str, tmp_path: Path) -> Seeded:
    seeded = seed(database_url)
    with transaction(seeded.engine) as session:
        incident = session.get(Incident, seeded.incident_id)
        assert incident is not None
        incident.title = TITLE  # shown in the digest's incident list
        session.add(incident)
    channel = ChannelSettings.model_validate({"id": "log", "kind": "console", "digest": True})
    seeded.settings = seeded.settings.model_copy(update={"app": AppSettings(data_dir=tmp_path),
                                                         "channels": [channel]})
    notifiers = build_notifiers(seeded.settings)
    for days in (1, 2, 1):  # the day after NOW twice: sent again, kept once (the newest)
        result = run_digest(seeded.engine, seeded.settings, notifiers, "acme", now=NOW + timedelta(days=days))
        assert result.sent == ("log",)
    return seeded


def test_each_digest_sent_is_kept_once_per_brand_and_day(database_url: str, tmp_path: Path) -> None:
    seeded = archived(database_url, tmp_path)
    with Session(seeded.engine) as session:
        rows = session.exec(select(DigestArchive).order_by(DigestArchive.day)).all()
    assert [(r.brand_id, r.day, r.sent_to) for r in rows] == [("acme", "2026-11-20", ["log"]),
                                                            ("acme", "2026-11-21", ["log"])]
    today = rows[0]
    assert "data:image/png;base64," in today.html and "Outage spike" in today.text
    assert "<img src=x" not in today.html and "&lt;img src=x" in today.html  # escaped when rendered


def test_the_digests_view_lists_links_and_escapes(database_url: str, tmp_path: Path) -> None:
    seeded = archived(database_url, tmp_path)
    client = signed_in(seeded, "vera")  # viewers may read the archive
    listing = client.get("/digests?brand=acme")
    assert listing.status_code == 200
    rows = re.findall(r'href="/digests/(\d+)">(\d{4}-\d\d-\d\d)<', listing.text)
    assert [day for _, day in rows] == ["2026-11-21", "2026-11-20"]  # newest day first
    links = [digest_id for digest_id, _ in rows]
    assert client.get("/digests?brand=other").text.count('href="/digests/') == 0
    page = client.get(f"/digests/{links[1]}")
    assert page.status_code == 200 and "Digest for acme, 2026-11-20" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt; Outage spike" in page.text
    sent = client.get(f"/digests/{links[1]}.html")
    assert sent.status_code == 200 and "data:image/png;base64," in sent.text
    policy = sent.headers["content-security-policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert client.get("/digests/999999").status_code == 404
    assert client_for(seeded).get(f"/digests/{links[1]}.html").status_code == 303  # sign-in first
