"""The pass's watch review loads repeat complainers only once they could be unanswered (issue #12, replay speed).

Real incident layer on the test databases. The review used to load every watched incident each pass; now the
query leaves out repeat complainers opened within the response target (or all of them while the brand's replies
are not collected), which ``page_reason`` gives nothing anyway. The pass must still page the ignored one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from monitor.detection.incidents import detect_brand
from monitor.runtime import Runtime
from monitor.storage.tables import Incident, Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 7, 18, 30, tzinfo=UTC)


def watched(session: Session, author: str, opened_ago: timedelta, answered: bool) -> None:
    """Three complaints of one person in a conversation, watched as a repeat complainer since ``opened_ago``."""
    ids = []
    for k in range(3):
        m = Mention(brand_id="acme", source_id="s", platform="x", external_id=f"{author}{k}", author_id=author,
                    author_handle=author, text=f"Acme still broken, attempt {k}", sentiment="negative",
                    conversation_id=f"conv-{author}", posted_at=NOW - timedelta(hours=5 - k), ingested_at=NOW,
                    detected_at=NOW)
        session.add(m)
        session.flush()
        ids.append(m.id or 0)
    if answered:
        session.add(Mention(brand_id="acme", source_id="s", platform="x", external_id=f"r-{author}", author_id="acme",
                            text="DM us please", is_brand_reply=True, parent_id=f"{author}2",
                            conversation_id=f"conv-{author}", posted_at=NOW - timedelta(hours=2, minutes=30),
                            ingested_at=NOW, detected_at=NOW))
    session.add(Incident(brand_id="acme", key=f"repeat:{author}", trigger="repeat_complainer", status="watch",
                         opened_at=NOW - opened_ago, updated_at=NOW, last_activity_at=NOW,
                         example_mention_ids=ids[-1:]))


def test_the_pass_pages_the_ignored_repeat_complainer_and_watches_the_rest(database_url: str) -> None:
    settings = make_settings(database={"url": database_url}, brands=[{"id": "acme", "name": "Acme"}],
                             detection={"response_target_minutes": 60})
    with Session(Runtime(settings).engine) as session:
        watched(session, "ignored", timedelta(hours=2), answered=False)
        watched(session, "recent", timedelta(minutes=10), answered=False)  # within the target: not yet
        watched(session, "talking", timedelta(hours=2), answered=True)
        session.commit()
        changes = detect_brand(session, settings, settings.brands[0], NOW)
        session.commit()
        status = {i.key: i.status for i in session.exec(select(Incident))}
    assert status == {"repeat:ignored": "open", "repeat:recent": "watch", "repeat:talking": "watch"}
    assert [c.event for c in changes] == ["opened"] and "not answered" in changes[0].summary
