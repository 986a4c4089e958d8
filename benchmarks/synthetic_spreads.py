"""Synthetic spreads in real complaint text: do stories page early, and does quiet text stay quiet?  Prints JSON.

Background: two weeks per scenario of real customer tweets (../shared/data/twcs-sample, ~300 a day with a
daily cycle, sentiment from the bundled model, scored once and cached under runs/cache). Stories: Hawkes-like
cascades of one grievance in several wordings, retweets and quotes (30 % of own wordings sarcastic, scored
not negative; a new wording replies to the post that set it off, ``--links none`` leaves those links out),
one every ~28 h after the first day, in turn: fast, slow, started by a big account (400k followers, dozens of
retweets), fizzle (dies at 2..6 people: must never page). Quiet scenarios: the same
background without stories.

Judged by mention ids: a page (a new spike or story finding) belongs to the story most of its example ids
come from; a page with none is false. Reported per split: recall per shape (stories reaching 20 people),
delay from the first post and from the 10th person, false pages per brand-week on quiet scenarios and in
story scenarios, fizzle pages, duplicate pages per story, other (per-person) findings per week.

Splits never share text, people, grievances or seeds: ``tune`` (author half 0, grievance set A, seeds
1..N) and ``report`` (author half 1, grievance set B, seeds 101..). Tune on ``--split tune``; report ``report``.
``--budget 2`` applies the pipeline's weekly page budget to the pages (``budget_emulation.py``; ``--bar 0``: the
old rule that held every page below critical once the budget was spent).
Usage: ``nice python benchmarks/synthetic_spreads.py --split report [--scenarios 4] [--days 14] [--budget 2]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.budget_emulation import Budget  # noqa: E402
from benchmarks.paraphrases import PARAPHRASES  # noqa: E402
from benchmarks.spread_text import (  # noqa: E402
    FAMILIES,
    Cascade,
    Post,
    embeddings,
    load_background,
    make_cascade,
    sentiment,
)
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402
from monitor.settings.sections import DetectionSettings  # noqa: E402

START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
SHAPES = ("fast", "slow", "big", "fizzle")
PAGES = ("spike", "story")
WAVE: list[bool | None] = [None]  # --wave on / off: the slow-wave test, else the default


def background(pool: list[tuple[str, str, float, bool]], rng: random.Random, days: int, per_day: float,
               tag: str) -> list[Post]:
    """Real tweets drawn at ~per_day with a daily cycle; each keeps its real author."""
    posts, t, seq = [], START, 0
    while t < START + days * 86400:
        hour = (t - START) % 86400 / 3600
        rate = per_day / 288 * (1 + 0.6 * math.sin((hour - 9) / 24 * 2 * math.pi))
        for _ in range(_poisson(rng, rate)):
            author, text, p, neg = rng.choice(pool)
            seq += 1
            posts.append(Post(t + rng.uniform(0, 300), f"bg-{author}", text, p, neg, f"{tag}-bg{seq}",
                              None, int(rng.lognormvariate(5.5, 1.5))))
        t += 300
    return posts


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def stories(rng: random.Random, days: int, split: str, tag: str, every_h: float,
            wordings: str = "families") -> list[Cascade]:
    out, t, k = [], START + 86400, 0
    told = (PARAPHRASES if wordings == "paraphrases" else FAMILIES)[split]
    families = rng.sample(told, len(told))  # a grievance comes back a week later at most
    while t < START + (days - 0.5) * 86400:
        family = families[k % len(families)]
        out.append(make_cascade(SHAPES[k % 4], t + rng.uniform(0, 3600), rng, family, f"{tag}-c{k}"))
        t += every_h * 3600
        k += 1
    return out


NEGATIVE_ONLY = False  # --vectors-for negative: only posts the model scores negative carry a vector
REPLIES = True  # --links none: the posts' reply links are left out (quotes and reposts keep their story_key)
LINKED = "reply_to" in {f.name for f in dataclasses.fields(Observation)}  # False: the code before replies were read


def replay(posts: list[Post], cfg: BrandConfig, step_s: float, vectors: dict[str, bytes] | None = None,
           budget: Budget | None = None) -> tuple[list[tuple[float, str, tuple[str, ...]]], dict[str, int], float]:
    """Feed the detector every step; returns (time, kind, refs) of each page, other findings, CPU seconds.

    With a ``budget``, a page is each incident's first page under the pipeline's page budget (held pages
    go out when later news about their incident passes it); without, every new spike or story finding."""
    posts = sorted(posts, key=lambda p: p.ts)
    det, pages, others, j = BrandDetector(cfg), [], dict[str, int](), 0
    began, t = time.process_time(), START + step_s
    while j < len(posts):
        batch = []
        while j < len(posts) and posts[j].ts <= t:
            p = posts[j]
            links: dict[str, Any] = {"reply_to": p.reply_to} if LINKED and REPLIES else {}
            batch.append(Observation(datetime.fromtimestamp(p.ts, UTC), p.author, p.p_negative, p.negative, p.text,
                                     p.followers, p.story_key, p.ref, post_id=p.ref,
                                     embedding=vectors.get(p.text) if vectors and (p.negative or not NEGATIVE_ONLY)
                                     else None, **links))
            j += 1
        for f in det.run(batch, datetime.fromtimestamp(t, UTC)):
            if budget is not None and f.kind in PAGES:
                if budget.offer(t, f.key, f.severity, f.counts, f.refs):
                    pages.append((t, f.kind, f.refs))
            elif f.kind in PAGES and not f.escalation:
                low = f.kind == "story" and f.counts["weighted"] < 0.6 * f.counts["authors"]
                pages.append((t, f.kind + ("-mocking" if low else ""), f.refs))
            elif f.kind not in PAGES and not f.escalation:
                others[f.kind] = others.get(f.kind, 0) + 1
        t += step_s
    return pages, others, time.process_time() - began


def judge(cascades: list[Cascade], pages: list[tuple[float, str, tuple[str, ...]]]) -> dict[str, Any]:
    owner = {p.ref: i for i, c in enumerate(cascades) for p in c.posts}
    first: dict[int, tuple[float, str]] = {}
    false, fizzle, dupes = 0, 0, {"spike": 0, "story": 0}
    for ts, kind, refs in pages:
        votes = [owner[r] for r in refs if r in owner]
        if not votes:
            false += 1
            continue
        i = max(set(votes), key=votes.count)
        if cascades[i].shape == "fizzle":
            fizzle += 1
        elif i in first:
            dupes[kind.removesuffix("-mocking")] += 1
        else:
            first[i] = (ts, kind)
    rows = []
    for i, c in enumerate(cascades):
        hit, tenth = first.get(i), c.person_time(10)
        rows.append({"shape": c.shape, "people": c.people, "detected": hit is not None,
                     "by": hit[1].removesuffix("-mocking") if hit else None,
                     "mocking": bool(hit and hit[1].endswith("-mocking")),
                     "delay_first_min": round((hit[0] - c.onset) / 60, 1) if hit else None,
                     "delay_10th_min": round((hit[0] - tenth) / 60, 1) if hit and tenth else None})
    return {"rows": rows, "false": false, "duplicates": dupes, "fizzle_pages": fizzle}


def run_split(split: str, scenarios: int, days: int, per_day: float, step_s: float, model: str,
              sensitivity: str, wordings: str = "families", use_vectors: bool = False,
              story_knobs: dict[str, Any] | None = None, budget: tuple[float, int] | None = None) -> dict[str, Any]:
    raw = load_background(split)
    scores = sentiment([t for _, t in raw], model)
    pool = [(a, t, *scores[t]) for a, t in raw]
    cfg = BrandConfig.for_sensitivity(sensitivity)
    cfg = replace(cfg, stories=replace(cfg.stories, **(story_knobs or {})))
    cfg = replace(cfg, wave=replace(cfg.wave, enabled=WAVE[0])) if WAVE[0] is not None else cfg
    seeds = [s + (0 if split == "tune" else 100) for s in range(1, scenarios + 1)]
    rows, quiet_false, story_false, fizz, others, mentions, cpu = [], 0, 0, 0, dict[str, int](), 0, 0.0
    dupes, held = {"spike": 0, "story": 0}, 0
    for seed in seeds:
        rng = random.Random(f"{split}-{seed}")
        base = background(pool, rng, days, per_day, f"s{seed}")
        cascades = stories(rng, days, split, f"s{seed}", 28.0, wordings)
        injected = [p for c in cascades for p in c.posts]
        vectors = embeddings(sorted({p.text for p in base + injected})) if use_vectors else None
        quiet_budget = Budget(*budget) if budget else None
        pages, other, secs = replay(base, cfg, step_s, vectors, quiet_budget)
        quiet_false += len(pages)
        for kind, n in other.items():
            others[kind] = others.get(kind, 0) + n
        story_budget = Budget(*budget) if budget else None
        pages, _, secs2 = replay(base + injected, cfg, step_s, vectors, story_budget)
        held += story_budget.held if story_budget else 0
        verdict = judge(cascades, pages)
        rows += verdict["rows"]
        story_false += int(verdict["false"])
        for kind, n in verdict["duplicates"].items():
            dupes[kind] += n
        fizz += int(verdict["fizzle_pages"])
        mentions += 2 * len(base) + len(injected)
        cpu += secs + secs2
    result = summarise(split, rows, quiet_false, story_false, dupes, fizz, others, scenarios * days / 7,
                       mentions, cpu)
    budgeted = {"pages_per_week": budget[0], "budget_exempt_people": budget[1], "held_in_story_scenarios": held
                } if budget else {}
    return {"wordings": wordings, "sentence_vectors": use_vectors, **(story_knobs or {}), **budgeted, **result}


def summarise(split: str, rows: list[dict[str, Any]], quiet_false: int, story_false: int, dupes: dict[str, int],
              fizz: int, others: dict[str, int], weeks: float, mentions: int, cpu: float) -> dict[str, Any]:
    def med(values: list[float]) -> float | None:
        return round(statistics.median(values), 1) if values else None

    shapes = {}
    for shape in SHAPES:
        mine = [r for r in rows if r["shape"] == shape and (shape == "fizzle" or int(r["people"]) >= 20)]
        found = [r for r in mine if r["detected"]]
        shapes[shape] = {"stories": len(mine), "paged": len(found),
                         "recall": round(len(found) / len(mine), 3) if mine and shape != "fizzle" else None,
                         "median_delay_first_min": med([float(r["delay_first_min"]) for r in found]),
                         "median_delay_10th_min": med([float(r["delay_10th_min"]) for r in found
                                                       if r["delay_10th_min"] is not None])}
    spread = [r for r in rows if r["shape"] != "fizzle" and r["detected"] and int(r["people"]) >= 20]
    return {"split": split, "scenarios_weeks": round(weeks, 2), "by_shape": shapes,
            "median_delay_first_min": med([float(r["delay_first_min"]) for r in spread]),
            "median_delay_10th_min": med([float(r["delay_10th_min"]) for r in spread
                                          if r["delay_10th_min"] is not None]),
            "quiet_false_pages_per_brand_week": round(quiet_false / weeks, 3),
            "story_scenario_false_pages_per_brand_week": round(story_false / weeks, 3),
            "paged_with_mean_weight_below_0_6": sum(bool(r["mocking"]) for r in spread),
            "fizzle_pages": fizz, "extra_pages_per_story_by_kind": dupes,
            "per_person_findings_per_week_quiet": {k: round(v / weeks, 1) for k, v in sorted(others.items())},
            "detector_mentions_per_cpu_s": round(mentions / cpu) if cpu else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthetic spreads in real complaint text")
    parser.add_argument("--split", choices=["tune", "report"], default="report")
    parser.add_argument("--scenarios", type=int, default=4, help="two-week brand scenarios (seeds)")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--per-day", type=float, default=300.0)
    parser.add_argument("--step-s", type=float, default=300.0, help="how often detection runs")
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--sensitivity", default="default", choices=["low", "default", "high"])
    parser.add_argument("--wordings", default="families", choices=["families", "paraphrases"],
                        help="paraphrases: each story in 8 wordings sharing few words (benchmarks/paraphrases.py)")
    parser.add_argument("--vectors", action="store_true", help="give the detector each post's sentence vector")
    parser.add_argument("--vectors-for", choices=["all", "negative"], default="all",
                        help="with --vectors: every post's vector, or only those of posts scored negative")
    parser.add_argument("--embed-similarity", type=float, help="override StoryConfig.embed_similarity")
    parser.add_argument("--embed-variant", type=float, help="override StoryConfig.embed_variant")
    parser.add_argument("--embed-merge", type=float, help="override StoryConfig.embed_merge")
    parser.add_argument("--merge-growth", type=float, help="override StoryConfig.merge_growth (0: off)")
    parser.add_argument("--embed-words", action="store_true", help="with vectors, still join by rare words")
    parser.add_argument("--links", choices=["thread", "none"], default="thread",
                        help="thread: a cascade's new wordings reply to the post that set them off (as recorded)")
    parser.add_argument("--wave", choices=["on", "off"], help="the slow-wave test (detection/wave.py) on or off")
    parser.add_argument("--budget", type=float, help="apply the pipeline's page budget: pages per brand-week")
    parser.add_argument("--bar", type=int, default=DetectionSettings().budget_exempt_people,
                        help="with --budget: people past which a page ignores it (0: the old rule, severity only)")
    args = parser.parse_args(argv)
    WAVE[0] = None if args.wave is None else args.wave == "on"
    globals()["NEGATIVE_ONLY"] = args.vectors_for == "negative"
    globals()["REPLIES"] = args.links == "thread"
    knobs: dict[str, Any] = {"embed_similarity": args.embed_similarity} if args.embed_similarity else {}
    knobs |= {"embed_words": True} if args.embed_words else {}
    knobs |= {"embed_variant": args.embed_variant} if args.embed_variant else {}
    knobs |= {"embed_merge": args.embed_merge} if args.embed_merge else {}
    knobs |= {"merge_growth": args.merge_growth} if args.merge_growth is not None else {}
    print(json.dumps(run_split(args.split, args.scenarios, args.days, args.per_day, args.step_s, args.model,
                               args.sensitivity, args.wordings, args.vectors, knobs,
                               (args.budget, args.bar) if args.budget is not None else None), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
