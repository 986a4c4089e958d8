"""A busy airline's week with three real-world episode shapes: which does the detector page, how late, how often?  JSON.

Issue #12: on a real airline week the spread channels missed a mockery story (~150 authors, mostly sarcastic), a
30-hour cancellation wave and a day of cancellations. This replays such weeks through ``BrandDetector.run`` (what
the service and ``groundswell backtest`` call), every 5 minutes, every post with its sentence vector and its
sentiment from the bundled model (scored once, cached under runs/cache, as ``synthetic_spreads.py``).

Background: the real customer tweets to airlines in ../shared/data/twcs-sample (AmericanAir, Delta, SouthwestAir,
British_Airways, AlaskaAir, AirAsiaSupport, VirginAtlantic...), the authors' hash half of the split, resampled at
``--per-day`` with the daily cycle of ``synthetic_spreads.background``, each tweet by its real author (a text drawn
again is that person posting again, not a crowd repeating it). Injected, as on the real week:

- ``mockery``: one joke about the brand told by 100-200 people over 3-5 hours (8 wordings, with decorations,
  retweets and replies), scored by the model: many not negative;
- ``wave``: extra cancellation complaints (combinatorial wordings, one new person each) rising linearly from
  nothing to 1-3 times the background's negative rate (2-4x in all) over 24-36 h, then gone within 3 h;
- ``surge``: the same kind of complaints at 1-2 times the negative rate (2-3x in all) for one day (1 h ramps).

A page is a new spike or story finding (escalations are updates of it). It belongs to an episode when most of
its example ids are the episode's posts, or, for a spike, when it comes during the episode (onset to 3 h after its
end): a spike counts people, not texts. Other pages are false. Quiet weeks: the same backgrounds, no episodes.
Per episode: weeks paged, median delay from onset (h), pages per paged week. Splits never share text, people or
jokes: ``tune`` (author half 0, seeds 1..N) and ``report`` (author half 1, seeds 101..). ``--knobs`` (JSON: series,
stories or brand overrides of ``BrandConfig``) replays a candidate rule beside the defaults.

Measured (2026-12-07, 6 weeks a split, 600 mentions a day, ~45 s a candidate; one worktree and one score cache for
all rows: the bundled int8 model's scores depend a little on which texts share a batch, 24 of 6,765 cached texts got
another label when scored in other batches, so a fresh cache moves the figures slightly). ``paged`` counts either
channel, ``spike`` the weeks the volume channel paged it (the harness's cancellation texts are combined from 6 x 8
phrases, so stories catch them; real complaints vary more, so the spike figure says whether volume alone would
page). Delay: median hours from onset; then pages per paged week; last column false pages per quiet week. When these
were measured the story tracker broke ties in hash order, so a page could come or go with ``PYTHONHASHSEED``
(defaults, tune: surge 1.0 or 1.17 pages per paged week for seeds 1 / 0, 2); it no longer does
(``tests/test_story_determinism.py``), so the figures below may move slightly on a rerun.

    nice python benchmarks/airline_episodes.py --split tune --weeks 6 --knobs '{}' \
        '{"brand": {"share_odds": 1.5, "share_rate": 0.0035}}' '{"series": {"windows": [1, 6, 36, 144, 288]}}' \
        '{"series": {"windows": [1, 6, 36, 144, 288], "slid": true}}' \
      '{"series": {"windows": [1, 6, 36, 144, 288], "slid": true}, "brand": {"share_odds": 1.5, "share_rate": 0.0035}}'

    tune                       mockery        wave                        surge                       quiet
    defaults                   6/6 0.32 h 1.5  6/6 (spike 0) 6.2 h 2.0   6/6 (spike 0) 15.3 h 1.17  0
    odds 1.5, rate 0.0035      6/6 0.32 h 1.5  6/6 (spike 2) 6.2 h 2.33  6/6 (spike 4) 7.6 h 1.83   0
    + 12 h, 24 h windows       6/6 0.32 h 1.5  6/6 (spike 4) 6.2 h 2.83  6/6 (spike 0) 15.3 h 1.17  0.33
    windows, slid              6/6 0.32 h 1.5  6/6 (spike 1) 6.2 h 2.33  6/6 (spike 0) 15.3 h 1.17  0
    windows, slid, odds, rate  6/6 0.32 h 1.5  6/6 (spike 4) 6.2 h 2.83  6/6 (spike 4) 7.6 h 1.83   0

Also on tune: the 12 h window alone adds nothing and a quiet page (0.33); share_odds 2 / 2.5 (rate 0.0035): surge by
spike 2 / 1 of 6, 14.1 / 15.2 h; share_rate 0.0035 alone: surge 1 of 6, 15.2 h. Why the volume channel misses: on a
brand whose mentions are ~60 % negative, twice the complainers lift the 30-minute share to ~75 %, under the 1.3x
bar (78 %), and the usual share follows a wave that builds over a day (3 h half-life), so the record test's few
alerts were held (at an 80 % usual share the bar, 104 %, is out of reach: tests/test_volume_knobs.py); a 12 h window's
first comparisons see a quiet morning as its high (a quiet-week page at 24 h) unless it waits until it has slid by
its own length (``slid``). The share rule's cost on other tune splits: ``synthetic_spreads.py --split tune``
(odds 1.5, rate 0.0035 as defaults) quiet false pages 0 -> 0, recall 12/12 per shape both, extra spike pages per
story 3 -> 10 (odds alone 8, rate alone 4); ``background_story.py --split tune --seeds 1`` extra pages over 96
events 16 -> 22 (background alone 3 both).

Report split (``--split report``, defaults vs the tune picks). It was read once before a harness fix (reposts in
the mockery pointed at no post; the same verdict: defaults quiet 0.17, odds 0.5) and once after it:

    defaults                   6/6 0.56 h 2.67 6/6 (spike 0) 7.0 h 2.0   6/6 (spike 1) 15.0 h 1.33  0.17
    odds 1.5, rate 0.0035      6/6 0.56 h 2.67 6/6 (spike 2) 7.0 h 2.33  6/6 (spike 2) 14.9 h 1.5   0.5
    windows, slid, odds, rate  6/6 0.56 h 2.67 6/6 (spike 3) 7.0 h 2.67  6/6 (spike 3) 12.7 h 1.67  0.67

So nothing beat the defaults: the picks raised quiet false pages on the report split (1 -> 3 and 4 in 6 weeks)
for a surge paged at best 2.3 h earlier, and ``share_odds``, ``share_rate`` and ``slid`` stay off as knobs to replay.
``--negative-share 0.8`` resamples the background to 80 % negative (a customer-care handle). There the old bar
(104 %) is out of reach, so ``share_cap`` (the bar at most halfway from the usual share to 100 %, 80 % -> 90 %,
unchanged up to ~62 %) is now the default. Measured 2026-12-07, old (``share_cap`` 0) vs new (0.5), 6 weeks:

    tune, --negative-share 0.8   mockery        wave                        surge                       quiet
    old                          6/6 0.36 h 2.0  6/6 (spike 0) 6.18 h 2.0   6/6 (spike 0) 15.69 h 1.17  0
    share_cap 0.5                6/6 0.36 h 2.0  6/6 (spike 1) 6.18 h 2.17  6/6 (spike 0) 15.69 h 1.17  0
    report, --negative-share 0.8
    old                          6/6 0.46 h 2.83 6/6 (spike 1) 6.04 h 2.17  6/6 (spike 0) 13.94 h 1.67  0
    share_cap 0.5                6/6 0.46 h 2.83 6/6 (spike 2) 6.04 h 2.33  6/6 (spike 1) 13.94 h 1.83  0

The default background (tune 60 %, report 46 % negative): old = new on both splits. Also on tune at 80 %:
``share_odds`` 2.5 / 3 and ``share_cap`` 0.45 / 0.4 / 0.3 gave the same rows as 0.5; 0.5 with ``share_rate`` 0.0035:
surge by spike 2 of 6; no share gate at all: mockery 3, wave 2, surge 4 of 6 by spike, quiet 0. So what still holds
the surge is the usual share following it (the record test pages it 7.7-10.6 h in), not the height of the bar.
Elsewhere, old vs new: ``cold_start.py --half tune``: complaint-heavy 0 / 0 / 0 both, ordinary 0.025 both, bursts
within 15 min 83.8 -> 85 % (one more); ``--half report``: old = new (77.5 %, 0 / 0 / 0). ``synthetic_spreads.py``
``--split tune`` and ``--split report``: old = new (quiet 0, extra spike pages per story 3 / 5, recall 12/12 each).

All three shapes page on this harness through stories (the mockery after 20-34 min, 36-43 % of its posts scored
negative); the volume channel alone misses the wave and the surge in 5-6 of 6 weeks.

The slow-wave test (``monitor/detection/wave.py``: the last 3 h of negative people against the median of the same
hours on the previous days, 2x, Poisson z 4.5, a share gate against those hours' usual share). ``--spike-only``
turns the story channel off (its threshold out of reach), so what is caught is what volume alone catches, as on a
real week whose complaints vary more than 6 x 8 phrases. Measured 2026-12-07 (6 weeks; ``--knobs`` wave off / on):

    nice python benchmarks/airline_episodes.py --split tune --spike-only --knobs '{"wave": {"enabled": false}}' '{}'
    --spike-only                 mockery   wave                  surge                 quiet
    tune,   wave off             0/6       0/6                   0/6                   0
    tune,   wave on              0/6       5/6 15.7 h 1.0        6/6 3.5 h 1.0         0
    report, wave off             0/6       1/6 15.6 h 1.0        0/6                   0
    report, wave on              0/6       6/6 18.3 h 1.0        6/6 3.6 h 1.0         0

Also on tune (wave on, z 3 before the z 4.5 pick): 4 h windows or ratio 1.5 / 1.7 caught the same weeks (ratio 1.5
a few hours sooner); z 3 paged 2 quiet weeks of ``synthetic_spreads.py --split tune --scenarios 8`` (26 and 37
people where 10 and 16 were usual), z 4.5 none (that benchmark identical with the wave test on and off).
With stories on (no ``--spike-only``), tune: surge 6/6 15.3 h 1.17 pages -> 6/6 3.5 h 2.17 (the story pages later
too), mockery, wave and quiet unchanged. Report, read once before a last fix: identical to wave off (surge 5/6 16.0
h), because a wave whose extra people joined a story that paged was held back, and the surge's complaints joined the
wave's story of three days before; now only stories begun within the last day hold it back (checked on tune only).

One wave, one thread (``monitor/detection/wave_thread.py``): a story that pages while a wave that paged is still
elevated, with at least half of its people new since the wave began, 3 of the wave's words and a sentence-vector
centroid at cosine 0.7 or more from the wave's complaints, is news of the wave's incident (an escalation here, no
page). On tune the stories retelling the surge had cosines 0.81-0.93 and 5-13 such words; the mockery moved into the
surge 0.44-0.61 and 0-1 words. Measured 2026-12-08, old -> new (``--first-seed 7``: fresh report weeks 107-112):

    stories on                   mockery          wave             surge                       quiet
    tune                         1.5 both         2.0 both         6/6 3.52 h 2.17 -> 1.0      0 both
    report 107-112               2.83 both        2.0 both         6/6 4.8 h 2.0 -> 1.17       0 both
    --spike-only, tune / report  identical (surge 6/6 1.0, wave 5/6 1.0; quiet 0)

``benchmarks/airline_incidents.py`` counts the same weeks through the whole pipeline (incidents and pages).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.spread_text import TWCS, Post, _poisson, embeddings, sentiment  # noqa: E402
from benchmarks.synthetic_spreads import START, background, replay  # noqa: E402
from monitor.detection.brand_detector import BrandConfig  # noqa: E402

AIRLINES = ("americanair", "delta", "southwestair", "british_airways", "virginamerica", "alaskaair", "jetblue",
            "virginatlantic", "airasiasupport", "united")
EPISODES = ("mockery", "wave", "surge")
SLACK_S = 3 * 3600.0
Raw = list[tuple[float, str, str, int | None]]  # (time, author, text, index of the post it reposts)

JOKES = {
    "tune": [
        "@brand lost my luggage again, at this point my suitcase has more air miles than I do",
        "my bag is enjoying a lovely holiday in a city I've never been to, thanks @brand",
        "@brand congrats, my suitcase now has a more exciting travel life than me",
        "just checked the tracker, my luggage is touring Europe without me. @brand travel agency for bags",
        "@brand should start selling vacation packages for suitcases, they clearly send them everywhere",
        "shoutout to @brand for giving my bag the trip of a lifetime while I wear the same socks for day 3",
        "new @brand loyalty program: your bags earn the miles, you stay home",
        "honestly @brand's baggage service is magic, you check a bag in and it disappears",
    ],
    "report": [
        "@brand's idea of 'on time' is the same day, if you're lucky",
        "love how @brand calls a 5 hour delay a 'slight schedule adjustment'",
        "@brand the gate sign says on time, the plane says no, the pilot says maybe",
        "breaking: @brand flight departs on time, scientists baffled",
        "@brand using a sundial to schedule departures again I see",
        "thank you @brand for the free overnight stay at the gate, 5 stars, would sleep on the carpet again",
        "@brand delay bingo: weather, crew, 'operational reasons'. full card again today",
        "at this point @brand should just list departure times as 'eventually'",
    ],
}
JOKE_TAILS = ["", " 😂", " lol", " 🙃", " 10/10", " #travel", " 👏👏", " iconic", " never change"]
CANCEL = {  # (complaints, details): a new person each, wordings combined
    "tune": (["my flight got cancelled", "you cancelled my flight", "flight cancelled last minute",
              "another cancellation", "you cancelled my connection", "just got the cancellation text"],
             ["and the rebooking is two days out", "no hotel, no food voucher", "been on hold for 3 hours",
              "and the app won't let me rebook", "stuck at the airport with my kids", "missing my sister's wedding now",
              "and nobody at the desk can help", "customer service line just hangs up"]),
    "report": (["flight canceled again", "they scrapped our flight", "our departure was cancelled",
                "cancellation number two this week", "my return flight is cancelled", "got stranded by a cancellation"],
               ["and the next seat is on thursday", "the refund form keeps erroring",
                "line at the service desk is 200 people long", "zero communication from the crew",
                "we slept in the terminal", "and now I lose a day of work", "no one answers the chat",
                "and you want to charge me to change"]),
}
OPENERS = ["@brand ", "hey @brand ", "@brand seriously? ", ""]
ENDINGS = ["", ".", "!!", " ridiculous", " 😡", " #fail", " unacceptable", " never again"]


def airline_pool(split: str) -> list[tuple[str, str]]:
    """(author, text) of customer tweets to airlines whose author hashes into this half (as ``load_background``)."""
    import csv

    with TWCS.open(newline="", encoding="utf-8") as handle:
        rows = [(r["author_id"], r["text"]) for r in csv.DictReader(handle) if r["inbound"] == "True"
                and any(f"@{a}" in r["text"].lower() for a in AIRLINES)]
    want = 0 if split == "tune" else 1
    return [(a, t) for a, t in rows if zlib.crc32(a.encode()) % 2 == want]


def _rate(t: float, per_day: float) -> float:
    """The background's mentions per 5 minutes at ``t`` (the daily cycle of ``synthetic_spreads.background``)."""
    hour = (t - START) % 86400 / 3600
    return per_day / 288 * (1 + 0.6 * math.sin((hour - 9) / 24 * 2 * math.pi))


