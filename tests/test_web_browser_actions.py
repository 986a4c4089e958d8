"""Email links, snooze and "missed one" in a real browser (Playwright driving Debian's Chromium), against the
workspace served by uvicorn: the link asks before it acts, the button acts once, no console errors (CSP).
Slow tier: `pytest -m slow tests/test_web_browser_actions.py`."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from monitor.links import ActionLinks
from monitor.storage.tables import IncidentAction, MissedMention
from monitor.web.server import WebThread
from tests.fakes.browser import page  # noqa: F401 - the Chromium page fixture
from tests.fakes.web_seed import PASSWORD, Seeded, seed

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Seeded, str]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("GS_TEST_LINK_SECRET", "browser-link-secret-0123456789")
    seeded = seed(f"sqlite:///{tmp_path / 'web.db'}", address=f"127.0.0.1:{port}", public_url=base,
                  link_secret={"env": "GS_TEST_LINK_SECRET"})
    web = WebThread(seeded.settings, seeded.engine).start()
    yield seeded, base
    web.stop()


def test_email_link_then_snooze_and_missed_one(served: tuple[Seeded, str], page: Any) -> None:  # noqa: F811
    seeded, base = served
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    link = ActionLinks.from_settings(seeded.settings).action_url("ack", seeded.incident_id, seeded.alert_id)

    page.goto(link)  # what a mail scanner would fetch: only a question
    assert page.locator("h1").inner_text() == f"Acknowledge: incident #{seeded.incident_id}?"
    with Session(seeded.engine) as session:
        assert session.exec(select(IncidentAction)).all() == []
    page.fill("input[name=name]", "Dana <b>")
    page.click("#confirm button")
    page.wait_for_selector("#done")
    assert page.locator("#done").inner_text() == f"Incident #{seeded.incident_id} acknowledged."

    page.goto(f"{base}/login")
    page.fill("input[name=name]", "otto")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/incidents")
    page.goto(f"{base}/incidents/{seeded.incident_id}")
    page.select_option("#snooze select[name=value]", "24h")
    page.click("#snooze button")
    page.wait_for_selector("#snoozed")
    assert page.locator("#snoozed").inner_text().startswith("snoozed until ")
    page.fill("#missed input[name=link]", "https://example.com/p/902")
    page.click("#missed button")
    page.wait_for_selector("text=reported a missed post:")
    activity = page.locator("#activity").inner_text()
    assert "Dana <b> (from email) acknowledged" in activity and "otto (from web 127.0.0.1) snoozed" in activity
    with Session(seeded.engine) as session:
        assert [m.link for m in session.exec(select(MissedMention)).all()] == ["https://example.com/p/902"]
    assert problems == []
