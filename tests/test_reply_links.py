"""A grievance retold in other words joins its incident when it quotes or answers the first telling (issue #12).

Real parts: the detection pass (``detect_brand``, the adaptive engine: stories from the stored mentions) and the
incident layer on the test database (SQLite and PostgreSQL). The retelling shares no distinctive words with the
first telling and no vectors are stored, so only the link (``quoted_id``, ``parent_id``) can tie the two: before
links were read, they opened two incidents. The brand's own replies never tie complaints together, and a link
never crosses brands.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from models.signals import extract_signals
from monitor.detection.incidents import apply_finding, detect_brand
from monitor.detection.simple_rules import Finding
from monitor.detection.stories import StoryTracker
from monitor.detection.story_index import MAX_POSTS
from monitor.runtime import Runtime
from monitor.settings import Settings
from monitor.storage.tables import Incident, Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 7, 18, 30, tzinfo=UTC)
CANCELLED = ["Acme just cancelled my flight at the gate with no rebooking",
             "stuck at the gate, Acme cancelled the flight, no rebooking offered",
             "Acme cancelled our 6pm flight right at the gate, zero rebooking"]
SCRAPPED = ["my Acme plane got scrapped during boarding and they won't help us",
            "Acme axed our departure at boarding time, refusing to help anyone",
            "trip scrapped by Acme as we boarded, nobody will help"]
LOUNGE = ["the Acme lounge at terminal 2 smells of mould and the toilets are filthy",
          "Acme lounge in terminal 2 is dirty, mouldy carpet, disgusting toilets",
          "filthy Acme lounge, terminal 2, mould on the walls"]


def settings_for(database_url: str) -> Settings:
    brands = [{"id": "acme", "name": "Acme", "names": ["Acme"], "handles": ["@AcmeHelp"]},
              {"id": "bolt", "name": "Bolt", "names": ["Bolt"]}]
    return make_settings(database={"url": database_url}, channels=[{"id": "c", "kind": "console"}], brands=brands)


def post(session: Session, who: str, text: str, at: datetime, brand: str = "acme", quoted_id: str | None = None,
         parent_id: str | None = None, is_brand_reply: bool = False) -> Mention:
    row = Mention(brand_id=brand, source_id=f"x-{brand}", platform="x", external_id=f"{who}-{at:%H%M}", author_id=who,
                  author_handle=who, author_followers=150, text=text, sentiment="negative", p_negative=0.95,
                  posted_at=at, ingested_at=at, signals=extract_signals(text, None).to_json(), quoted_id=quoted_id,
                  parent_id=parent_id, is_brand_reply=is_brand_reply)
    session.add(row)
    session.flush()
    return row


def telling(session: Session, who: str, texts: list[str], at: datetime, people: int = 8, brand: str = "acme",
            quoted_id: str | None = None, parent_id: str | None = None) -> list[Mention]:
    """``people`` people, a minute apart, each in one of the wordings."""
    return [post(session, f"{who}{k}", texts[k % len(texts)], at + timedelta(minutes=k), brand, quoted_id, parent_id)
            for k in range(people)]


def story(key: str, rows: list[Mention]) -> Finding:
    return Finding("story", key, 2, "One complaint is spreading", f"{len(rows)} people", [m.id or 0 for m in rows],
                   len(rows), len(rows), {"authors": len(rows)})


def paged(session: Session, brand: str = "acme") -> list[Incident]:
    return [i for i in session.exec(select(Incident).where(Incident.brand_id == brand)) if i.status != "watch"]


def test_a_quoted_retelling_in_other_words_joins_the_incident_in_the_detection_pass(database_url: str) -> None:
    settings = settings_for(database_url)
    brand = settings.brands[0]
    with Session(Runtime(settings).engine) as session:
        first = telling(session, "c", CANCELLED[:1], NOW - timedelta(minutes=40))
        session.commit()
        assert [c.event for c in detect_brand(session, settings, brand, NOW - timedelta(minutes=25))] == ["opened"]
        session.commit()
        for k, m in enumerate(telling(session, "s", SCRAPPED[:1], NOW - timedelta(minutes=20), people=12)):
            m.quoted_id = first[k % 3].external_id if k % 2 else None  # half quote, half reply
            m.parent_id = None if k % 2 else first[k % 3].external_id
        session.commit()
        changes = detect_brand(session, settings, brand, NOW)
        session.commit()
        (incident,) = paged(session)  # before links were read: the retelling was a story and an incident of its own
        assert [c.event for c in changes] == ["escalated"] and (incident.details or {})["story"]["total_authors"] == 20


def test_a_story_that_quotes_an_incident_joins_it_and_an_unlinked_one_does_not(database_url: str) -> None:
    settings = settings_for(database_url)
    brand = settings.brands[0]
    with Session(Runtime(settings).engine) as session:
        first = telling(session, "c", CANCELLED, NOW - timedelta(minutes=40))
        apply_finding(session, settings, brand, story("story:acme:a", first), NOW - timedelta(minutes=30))
        apart = telling(session, "s", SCRAPPED, NOW - timedelta(minutes=20))
        apply_finding(session, settings, brand, story("story:acme:b", apart), NOW - timedelta(minutes=12))
        assert len(paged(session)) == 2  # other words, no link: apart (as before)
        quoting = telling(session, "q", SCRAPPED, NOW - timedelta(minutes=10), quoted_id=first[4].external_id)
        apply_finding(session, settings, brand, story("story:acme:c", quoting), NOW)
        assert len(paged(session)) == 2
        (joined,) = [i for i in paged(session) if "story:acme:c" in (i.details or {})["join"]["keys"]]
        assert joined.key == "story:acme:a"


def test_the_brands_own_reply_ties_nothing_together(database_url: str) -> None:
    """The brand answers every complaint: a story among whose mentions is the brand's reply to the first story,
    and whose people answer that reply, is still its own incident."""
    settings = settings_for(database_url)
    brand = settings.brands[0]
    with Session(Runtime(settings).engine) as session:
        first = telling(session, "c", CANCELLED, NOW - timedelta(minutes=40))
        apply_finding(session, settings, brand, story("story:acme:a", first), NOW - timedelta(minutes=30))
        answer = post(session, "AcmeHelp", "So sorry to hear that, please DM us", NOW - timedelta(minutes=25),
                      parent_id=first[0].external_id, is_brand_reply=True)
        lounge = telling(session, "l", LOUNGE, NOW - timedelta(minutes=20), parent_id=answer.external_id)
        changes = apply_finding(session, settings, brand, story("story:acme:l", [answer, *lounge]), NOW)
        assert [c.event for c in changes] == ["opened"]
        assert len(paged(session)) == 2


def test_a_link_never_crosses_brands(database_url: str) -> None:
    settings = settings_for(database_url)
    with Session(Runtime(settings).engine) as session:
        theirs = telling(session, "b", CANCELLED, NOW - timedelta(minutes=40), brand="bolt")
        apply_finding(session, settings, settings.brands[1], story("story:bolt:a", theirs), NOW - timedelta(minutes=30))
        ours = telling(session, "q", SCRAPPED, NOW - timedelta(minutes=20), quoted_id=theirs[0].external_id)
        changes = apply_finding(session, settings, settings.brands[0], story("story:acme:q", ours), NOW)
        assert [c.event for c in changes] == ["opened"]
        assert len(paged(session, "acme")) == 1 and len(paged(session, "bolt")) == 1


def test_a_reply_joins_the_story_it_answers_and_a_reply_to_an_unseen_post_starts_nothing() -> None:
    tracker = StoryTracker()
    t0 = NOW.timestamp()
    first = tracker.add(t0, "x:c0", CANCELLED[0], None, 0.9, "1", post_id="p1")
    assert tracker.add(t0 + 60, "x:s0", SCRAPPED[0], None, 0.9, "2", post_id="p2", reply_to="p1") == first
    assert tracker.add(t0 + 90, "x:s1", SCRAPPED[1], None, 0.9, "3", post_id="p3", reply_to="p2") == first
    elsewhere = tracker.add(t0 + 120, "x:l0", LOUNGE[0], None, 0.9, "4", post_id="p4", reply_to="brand-post")
    assert elsewhere not in (None, first)
    assert tracker.add(t0 + 150, "x:l1", "same", None, 0.9, "5", post_id="p5", reply_to="brand-post") is None
    assert tracker.add(t0 + 180, "x:s2", SCRAPPED[2], "p1", 0.9, "6", post_id="p6") == first  # a quote, as before


def test_a_story_that_never_stops_growing_keeps_its_first_and_latest_posts_only() -> None:
    tracker = StoryTracker()
    t0 = NOW.timestamp()
    first = tracker.add(t0, "x:c0", CANCELLED[0], None, 0.9, "0", post_id="p0")
    assert first is not None
    for k in range(1, 5000):
        assert tracker.add(t0 + k, f"x:c{k}", "so bad", None, 0.9, str(k), post_id=f"p{k}",
                           reply_to=f"p{k - 1}") == first
    posts = tracker.lookup.live_posts(first)
    assert len(posts) <= MAX_POSTS and posts[0] == "p0" and posts[-1] == "p4999"
    assert tracker.assign(SCRAPPED[0], None, "late", reply_to="p4990") == first  # the latest posts still lead here
    assert tracker.assign(LOUNGE[0], None, "older", reply_to="p2500") != first  # a forgotten one no longer does
    assert tracker.assign("me too", "p0", "quote") == first  # the original, quoted, always does
