"""Two unrelated complaints in the same window stay two incidents (issue #12: one incident per real event).

Real incident layer on the test databases (SQLite file, PostgreSQL schema). Both faults joined unrelated
complaints before: a spike carried every person complaining that hour into the first complaint's incident
(so the second joined it as "the same people"), and the brand's everyday complaint words ("customer",
"service", "useless") counted as shared distinctive words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from models.signals import extract_signals
from monitor.detection.incidents import apply_finding
from monitor.detection.simple_rules import Finding
from monitor.runtime import Runtime
from monitor.settings import Settings
from monitor.storage.tables import Incident, Mention
from tests.fakes.settings_files import make_settings

NOW = datetime(2026, 11, 7, 18, 30, tzinfo=UTC)
OUTAGE = ["Acme internet down in Leeds again, no connection for an hour",
          "Is Acme down? No internet connection at all since 6pm",
          "Acme outage: whole street has no internet and nobody answers"]
BILLING = ["Charged twice for my Acme bill, refund please",
           "Acme billed me double this month, want my money back",
           "duplicate payment taken by Acme, still no refund"]
DOUBLE = ["Acme charged my card twice for one order, customer service is useless",
          "double charged by Acme for a single order and customer service is useless",
          "two payments taken by Acme for one order, useless customer service"]
CAMERA = ["the Acme app crashes whenever I open the camera, customer service is useless",
          "Acme app crashing every time the camera opens and customer service is useless",
          "camera makes the Acme app crash instantly, useless customer service"]
EVERYDAY = ["customer service is useless, my {} is still not sorted",
            "waited an hour for customer service about my {}, useless",
            "Acme customer service never answers about the {}"]
TOPICS = ["parcel", "contract", "router", "upgrade", "voucher", "invoice", "password", "delivery", "sim", "tariff",
          "engineer", "modem", "roaming", "payment", "refund", "account", "letter", "broadband", "tv", "landline"]


def settings_for(database_url: str) -> Settings:
    return make_settings(database={"url": database_url},
                         brands=[{"id": "acme", "name": "Acme", "names": ["Acme"]}])


def post(session: Session, texts: list[str], who: str, minutes_ago: float) -> list[int]:
    """Six people post these texts (negative); their mention ids."""
    rows = [Mention(brand_id="acme", source_id="s", platform="x", external_id=f"{who}{k}", author_id=f"{who}{k}",
                    author_handle=f"{who}{k}", author_followers=100, text=text, sentiment="negative",
                    posted_at=NOW - timedelta(minutes=minutes_ago), ingested_at=NOW,
                    signals=extract_signals(text, None).to_json())
            for k, text in enumerate((texts * 2)[:6])]
    session.add_all(rows)
    session.flush()
    return [m.id or 0 for m in rows]


def finding(trigger: str, key: str, ids: list[int]) -> Finding:
    return Finding(trigger, key, 2, f"{trigger} title", "6 people", ids, len(ids), 6, {"authors": 6, "expected": 1.0})


def keys(database_url: str, work: Callable[[Session, Settings], None]) -> list[list[str]]:
    """Each incident's key and joined keys, after ``work(session, settings)``."""
    settings = settings_for(database_url)
    with Session(Runtime(settings).engine) as session:
        work(session, settings)
        session.commit()
        return [[i.key, *(i.details or {})["join"]["keys"]]
                for i in session.exec(select(Incident).order_by(col(Incident.id)))]


def test_a_spike_does_not_tie_two_unrelated_complaints_together(database_url: str) -> None:
    def work(session: Session, settings: Settings) -> None:
        brand = settings.brands[0]
        outage = post(session, OUTAGE, "a", 20)
        apply_finding(session, settings, brand, finding("story", "story:acme:a", outage), NOW - timedelta(minutes=10))
        billing = post(session, BILLING, "b", 5)  # the spike's hour holds both crowds; its examples are the outage's
        spike = finding("spike", "spike:acme:1", outage[:3])
        apply_finding(session, settings, brand, spike, NOW - timedelta(minutes=4))
        apply_finding(session, settings, brand, finding("story", "story:acme:b", billing), NOW)

    assert keys(database_url, work) == [["story:acme:a", "spike:acme:1"], ["story:acme:b"]]


def test_the_brands_everyday_complaint_words_do_not_join_two_complaints(database_url: str) -> None:
    def work(session: Session, settings: Settings) -> None:
        brand = settings.brands[0]
        for day, topic in enumerate(TOPICS):  # a week of ordinary complaints: "customer service" is everyday talk
            post(session, [t.format(topic) for t in EVERYDAY], f"bg{day}-", 60 * 6 + day * 400)
        apply_finding(session, settings, brand, finding("story", "story:acme:a", post(session, DOUBLE, "a", 20)),
                      NOW - timedelta(minutes=10))
        apply_finding(session, settings, brand, finding("story", "story:acme:b", post(session, CAMERA, "b", 5)), NOW)

    assert keys(database_url, work) == [["story:acme:a"], ["story:acme:b"]]


def test_the_same_complaint_still_joins_over_that_background(database_url: str) -> None:
    def work(session: Session, settings: Settings) -> None:
        brand = settings.brands[0]
        for day, topic in enumerate(TOPICS):
            post(session, [t.format(topic) for t in EVERYDAY], f"bg{day}-", 60 * 6 + day * 400)
        apply_finding(session, settings, brand, finding("story", "story:acme:a", post(session, DOUBLE, "a", 20)),
                      NOW - timedelta(minutes=10))
        again = [t.replace("customer service is useless", "nobody fixes it") for t in DOUBLE]
        apply_finding(session, settings, brand, finding("story", "story:acme:b", post(session, again, "b", 5)), NOW)

    assert keys(database_url, work) == [["story:acme:a", "story:acme:b"]]


SLOW = ["Acme internet speeds in Leeds are terrible this evening, barely streaming",
        "Acme broadband in Leeds crawling tonight, pages will not load",
        "no Acme internet worth the name in Leeds since 6pm, barely any connection"]


def test_a_story_told_after_its_spike_joins_the_spike_only_incident(database_url: str) -> None:
    """The demo's outage: a spike opens first; half an hour later a story of the same outage, told by people who
    were not yet in the spike's crowd, must join it through what the spike's examples said (it opened a second
    incident, and a second page, when a spike kept only its crowd)."""
    def work(session: Session, settings: Settings) -> None:
        brand = settings.brands[0]
        outage = post(session, OUTAGE, "a", 40)
        spike = finding("spike", "spike:acme:1", outage[:3])
        apply_finding(session, settings, brand, spike, NOW - timedelta(minutes=35))
        later = post(session, SLOW, "c", 5)
        apply_finding(session, settings, brand, finding("story", "story:acme:c", later), NOW)

    assert keys(database_url, work) == [["spike:acme:1", "story:acme:c"]]
