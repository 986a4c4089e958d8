"""Two complaints of the same kind are one incident only when they say the same thing (issue #12).

The complaint category ("billing") joined any two spreading complaints of one hour before: a double charge
and a price rise became one incident, one page. A category join now also needs two shared words that are
neither generic nor the brand's everyday complaint words; the same grievance told again still joins.
Real incident layer on the test databases (SQLite file, PostgreSQL schema).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from monitor.detection.incidents import apply_finding
from monitor.settings import Settings
from tests.test_incident_apart import EVERYDAY, NOW, TOPICS, finding, keys, post

DOUBLE = ["Acme charged my card twice for one order, refund please",
          "double charged by Acme for a single order, want a refund",
          "two payments taken by Acme for one order, still no refund"]
PRICE = ["Acme raised my monthly price again without any notice",
         "my Acme bill went up this month and nobody told me",
         "another price increase from Acme with zero warning, cancelling my plan"]
RETOLD = ["Acme took my money two times for the same order, I need a refund",  # shares "order" and "refund" only
          "paid once, Acme debited it again for that order, refund now",
          "Acme collected for my order two times over, where is my refund"]
USELESS = ", customer service is useless"


def two_stories(first: list[str], second: list[str],
                background: bool = False) -> Callable[[Session, Settings], None]:
    """Story a (six people, 20 min ago) then story b (six others, 5 min ago); a background week if asked."""
    def work(session: Session, settings: Settings) -> None:
        brand = settings.brands[0]
        if background:  # a week of ordinary complaints: "customer service is useless" is everyday talk
            for day, topic in enumerate(TOPICS):
                post(session, [t.format(topic) for t in EVERYDAY], f"bg{day}-", 60 * 6 + day * 400)
        apply_finding(session, settings, brand, finding("story", "story:acme:a", post(session, first, "a", 20)),
                      NOW - timedelta(minutes=10))
        apply_finding(session, settings, brand, finding("story", "story:acme:b", post(session, second, "b", 5)),
                      NOW)
    return work


def test_two_billing_complaints_of_one_hour_stay_two_incidents(database_url: str) -> None:
    assert keys(database_url, two_stories(DOUBLE, PRICE)) == [["story:acme:a"], ["story:acme:b"]]


def test_the_same_billing_complaint_retold_joins_its_incident(database_url: str) -> None:
    assert keys(database_url, two_stories(DOUBLE, RETOLD)) == [["story:acme:a", "story:acme:b"]]


def test_everyday_complaint_words_do_not_make_two_billing_complaints_one(database_url: str) -> None:
    double, price = [t + USELESS for t in DOUBLE], [t + USELESS for t in PRICE]
    assert keys(database_url, two_stories(double, price, background=True)) == [["story:acme:a"], ["story:acme:b"]]
