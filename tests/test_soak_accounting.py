"""The soak's account of its incident posts (issue #17), on a real service database: a threat that joined an
open story is covered by that story's thread, not lost; one the budget held or the watch list kept says so;
only what nothing explains is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from benchmarks import soak_accounting
from monitor.replay.demo import demo_settings
from monitor.runtime import Runtime
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem

T0 = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)


def _mention(k: int, author: str) -> Mention:
    return Mention(brand_id="brightwave", source_id="demo-replay", platform="x", external_id=f"m{k}",
                   author_id=author, author_handle=f"big{k}", url=f"https://x.com/i/{k}",
                   text=f"Brightwave zuwugimi terrible, cancelling LAT{k}", posted_at=T0, ingested_at=T0)


def _incident(key: str, trigger: str, status: str, details: dict[str, object]) -> Incident:
    return Incident(brand_id="brightwave", key=key, trigger=trigger, status=status, severity=2, title=key,
                    reason="soak", opened_at=T0, updated_at=T0, last_activity_at=T0, mention_count=1,
                    author_count=1, details=details)


def _page(session: Session, incident: Incident, event: str, sent: datetime | None, paged: bool = True) -> None:
    alert = Alert(incident_id=incident.id or 0, event=event, severity=incident.severity, created_at=T0, paged=paged)
    session.add(alert)
    session.flush()
    if paged:
        session.add(OutboxItem(alert_id=alert.id or 0, channel_id="mail", idempotency_key=f"{alert.id}:mail",
                               status="sent" if sent else "pending", next_attempt_at=T0, sent_at=sent))


def _database(folder: Path) -> Path:
    """Posts 1-7: 1 paged (its email arrived), 2 and 3 joined the story #s (3 after its last page), 4 held by
    the budget, 5 still watched, 6 paged but never sent, 7 ingested with no incident; 8 never ingested."""
    settings = demo_settings(folder, "lexicon")
    with Session(Runtime(settings).engine) as session:
        session.add_all([_mention(k, f"a{k}") for k in range(1, 8)])
        story = _incident("story:brightwave:story:s1", "story", "escalated", {"join": {"people": ["x:a2", "x:a3"]}})
        own = {k: _incident(f"churn_threat:brightwave:churn:x:a{k}", "churn_threat", status, details)
               for k, status, details in [(1, "open", {}), (4, "open", {"held": True}), (5, "watch", {}),
                                          (6, "open", {})]}
        session.add_all([story, *own.values()])
        session.flush()
        _page(session, own[1], "opened", T0 + timedelta(seconds=10))
        _page(session, story, "opened", T0 + timedelta(seconds=30))
        _page(session, story, "escalated", T0 + timedelta(seconds=100))
        _page(session, own[4], "opened", None, paged=False)
        _page(session, own[6], "opened", None)
        session.commit()
    return Path(settings.database_url().removeprefix("sqlite:///"))


def test_each_post_is_paged_joined_held_watched_or_lost(tmp_path: Path) -> None:
    db = _database(tmp_path)
    at = T0.timestamp()
    posted = {1: at, 2: at, 3: at + 200, 4: at, 5: at, 6: at, 7: at, 8: at}
    where = soak_accounting.classify(db, posted, {1: at + 12}, end=at + 3600)
    assert {k: w["outcome"] for k, w in where.items()} == {
        1: "paged", 2: "joined", 3: "joined", 4: "held_by_budget", 5: "watched", 6: "undelivered",
        7: "no_incident", 8: "not_ingested"}
    assert where[2]["update_after_s"] == 30.0 and where[3]["update_after_s"] is None
    report = soak_accounting.summary(where)
    assert report["lost"] == [6, 7, 8]
    assert report["joined_with_a_later_page"] == 1


def test_posts_made_just_before_the_end_are_pending_not_lost(tmp_path: Path) -> None:
    db = _database(tmp_path)
    at = T0.timestamp()
    where = soak_accounting.classify(db, {7: at, 8: at}, {}, end=at + 60)
    assert [w["outcome"] for w in where.values()] == ["pending_at_end", "pending_at_end"]
    assert soak_accounting.summary(where)["lost"] == []


def test_a_folded_update_counts_once_and_names_everyone_in_it(tmp_path: Path) -> None:
    """Issue #12: big customers joining one story are folded; the report counts updates per incident and which
    posts' authors an email named (a fold names them without their whole post)."""
    settings = demo_settings(tmp_path, "lexicon")
    with Session(Runtime(settings).engine) as session:
        session.add_all([_mention(k, f"a{k}") for k in range(1, 5)])
        joined = {f"x:a{k}": {"mention_id": k} for k in range(1, 5)}
        joined["x:a2"]["fold"] = ["x:a2", "x:a3"]  # type: ignore[assignment]
        story = _incident("story:brightwave:story:s1", "story", "open",
                          {"join": {"people": [f"x:a{k}" for k in range(1, 5)]}, "joined": joined,
                           "joined_fold": {"due": T0.isoformat(), "people": ["x:a4"]}})
        session.add(story)
        session.flush()
        _page(session, story, "opened", T0)
        for about in ("x:a1", "x:a2"):
            session.add(Alert(incident_id=story.id or 0, event="joined", severity=2, created_at=T0, about=about))
        session.commit()
        story_id = story.id
    db = Path(settings.database_url().removeprefix("sqlite:///"))
    assert soak_accounting.joined_updates(db) == {str(story_id): {"updates": 2, "held": 0, "people": 3,
                                                                  "waiting": 1}}
    at = T0.timestamp()
    where = soak_accounting.classify(db, {k: at for k in range(1, 5)}, {1: at + 5}, at + 3600,
                                     named={1: at + 5, 2: at + 9, 3: at + 9})
    assert [where[k]["named_after_s"] for k in range(1, 5)] == [5.0, 9.0, 9.0, None]
    report = soak_accounting.summary(where)
    assert report["named_in_an_email"] == 3 and report["not_named"] == []
    assert report["waiting_in_fold_at_end"] == [4]  # its update was not due yet when the run ended
