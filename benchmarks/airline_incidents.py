"""The airline weeks of ``airline_episodes.py`` through the whole pipeline: incidents and pages per episode.  JSON.

Why (issue #12: one real-world event, one incident): ``airline_episodes.py`` counts the detector's findings; what
people hear is the incident layer's alerts. Here the same weeks (the same seeds, background, mockery, wave and
surge posts) are written as a mentions file and replayed by ``run_backtest`` (what ``groundswell backtest`` runs:
the service's scoring, detection, incident and alerting code on a simulated clock; sentiment and sentence vectors
from the bundled models, cached beside the file under runs/airline_incidents). Each incident is credited to the
episode most of its example mentions belong to, or, for a spike, to the episode during which it opened (onset to
3 h after its end); other incidents are false. A page is an incident's first paged alert (or a big customer who
joined: ``joined``); the rest of its paged alerts are updates in its thread. Quiet weeks: the same backgrounds.

Old vs new: run it once on each checkout (the code imported is the one on ``PYTHONPATH``, else this one's):

    cd /work/wt-base && PYTHONPATH=. nice python /path/to/benchmarks/airline_incidents.py --split tune --weeks 6
    PYTHONPATH=. nice python benchmarks/airline_incidents.py --split tune --weeks 6 [--spike-only] [--detail]

``--joke-during-surge`` moves the mockery into the surge (an unrelated story in the same hours: it must keep its own
incident); ``weeks_taking_in_another_episode`` counts weeks where an episode's incident holds 3 or more people of
another (the harness's wave and surge tell the same cancellations, so a surge taking in the wave's old story is one
grievance). Measured 2026-12-08, old (main) -> new (``wave_thread.py``: a paged wave's incident stays open while the
brand is elevated; a story retelling it joins it), incidents per week / pages per paged week / weeks with one incident:

    tune (seeds 1-6)       mockery          wave                       surge                         quiet pages
    stories on             1.17/1.17/5 both 2.33/2.0/2 both            2.5/2.5/1 -> 1/1.17/6         0.17 both
    --spike-only           0 both           1.33/1.2/3 -> 1.17/1.4/4   1/1.17/6 both                 0.17 both
    --joke-during-surge    0.83/1.0/5 both  2.33/2.17/2 both           2.17/2.33/2 -> 1/1.17/6       0.17 both
    report (fresh seeds 107-112, --first-seed 7; read once, then once more after the key fix below)
    stories on             2.5/2.5/1 both   2.17/1.67/1 -> 2.0/1.5/2   2.33/1.67/0 -> 1.67/1.17/3    0 both
                                                                       (after the key fix 1.5/1.17/4)
    --spike-only           0.17/1.0/1 both  1.0/1.2/4 -> 0.83/1.2/5    1.5/1.33/4 both (fix: same)   0 both

The one page more on tune --spike-only (wave 1.2 -> 1.4 pages) is a big customer of the wave itself who posted a
churn threat while its incident was kept open: a ``joined`` update, a page under the budget rules (before, their
threat went to the watch list once the incident had resolved). The key fix: an incident keeps 50 keys, and a day of
churn threats taken in pushed the wave's own key out, so a later story retelling it found no incident (report week
110); one person's key now goes first (``wave_incident.kept_keys``); tune unchanged by it.

Thread home (``monitor/detection/thread_home.py``, measured 2026-12-08, old (main) -> new, the same columns): a
churn threat or other individual trigger from someone who told an open wave or is among an open story's people joins
that incident (a big customer's still told once, as ``joined``; the rest counted into its next update), and a wave
whose complaints a story that is still open told first joins the story's incident.

    tune (seeds 1-6)       wave                        surge                 quiet pages
    stories on             2.33/2.0/2 -> 1.83/1.83/4   1/1.17/6 both         0.17 both
    --spike-only           1.17/1.4/4 -> 1/1.6/4       1/1.17/6 both         0.17 both
    --joke-during-surge    2.33/2.17/2 -> 1.83/2.0/4   1/1.17/6 both         0.17 both (mockery 0.83/1.0/5 both)
    report (fresh seeds 301-306, --first-seed 201; read once)
    stories on             1.67/1.67/4 -> 1.5/1.5/5    1.5/1.0/3 -> 1.33/1.2/4   0 both (mockery 2/2.0/2 both)
    --spike-only           1.33/1.5/4 -> 1.17/1.5/5    1.33/1.2/4 -> 1.17/1.4/5  0 both

Pages per paged week go up where a big customer (12-18 k followers, over ``churn_page_followers``) of the wave or
surge threatened to leave while its incident was open (tune week 1, report week 306): before, their threat opened
an incident of its own that the page budget held (no page); now it is a ``joined`` update in the wave's thread, and
``alerting._joined_pages`` lets a big customer joining an incident past the page bar through whatever the budget.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[1]))  # appended: a PYTHONPATH checkout comes first

from sqlmodel import Session, create_engine, select  # noqa: E402

from benchmarks import airline_episodes as ae  # noqa: E402
from benchmarks.spread_text import Post, sentiment  # noqa: E402
from benchmarks.synthetic_spreads import background  # noqa: E402
from monitor.clock import as_utc  # noqa: E402
from monitor.replay.backtest import backtest_settings, run_backtest  # noqa: E402
from monitor.storage.tables import Alert, Incident, Mention  # noqa: E402

WORK = Path(__file__).resolve().parents[1] / "runs" / "airline_incidents"


def week_posts(seed: int, split: str, pool: list[tuple[str, str, float, bool]], per_day: float
               ) -> tuple[list[Post], dict[str, tuple[float, float, list[Post]]]]:
    """The background and the episodes of ``airline_episodes.week`` for this seed (the same draws)."""
    rng = random.Random(f"airline-{split}-{seed}")
    base = background(pool, rng, 7, per_day, f"w{seed}")
    neg_share = sum(p.negative for p in base) / len(base)
    raw = ae.episodes(rng, split, f"w{seed}", per_day, neg_share)
    scores = sentiment(sorted({text for _, _, posts in raw.values() for _, _, text, _ in posts}), "bundled")
    return base, {name: (a, b, ae.as_posts(posts, f"w{seed}-{name}", scores, rng))
                  for name, (a, b, posts) in raw.items()}


def write_rows(path: Path, posts: list[Post]) -> None:
    rows = [{"id": p.ref, "text": p.text, "author_id": p.author, "author_followers": p.followers,
             "posted_at": datetime.fromtimestamp(p.ts, UTC).isoformat(), **({"reposted_id": p.story_key}
                                                                            if p.story_key else {})}
            for p in sorted(posts, key=lambda p: (p.ts, p.ref))]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def replay(path: Path, spike_only: bool) -> list[dict[str, Any]]:
    """Every incident of the replay: trigger, facets, opened, resolved and how, example ids, its alerts."""
    with tempfile.TemporaryDirectory(prefix="gs-airline-inc-") as tmp:
        settings = backtest_settings(Path(tmp), path, "bundled", "default", "adaptive")
        if spike_only:  # no story pages on its own (its threshold out of reach): what volume alone gives
            settings.brands[0].story_min_people = 1e9
        run_backtest(settings, Path(tmp) / "timeline.jsonl", input_file=path)
        engine = create_engine(settings.database_url())
        with Session(engine) as session:
            external = dict(session.exec(select(Mention.id, Mention.external_id)).all())
            alerts = session.exec(select(Alert)).all()
            out = [{"id": i.id, "trigger": i.trigger, "facets": sorted(i.facets or {}), "status": i.status,
                    "opened": as_utc(i.opened_at).timestamp(), "resolved_by": i.resolved_by,
                    "resolved": as_utc(i.resolved_at).timestamp() if i.resolved_at else None,
                    "examples": [external[m] for m in i.example_mention_ids or [] if m in external],
                    "people": [p.split(":", 1)[-1] for p in (i.details or {}).get("join", {}).get("people", [])],
                    "alerts": sorted((as_utc(a.created_at).timestamp(), a.event, a.paged, a.id or 0)
                                     for a in alerts if a.incident_id == i.id)}
                   for i in session.exec(select(Incident)).all()]
        engine.dispose()
    return out


def credit(spans: dict[str, tuple[float, float, list[Post]]], incidents: list[dict[str, Any]]) -> dict[str, Any]:
    """Incidents, pages and thread updates per episode; incidents and pages of none (false)."""
    owner = {p.ref: name for name, (_, _, posts) in spans.items() for p in posts}
    author = {p.author: name for name, (_, _, posts) in spans.items() for p in posts}
    rows: dict[str, dict[str, Any]] = {n: {"incidents": 0, "pages": 0, "updates": 0, "first_page_h": None,
                                           "facets": [], "resolved_quiet_while_on": 0, "took_in": []} for n in spans}
    false = {"incidents": 0, "pages": 0}
    for inc in (i for i in incidents if i["alerts"]):  # a watch-list entry that never paged is no incident told
        votes = [owner[r] for r in inc["examples"] if r in owner]
        name = Counter(votes).most_common(1)[0][0] if votes and 2 * len(votes) >= len(inc["examples"]) else None
        if name is None and "spike" in [inc["trigger"], *inc["facets"]]:
            name = next((n for n, (a, b, _) in spans.items() if a <= inc["opened"] <= b + ae.SLACK_S), None)
        paged = [a for a in inc["alerts"] if a[2]]
        firsts = [a for a in paged if a == paged[0] or a[1] == "joined"]
        if name is None:
            false["incidents"] += 1
            false["pages"] += len(firsts)
            continue
        row, onset, end = rows[name], spans[name][0], spans[name][1]
        row["incidents"] += 1
        row["pages"] += len(firsts)
        row["updates"] += len(paged) - len(firsts)
        row["facets"] = sorted(set(row["facets"]) | {inc["trigger"], *inc["facets"]})
        others = Counter(author[p] for p in inc["people"] if author.get(p, name) != name)  # another episode's people
        row["took_in"] = sorted(set(row["took_in"]) | {n for n, k in others.items() if k >= 3})
        if firsts:
            delay = round((firsts[0][0] - onset) / 3600, 2)
            row["first_page_h"] = delay if row["first_page_h"] is None else min(row["first_page_h"], delay)
        row["resolved_quiet_while_on"] += bool(inc["resolved"] and inc["resolved"] < end
                                               and "quiet" in (inc["resolved_by"] or ""))
    return {"episodes": rows, "false": false}


def week(seed: int, split: str, pool: list[tuple[str, str, float, bool]], per_day: float,
         spike_only: bool) -> dict[str, Any]:
    base, spans = week_posts(seed, split, pool, per_day)
    folder = WORK / f"{split}-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    quiet_file, episode_file = folder / "quiet.jsonl", folder / "episodes.jsonl"
    write_rows(quiet_file, base)
    write_rows(episode_file, base + [p for _, _, posts in spans.values() for p in posts])
    quiet = credit({}, replay(quiet_file, spike_only))["false"]
    verdict = credit(spans, replay(episode_file, spike_only))
    return {"seed": seed, "quiet_false_incidents": quiet["incidents"], "quiet_false_pages": quiet["pages"],
            "episode_week_false_pages": verdict["false"]["pages"], **verdict["episodes"]}


def summarise(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ae.EPISODES:
        rows = [w[name] for w in weeks]
        hit = [r for r in rows if r["pages"]]
        out[name] = {"paged": f"{len(hit)}/{len(rows)}",
                     "incidents_per_week": round(statistics.mean(r["incidents"] for r in rows), 2),
                     "pages_per_paged_week": round(sum(r["pages"] for r in hit) / len(hit), 2) if hit else None,
                     "updates_per_paged_week": round(sum(r["updates"] for r in hit) / len(hit), 2) if hit else None,
                     "median_first_page_h": round(statistics.median(r["first_page_h"] for r in hit), 2)
                     if hit else None,
                     "weeks_one_incident": sum(r["incidents"] == 1 for r in rows),
                     "resolved_quiet_while_on": sum(r["resolved_quiet_while_on"] for r in rows),
                     "weeks_taking_in_another_episode": sum(bool(r["took_in"]) for r in rows)}
    for key in ("quiet_false_pages", "quiet_false_incidents", "episode_week_false_pages"):
        out[f"{key}_per_week"] = round(statistics.mean(w[key] for w in weeks), 3)
    return out


def _later(mockery: Any) -> Any:
    """``airline_episodes.mockery`` moved into the surge (day 5, 6-12 h after its onset): unrelated, same hours."""
    def moved(rng: random.Random, split: str, tag: str) -> tuple[float, float, ae.Raw]:
        onset, end, posts = mockery(rng, split, tag)
        shift = 4 * 86400 + 5 * 3600
        return onset + shift, end + shift, [(t + shift, a, x, p) for t, a, x, p in posts]
    return moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="airline_episodes.py's weeks through the whole pipeline: "
                                                 "incidents and pages per episode")
    parser.add_argument("--split", choices=["tune", "report"], default="report")
    parser.add_argument("--weeks", type=int, default=6, help="scenario weeks (seeds)")
    parser.add_argument("--first-seed", type=int, default=1, help="seeds from here (report: plus 100)")
    parser.add_argument("--per-day", type=float, default=600.0, help="background mentions a day")
    parser.add_argument("--spike-only", action="store_true", help="no story pages on its own (threshold out of reach)")
    parser.add_argument("--detail", action="store_true", help="print every week's rows")
    parser.add_argument("--joke-during-surge", action="store_true",
                        help="the mockery told 4 days 5 h later, during the surge: it must stay an incident of its own")
    args = parser.parse_args(argv)
    if args.weeks < 1 or args.per_day <= 0:
        parser.error("--weeks must be at least 1 and --per-day above 0")
    raw = ae.airline_pool(args.split)
    scores = sentiment([t for _, t in raw], "bundled")
    pool = [(a, t, *scores[t]) for a, t in raw]
    seeds = [s + (0 if args.split == "tune" else 100) for s in range(args.first_seed, args.first_seed + args.weeks)]
    if args.joke_during_surge:
        ae.mockery = _later(ae.mockery)
    weeks = [week(seed, args.split, pool, args.per_day, args.spike_only) for seed in seeds]
    code = str(Path(sys.modules["monitor"].__file__ or "").resolve().parents[1])
    print(json.dumps({"split": args.split, "seeds": seeds, "spike_only": args.spike_only, "code": code,
                      "joke_during_surge": args.joke_during_surge,
                      **summarise(weeks), **({"weeks": weeks} if args.detail else {})}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