def mockery(rng: random.Random, split: str, tag: str) -> tuple[float, float, Raw]:
    """(onset, end, [(time, author, text, index of the post it reposts or None)]): one joke, 100-200 people, 3-5 h."""
    onset = START + 86400 + rng.uniform(10, 16) * 3600
    people, hours = rng.randint(100, 200), rng.uniform(3, 5)
    times = sorted(onset + hours * 3600 * (0.0 if k == 0 else rng.betavariate(1.5, 3)) for k in range(people))
    posts: Raw = []
    for k, ts in enumerate(times):
        roll = rng.random()
        if k > 0 and roll < 0.25:  # a retweet of an earlier post
            up = rng.randrange(k)
            posts.append((ts, f"{tag}-m{k}", f"RT @{posts[up][1]}: {posts[up][2]}", up))
            continue
        text = rng.choice(JOKES[split]) + rng.choice(JOKE_TAILS)
        posts.append((ts, f"{tag}-m{k}", text, None))
    return onset, times[-1], posts


def complaints(rng: random.Random, split: str, tag: str, onset: float, ramp_h: float, hold_h: float,
               extra: float, per_day: float, neg_share: float) -> tuple[float, float, Raw]:
    """Cancellation complaints at ``extra`` times the background's negative rate: a linear ramp over ``ramp_h``,
    held ``hold_h``, down over an hour; each post a new person."""
    subjects, details = CANCEL[split]
    end, t = onset + (ramp_h + hold_h + 1) * 3600, onset
    posts: Raw = []
    while t < end:
        h = (t - onset) / 3600
        level = min(h / ramp_h, 1.0) if h < ramp_h + hold_h else max(0.0, 1.0 - (h - ramp_h - hold_h))
        for _ in range(_poisson(rng, _rate(t, per_day) * neg_share * extra * level)):
            text = (rng.choice(OPENERS) + rng.choice(subjects) + (", " if rng.random() < 0.5 else " ")
                    + rng.choice(details) + rng.choice(ENDINGS))
            posts.append((t + rng.uniform(0, 300), f"{tag}-{len(posts)}", text, None))
        t += 300
    return onset, end, posts


