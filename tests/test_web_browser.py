"""The workspace in a real browser (Playwright driving Debian's Chromium; no browser download):
sign in, filter the stream, open an incident, acknowledge it, give feedback, and see a <script> as text.

Needs `apt-get install chromium chromium-headless-shell` and `pip install playwright`; skipped elsewhere
(CI installs both).  Slow tier: `pytest -m slow tests/test_web_browser.py`.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from monitor.storage.tables import AlertFeedback, IncidentAction
from monitor.web.server import WebThread
from tests.fakes.browser import page  # noqa: F401 - the Chromium page fixture
from tests.fakes.web_seed import PASSWORD, SCRIPT, Seeded, seed

pytestmark = pytest.mark.slow
@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Seeded, str]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    seeded = seed(f"sqlite:///{tmp_path / 'web.db'}", address=f"127.0.0.1:{port}")
    web = WebThread(seeded.settings, seeded.engine).start()
    yield seeded, f"http://127.0.0.1:{port}"
    web.stop()


def test_sign_in_filter_open_acknowledge_and_give_feedback(served: tuple[Seeded, str],
                                                            page: Any) -> None:  # noqa: F811
    seeded, base = served
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{base}/mentions")
    assert "/login" in page.url
    page.fill("input[name=name]", "otto")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/mentions")

    page.select_option("select[name=sentiment]", "negative")  # htmx swaps the stream and updates the URL
    page.wait_for_url("**/mentions?*sentiment=negative*")
    assert page.locator("#stream .post").count() == page.locator("#stream .post.sentiment-negative").count() > 0
    page.fill("input[name=author]", "mallory")
    page.press("input[name=author]", "Enter")
    page.wait_for_url("**author=mallory*")
    page.wait_for_function("document.querySelectorAll('#stream .post').length === 1")
    assert page.locator("#stream .post .text").inner_text() == SCRIPT  # shown as text...
    assert page.evaluate("window.pwned") is None  # ...never run

    page.click("nav >> text=Incidents")
    page.click(f"a[href='/incidents/{seeded.incident_id}'] >> nth=0")
    page.wait_for_url(f"{base}/incidents/{seeded.incident_id}")
    assert page.locator("svg polyline").count() >= 3  # the spread curve
    page.click("button:has-text('Acknowledge')")
    page.wait_for_selector("#acked")
    assert page.locator("#acked").inner_text() == "otto"
    assert page.locator("button:has-text('Acknowledge')").count() == 0

    page.click("#alerts button:has-text('useful') >> nth=0")
    page.wait_for_selector("#alerts .feedback strong")
    assert page.locator("#alerts .feedback strong").first.inner_text() == "useful"

    with Session(seeded.engine) as session:
        assert [a.kind for a in session.exec(select(IncidentAction)).all()] == ["ack"]
        assert [(f.verdict, f.actor) for f in session.exec(select(AlertFeedback)).all()] == [("useful", "otto")]
    assert problems == []  # no CSP violations, no script errors


def test_a_time_the_stream_cannot_read_is_said_not_silently_dropped(served: tuple[Seeded, str],
                                                                    page: Any) -> None:  # noqa: F811
    """A marketer types "last week" in Since: the page says it was not applied (the list is not filtered)."""
    _, base = served
    page.goto(f"{base}/mentions")
    page.fill("input[name=name]", "otto")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/mentions")
    page.fill("input[name=since]", "last <b>week</b>")
    page.press("input[name=since]", "Enter")  # htmx swaps the stream
    page.wait_for_selector("#stream p.error")
    said = page.locator("#stream p.error").inner_text()
    assert said == ("Since “last <b>week</b>” was not understood, so it was not applied: "
                    "write 24h, 7d or a date like 2026-11-20.")
    page.fill("input[name=since]", "7d")
    page.press("input[name=since]", "Enter")
    page.wait_for_url("**since=7d*")
    page.wait_for_function("document.querySelectorAll('#stream p.error').length === 0")
