"""Generate the bundled demo week: a fictional broadband provider, Brightwave, and its mentions.

Written by this project (no third-party data).  Ordinary chatter with a daily cycle, and the
stories Groundswell exists for: a customer threatening to switch (day 4), one customer
complaining again and again (days 2-6), a complaint from a high-follower account (day 3), and
on day 6 after 6 pm an outage complaint that spreads.  Regenerate with
``python scripts/make_demo_data.py``; the seed makes it byte-for-byte reproducible.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday; the brand's timezone (Europe/London) is UTC in November
DEMO_FILE = Path(__file__).parent / "sample_data" / "brightwave_week.jsonl"
TOWNS = ["Leeds", "Bristol", "Cardiff", "York", "Derby", "Hull", "Bath", "Exeter", "Leicester", "Norwich"]
CHATTER = {
    "positive": ["Brightwave engineer was brilliant today, fixed the line in ten minutes. Thanks!",
                 "Loving the new Brightwave router, speeds are great in {town}.",
                 "Shout out to Brightwave support for sorting my upgrade so quickly, really helpful.",
                 "Brightwave fibre finally arrived in {town} and it is fast. Happy customer."],
    "neutral": ["Anyone know if Brightwave does business broadband in {town}?",
                "Brightwave are sending a new router, setting it up this weekend.",
                "Comparing Brightwave and FibreCo prices for the new flat in {town}.",
                "Brightwave's app update moved the usage page to the settings tab.",
                "Does the Brightwave hub support wifi 6? Asking for a friend in {town}."],
    "negative": ["Brightwave speeds in {town} are terrible this evening, barely streaming.",
                 "Been on hold with Brightwave for 40 minutes, this is ridiculous.",
                 "Brightwave charged me twice this month, annoyed. Waiting for a refund."],
}
OUTAGE = ["@brightwave internet down in {town} again, no service for an hour. Useless.",
          "Is Brightwave down? No connection at all in {town} since 6pm, absolutely terrible.",
          "Brightwave outage in {town}, whole street offline and nobody answers the phone. Awful.",
          "No internet AGAIN @brightwave. Working from home is impossible, this is unacceptable.",
          "Brightwave broadband dead in {town}. Status page says nothing. Pathetic service.",
          "RT this if your Brightwave internet is down too, {town} completely offline, disgraceful."]


def _row(when: datetime, number: int, author: str, text: str, followers: int, **extra: object) -> dict[str, Any]:
    return {"id": f"bw{number:05d}", "platform": extra.pop("platform", "x"), "author_id": author,
            "author_handle": author, "author_followers": followers, "text": text,
            "posted_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "url": f"https://social.example/{author}/status/bw{number:05d}", **extra}


def _chatter(rng: random.Random) -> Iterator[tuple[datetime, str, str, int]]:
    """About 70 mentions a day, busiest in the evening, quietest in the small hours."""
    for hour in range(7 * 24):
        local = hour % 24
        rate = 4.6 * (0.25 + 0.75 * (1 + math.sin((local - 9) / 24 * 2 * math.pi)) / 2)
        for _ in range(_poisson(rng, rate)):
            when = START + timedelta(hours=hour, seconds=rng.randrange(3600))
            mood = rng.choices(["positive", "neutral", "negative"], weights=[30, 55, 15])[0]
            text = rng.choice(CHATTER[mood]).format(town=rng.choice(TOWNS))
            yield when, f"user{rng.randrange(10**6):06d}", text, int(rng.lognormvariate(5, 1.2))


def _poisson(rng: random.Random, rate: float) -> int:
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _stories(rng: random.Random) -> Iterator[tuple[datetime, str, str, int]]:
    day = timedelta(days=1)
    for offset, text in [
            (1 * day + timedelta(hours=10), "Brightwave billed me twice this month. Email #1 about it, please fix."),
            (2 * day + timedelta(hours=11), "Still no reply from Brightwave about the double charge. Email #9."),
            (3 * day + timedelta(hours=16), "Brightwave, 14 emails and nobody has refunded the double charge."),
            (4 * day + timedelta(hours=9), "Brightwave still ignoring me. 21 emails about one billing error."),
            (5 * day + timedelta(hours=12), "28 emails to Brightwave. 28. Still charged twice. Shocking service.")]:
        yield START + offset, "margaret_h", text, 85
    yield (START + 2 * day + timedelta(hours=19, minutes=12), "techwatch_dan",
           "Brightwave customer support is a joke: 3 hours on hold tonight and nobody could help. Awful.", 250_000)
    yield (START + 3 * day + timedelta(hours=20, minutes=40), "sam_k",
           "@brightwave third outage this month and no engineer until Monday. I'm switching to FibreCo "
           "and cancelling my contract.", 410)
    onset = START + 5 * day + timedelta(hours=18, minutes=5)
    minute = 0.0
    for index in range(170):  # the spreading outage: slow at first, then fast, for about three hours
        minute += rng.expovariate(0.25 + index / 22) if index < 150 else rng.expovariate(0.3)
        text = rng.choice(OUTAGE).format(town=rng.choice(TOWNS))
        author = f"cust{rng.randrange(10**5):05d}"
        yield onset + timedelta(minutes=minute), author, text, int(rng.lognormvariate(5, 1.3))


def generate(seed: int = 6) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events = sorted([*_chatter(rng), *_stories(rng)], key=lambda event: event[0])
    rows = [_row(when, n, author, text, followers) for n, (when, author, text, followers) in enumerate(events)]
    rows.append(_row(START + timedelta(days=5, hours=18, minutes=50), len(rows), "brightwave",
                     "We're aware of a broadband outage in parts of the UK and engineers are working on it.",
                     120_000, is_brand_reply=True))
    return sorted(rows, key=lambda row: row["posted_at"])


def write(path: Path = DEMO_FILE, seed: int = 6) -> int:
    rows = generate(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return len(rows)