def episodes(rng: random.Random, split: str, tag: str, per_day: float, neg_share: float
             ) -> dict[str, tuple[float, float, Raw]]:
    wave_ramp = rng.uniform(24, 36)
    return {
        "mockery": mockery(rng, split, f"{tag}-joke"),
        "wave": complaints(rng, split, f"{tag}-wave", START + 2 * 86400 + rng.uniform(0, 8) * 3600, wave_ramp, 0.0,
                           rng.uniform(1, 3), per_day, neg_share),
        "surge": complaints(rng, split, f"{tag}-surge", START + 5 * 86400 + rng.uniform(4, 8) * 3600, 1.0, 23.0,
                            rng.uniform(1, 2), per_day, neg_share),
    }


def as_posts(raw: Raw, name: str, scores: dict[str, tuple[float, bool]], rng: random.Random) -> list[Post]:
    """Posts with refs ``{name}-{index}``; a repost's ``story_key`` is the ref of the post it reposts."""
    out = []
    for k, (ts, author, text, parent) in enumerate(raw):
        p, neg = scores[text]
        key = f"{name}-{parent}" if parent is not None else None
        out.append(Post(ts, author, text, p, neg, f"{name}-{k}", key, int(rng.lognormvariate(5.5, 1.5))))
    return out


def judge(spans: dict[str, tuple[float, float, list[Post]]], pages: list[tuple[float, str, tuple[str, ...]]]
          ) -> dict[str, Any]:
    owner = {p.ref: name for name, (_, _, posts) in spans.items() for p in posts}
    got: dict[str, list[tuple[float, str]]] = {name: [] for name in spans}
    false = 0
    for ts, kind, refs in pages:
        votes = [owner[r] for r in refs if r in owner]
        name = Counter(votes).most_common(1)[0][0] if votes and 2 * len(votes) >= len(refs) else None
        if name is None and kind == "spike":
            name = next((n for n, (a, b, _) in spans.items() if a <= ts <= b + SLACK_S), None)
        if name is None:
            false += 1
        else:
            got[name].append((ts, kind.removesuffix("-mocking")))
    rows = {name: {"paged": bool(got[name]), "pages": len(got[name]),
                   "kinds": sorted({k for _, k in got[name]}),
                   "delay_h": round((got[name][0][0] - spans[name][0]) / 3600, 2) if got[name] else None,
                   "people": len({p.author for p in spans[name][2]}),
                   "scored_negative": round(sum(p.negative for p in spans[name][2]) / len(spans[name][2]), 2)}
            for name in spans}
    return {"episodes": rows, "false": false}


def week(seed: int, split: str, pool: list[tuple[str, str, float, bool]], per_day: float, cfg: BrandConfig,
         spike_only: bool = False) -> dict[str, Any]:
    rng = random.Random(f"airline-{split}-{seed}")
    base = background(pool, rng, 7, per_day, f"w{seed}")
    neg_share = sum(p.negative for p in base) / len(base)
    raw = episodes(rng, split, f"w{seed}", per_day, neg_share)
    scores = sentiment(sorted({text for _, _, posts in raw.values() for _, _, text, _ in posts}), "bundled")
    spans = {name: (a, b, as_posts(posts, f"w{seed}-{name}", scores, rng)) for name, (a, b, posts) in raw.items()}
    injected = [p for _, _, posts in spans.values() for p in posts]
    vectors = embeddings(sorted({p.text for p in base + injected}))
    if spike_only:  # no story ever pages: what the volume channel catches on its own
        cfg = replace(cfg, stories=replace(cfg.stories, min_authors=1e9))
    quiet, _, _ = replay(base, cfg, 300.0, vectors)
    pages, _, _ = replay(base + injected, cfg, 300.0, vectors)
    if spike_only:  # the volume channel alone: story pages are left out of every count
        quiet, pages = [p for p in quiet if p[1] == "spike"], [p for p in pages if p[1] == "spike"]
    verdict = judge(spans, pages)
    return {"seed": seed, "background_negative_share": round(neg_share, 3), "quiet_false_pages": len(quiet),
            "quiet_false_kinds": sorted({k for _, k, _ in quiet}), "episode_week_false_pages": verdict["false"],
            **verdict["episodes"]}


def summarise(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in EPISODES:
        rows = [w[name] for w in weeks]
        hit = [r for r in rows if r["paged"]]
        out[name] = {"paged": f"{len(hit)}/{len(rows)}",
                     "paged_by_spike": sum("spike" in r["kinds"] for r in rows),
                     "median_delay_h": round(statistics.median(r["delay_h"] for r in hit), 2) if hit else None,
                     "pages_per_paged_week": round(sum(r["pages"] for r in hit) / len(hit), 2) if hit else None,
                     "median_people": statistics.median(r["people"] for r in rows),
                     "share_scored_negative": round(statistics.mean(r["scored_negative"] for r in rows), 2)}
    out["quiet_false_pages_per_week"] = round(statistics.mean(w["quiet_false_pages"] for w in weeks), 3)
    out["episode_week_false_pages_per_week"] = round(statistics.mean(w["episode_week_false_pages"] for w in weeks), 3)
    return out


def config(knobs: dict[str, Any]) -> BrandConfig:
    cfg = BrandConfig.for_sensitivity("default")
    series: dict[str, Any] = {k: tuple(v) if k == "windows" else v for k, v in knobs.get("series", {}).items()}
    cfg = replace(cfg, **knobs.get("brand", {}))
    return replace(cfg, series=replace(cfg.series, **series), stories=replace(cfg.stories, **knobs.get("stories", {})),
                   wave=replace(cfg.wave, **knobs.get("wave", {})))


def reshare(pool: list[tuple[str, str, float, bool]], share: float) -> list[tuple[str, str, float, bool]]:
    """The pool with some of its negative or other tweets left out (a fixed draw) so ``share`` of it is negative."""
    neg, other = [p for p in pool if p[3]], [p for p in pool if not p[3]]
    rng = random.Random("reshare")
    if len(neg) / len(pool) < share:
        other = rng.sample(other, round(len(neg) * (1 - share) / share))
    else:
        neg = rng.sample(neg, round(len(other) * share / (1 - share)))
    return neg + other


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A busy airline's week with a mockery story, a slow wave, a surge")
    parser.add_argument("--split", choices=["tune", "report"], default="report")
    parser.add_argument("--weeks", type=int, default=6, help="scenario weeks (seeds)")
    parser.add_argument("--first-seed", type=int, default=1, help="seeds from here (report: plus 100); 7: fresh weeks")
    parser.add_argument("--per-day", type=float, default=600.0, help="background mentions a day")
    parser.add_argument("--knobs", nargs="*", default=["{}"],
                        help='JSON per candidate, e.g. \'{"series": {"windows": [1, 6, 36, 144]}}\'; {}: defaults')
    parser.add_argument("--detail", action="store_true", help="print every week's rows")
    parser.add_argument("--negative-share", type=float, default=None,
                        help="resample the background to this share scored negative (e.g. 0.8: a customer-care handle)")
    parser.add_argument("--spike-only", action="store_true",
                        help="no story pages (threshold out of reach): what the volume channel catches on its own")
    args = parser.parse_args(argv)
    raw = airline_pool(args.split)
    scores = sentiment([t for _, t in raw], "bundled")
    pool = [(a, t, *scores[t]) for a, t in raw]
    if args.negative_share is not None:
        pool = reshare(pool, args.negative_share)
    seeds = [s + (0 if args.split == "tune" else 100) for s in range(args.first_seed, args.first_seed + args.weeks)]
    result: dict[str, Any] = {"split": args.split, "weeks": args.weeks, "per_day": args.per_day,
                              "negative_share": round(sum(p[3] for p in pool) / len(pool), 3),
                              "airline_tweets_in_half": len(raw), "candidates": []}
    for text in args.knobs:
        knobs = json.loads(text)
        weeks = [week(seed, args.split, pool, args.per_day, config(knobs), args.spike_only) for seed in seeds]
        result["candidates"].append({"knobs": knobs, **summarise(weeks), **({"weeks": weeks} if args.detail else {})})
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
