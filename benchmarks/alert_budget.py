"""Alert budget: pages per brand per week (every trigger counted) and incidents per injected outage.

Three replays through the whole pipeline (poll, score, detect, record alerts) on a simulated clock:

* ``demo``: the bundled demo week; its day-6 evening outage must be ONE incident.
* ``twcs_quiet``: real customer-support tweets (../shared/data/twcs-sample, Kaggle twcs head, internal
  evaluation only) replayed as one brand's mentions, the support accounts' answers as the brand's replies.
  Tuning half: the first half of the time span; report half: the second (the first half is also the
  report half's history). Pages are counted by the half they fall in.
* ``twcs_outages``: the same background with outages injected into the report half (one per week): a
  spreading complaint told in several wordings by 60-120 people over about two hours. Each outage must
  be one incident (counted: incidents, paged or watched, that hold any injected mention or author).
  On days 5 and 11 a *story* is injected too: one grievance (benchmarks/spread_text.py, a slow Hawkes-like
  cascade of wordings, retweets and quotes reaching 20+ people over hours, too slow to move the volume)
  that must page once, as one incident with a story facet.
* ``budget_spent``: five days of the report half's background; two such stories spend the week's two pages,
  then on each of three days 30, 50 and 75 people tell a new grievance within an hour: each must page.

A page is the first paged alert of an incident, or a big customer who joined an open incident (``joined``,
also counted in ``joined_pages``); updates in its thread (escalated, updated, resolved, unacknowledged) are
reported separately, as are posts (outbox rows: one per alert and channel). Two
channels: "comms" (everything) and "ops" (``triggers = ["spike"]``) show that routing sees every facet.

Usage: ``nice python benchmarks/alert_budget.py [--model bundled] [--step-min 10] [--seed 3]``; prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, col, select  # noqa: E402

from benchmarks.spread_text import FAMILIES, make_cascade  # noqa: E402
from monitor.clock import ManualClock, as_utc  # noqa: E402
from monitor.pipeline import poll_source, run_detection, score_pending  # noqa: E402
from monitor.replay.demo import demo_settings, run_demo  # noqa: E402
from monitor.replay.demo_data import OUTAGE, START, TOWNS  # noqa: E402
from monitor.runtime import Runtime  # noqa: E402
from monitor.settings import Settings  # noqa: E402
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem  # noqa: E402

TWCS = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs-sample" / "twcs_head5000.csv"
SPAN = (datetime(2017, 10, 30, tzinfo=UTC), datetime(2017, 11, 27, tzinfo=UTC))
CHANNELS: list[dict[str, Any]] = [{"id": "comms", "kind": "console"},
                                  {"id": "ops", "kind": "console", "triggers": ["spike"]}]
NEW_WORDINGS = ["Cannot get online at all, {town} has been offline for two hours, Acme please fix this",
                "Acme network outage again?? zero signal here in {town}",
                "Anyone else's Acme connection dead tonight? {town} here, nothing works"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def twcs_rows() -> list[dict[str, Any]]:
    """Customer tweets as mentions, support answers as brand replies, inside the contiguous span; each
    tweet carries its conversation (the root of its reply chain), as X's conversation_id does."""
    rows: list[dict[str, Any]] = []
    parent_of: dict[str, str] = {}
    with TWCS.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            parent = (record.get("in_response_to_tweet_id") or "").split(".")[0]
            parent_of[record["tweet_id"]] = parent
            try:
                when = datetime.strptime(record["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
            except (ValueError, TypeError):
                continue
            if not SPAN[0] <= when < SPAN[1] or not record.get("text"):
                continue
            rows.append({"id": f"t{record['tweet_id']}", "author_id": record["author_id"],
                         "text": record["text"], "posted_at": when.isoformat(),
                         "is_brand_reply": record["inbound"] != "True", "parent_id": f"t{parent}" if parent else None})
    for row in rows:
        root, seen = str(row["id"])[1:], set()
        while parent_of.get(root) and root not in seen:
            seen.add(root)
            root = parent_of[root]
        row["conversation_id"] = f"c{root}"
    return sorted(rows, key=lambda r: r["posted_at"])


def outage_rows(onset: datetime, rng: random.Random, number: int) -> list[dict[str, Any]]:
    """A cascade: slow start, fast middle, several wordings, new people only."""
    people = rng.randint(60, 120)
    wordings = [w.replace("Brightwave", "Acme").replace("@brightwave", "@acme") for w in OUTAGE] + NEW_WORDINGS
    minute, rows = 0.0, []
    for index in range(people):
        minute += rng.expovariate(0.2 + index / 25)
        text = rng.choice(wordings).format(town=rng.choice(TOWNS))
        rows.append({"id": f"out{number}-{index}", "author_id": f"o{number}x{index}", "text": text,
                     "posted_at": (onset + timedelta(minutes=minute)).isoformat(),
                     "author_followers": int(rng.lognormvariate(5, 1.3))})
    return rows


def story_rows(onset: datetime, rng: random.Random, number: int) -> list[dict[str, Any]]:
    """A slow story: one grievance told by new people, retweeted and quoted (quotes and retweets carry the key)."""
    cascade = make_cascade("slow", onset.timestamp(), rng, FAMILIES["report"][number], f"story{number}")
    rows = []
    for post in cascade.posts:
        retweet = post.text.startswith("RT @")
        rows.append({"id": post.ref, "author_id": post.author, "text": post.text.replace("@brand", "@acme"),
                     "posted_at": datetime.fromtimestamp(post.ts, UTC).isoformat(),
                     "author_followers": post.followers, "quoted_id": None if retweet else post.story_key,
                     "reposted_id": post.story_key if retweet else None})
    return rows


def burst_rows(onset: datetime, rng: random.Random, people: int, number: int) -> list[dict[str, Any]]:
    """A real story arriving within the hour: ``people`` new people tell one grievance, evenly over 60 min."""
    family = FAMILIES["report"][2 + number]
    return [{"id": f"burst{number}-{i}", "author_id": f"burst{number}x{i}", "text": rng.choice(
             ["@acme ", "hey @acme ", ""]) + rng.choice(family) + rng.choice(["", "!!", " smh"]),
             "posted_at": (onset + timedelta(minutes=m)).isoformat(), "author_followers": int(
             rng.lognormvariate(5.5, 1.5))} for i, m in enumerate(sorted(60 * rng.random() for _ in range(people)))]


def settings_for(folder: Path, path: Path, model: str) -> Settings:
    cls = type("BenchSettings", (Settings,), {"toml_path": None})
    return cls(app={"data_dir": folder}, model={"sentiment": model},  # type: ignore[no-any-return]
               database={"url": f"sqlite:///{folder / 'bench.db'}"},
               brands=[{"id": "acme", "name": "Acme", "names": ["Acme"], "handles": ["@acme"]}],
               sources=[{"id": "f", "kind": "replay", "brand": "acme", "path": str(path), "limit": 5000}],
               channels=CHANNELS)


def replay(rows: list[dict[str, Any]], model: str, step: timedelta) -> tuple[Settings, Runtime]:
    folder = Path(tempfile.mkdtemp(prefix="gs-budget-"))
    path = folder / "mentions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = settings_for(folder, path, model)
    from monitor.detection.warmup import forget_detectors

    forget_detectors()
    start = datetime.fromisoformat(rows[0]["posted_at"]).replace(second=0, microsecond=0)
    end = datetime.fromisoformat(rows[-1]["posted_at"]) + timedelta(hours=4)
    clock = ManualClock(start)
    runtime = Runtime(settings, clock=clock)
    connector = runtime.connector("f")
    while clock() <= end:
        now = clock()
        poll_source(runtime.engine, settings, connector, now=now)
        score_pending(runtime.engine, settings, runtime.model, now=now, limit=5000)
        run_detection(runtime.engine, settings, now=now)
        clock.advance(step)
    return settings, runtime


def alert_counts(session: Session, since: datetime, until: datetime) -> dict[str, Any]:
    alerts = session.exec(select(Alert, Incident).join(Incident, col(Incident.id) == Alert.incident_id)).all()
    first: dict[int, tuple[Alert, Incident]] = {}
    for alert, incident in sorted(alerts, key=lambda pair: pair[0].id or 0):
        if alert.paged and incident.id not in first:
            first[incident.id or 0] = (alert, incident)
    inside = [(a, i) for a, i in first.values() if since <= as_utc(a.created_at) < until]
    # a big customer who joined an open incident is a page of its own (issue #12), counted like a first page
    joined = [(a, i) for a, i in alerts if a.paged and a.event == "joined" and since <= as_utc(a.created_at) < until]
    inside += [(a, i) for a, i in joined if first[i.id or 0][0].id != a.id]
    weeks = (until - since) / timedelta(days=7)
    updates = [a for a, _ in alerts if a.paged and since <= as_utc(a.created_at) < until and a.event != "joined" and
               (a.incident_id not in first or first[a.incident_id][0].id != a.id)]
    held = [a for a, _ in alerts if not a.paged and a.event == "opened" and since <= as_utc(a.created_at) < until]
    watched = session.exec(select(Incident).where(Incident.opened_at >= since, Incident.opened_at < until)).all()
    posts = session.exec(select(OutboxItem, Alert).join(Alert, col(Alert.id) == OutboxItem.alert_id)).all()
    return {"weeks": round(weeks, 2), "pages": len(inside),
            "pages_per_brand_week": round(len(inside) / weeks, 3) if weeks else None,
            "pages_by_trigger": dict(Counter(i.trigger for _, i in inside)), "joined_pages": len(joined),
            "thread_updates": len(updates), "held_for_digest_by_budget": len(held),
            "watch_list": sum(1 for i in watched if "opened:" not in ",".join((i.details or {}).get("told", []))),
            "posts": sum(1 for _, a in posts if since <= as_utc(a.created_at) < until)}


def outage_incidents(session: Session, ids: set[str], authors: set[str]) -> dict[str, Any]:
    mention_ids = set(session.exec(select(Mention.id).where(col(Mention.external_id).in_(ids))).all())
    hit = []
    for incident in session.exec(select(Incident)):
        join = (incident.details or {}).get("join", {})
        people = set(join.get("people", [])) | set(join.get("spike_people", []))  # a spike's crowd: kept apart
        if mention_ids & set(incident.example_mention_ids or []) or people & authors:
            hit.append(incident)
    routed = session.exec(select(OutboxItem.channel_id).join(Alert, col(Alert.id) == OutboxItem.alert_id).where(
        col(Alert.incident_id).in_([i.id for i in hit] or [-1]))).all()
    return {"people": len(authors), "incidents": len(hit),
            "facets": sorted({f for i in hit for f in [i.trigger, *(i.facets or {})]}),
            "posts_by_channel": dict(Counter(routed)),
            "paged_events": sorted(a.event for a in session.exec(select(Alert).where(
                col(Alert.incident_id).in_([i.id for i in hit] or [-1]), Alert.paged == True)))}  # noqa: E712


def demo(model: str) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="gs-budget-demo-"))
    with contextlib.redirect_stdout(io.StringIO()):  # the demo's console channel prints its alerts
        result = run_demo(demo_settings(folder, model, [dict(CHANNELS[1])]))
    engine = Runtime(demo_settings(folder, model, [dict(CHANNELS[1])])).engine
    with Session(engine) as session:
        counts = alert_counts(session, START, START + timedelta(days=7))
        evening = START + timedelta(days=5, hours=18)
        ids = {r for r in session.exec(select(Mention.external_id).where(
            Mention.posted_at >= evening, Mention.posted_at < evening + timedelta(hours=4),
            Mention.sentiment == "negative", col(Mention.author_id).startswith("cust"))).all()}
        authors = {f"x:{a}" for a in session.exec(select(Mention.author_id).where(
            col(Mention.external_id).in_(ids))).all()}
        return {**counts, "outage": outage_incidents(session, ids, authors), "changes": len(result.changes)}


def twcs(model: str, step: timedelta, seed: int, inject: bool) -> dict[str, Any]:
    rows, rng = twcs_rows(), random.Random(seed)
    middle = SPAN[0] + (SPAN[1] - SPAN[0]) / 2
    outages: list[list[dict[str, Any]]] = []
    stories: list[list[dict[str, Any]]] = []
    if inject:
        for week in range(2):
            onset = middle + timedelta(days=2 + 7 * week, hours=rng.randint(8, 20))
            outages.append(outage_rows(onset, rng, week))
            story_onset = middle + timedelta(days=5 + 6 * week, hours=rng.randint(8, 14))
            stories.append(story_rows(story_onset, rng, week))
        rows = sorted(rows + [r for o in outages + stories for r in o], key=lambda r: r["posted_at"])
    settings, runtime = replay(rows, model, step)
    with Session(runtime.engine) as session:
        out: dict[str, Any] = {"mentions": len(rows), "tune_half": alert_counts(session, SPAN[0], middle),
                               "report_half": alert_counts(session, middle, SPAN[1])}
        if inject:
            out["outages"], out["stories"] = ([outage_incidents(session, {r["id"] for r in o},
                                                                {f"replay:{r['author_id']}" for r in o})
                                               for o in group] for group in (outages, stories))
    return out


def budget_spent(model: str, step: timedelta, seed: int) -> dict[str, Any]:
    """Two stories spend the week's two pages; then on each of three days 30, 50 and 75 people tell a new
    grievance within an hour. Report-half background (two days of history first); each must page."""
    rng, start = random.Random(seed), SPAN[0] + (SPAN[1] - SPAN[0]) / 2
    background = [r for r in twcs_rows() if start - timedelta(days=2) <= datetime.fromisoformat(r["posted_at"])
                  < start + timedelta(days=5)]
    small = [story_rows(start + timedelta(hours=h), rng, n) for n, h in ((0, 2), (1, 12))]
    big = [burst_rows(start + timedelta(days=1 + n, hours=14), rng, people, n) for n, people in enumerate((30, 50, 75))]
    rows = sorted(background + [r for group in [*small, *big] for r in group], key=lambda r: r["posted_at"])
    _, runtime = replay(rows, model, step)
    with Session(runtime.engine) as session:
        spent = [outage_incidents(session, {r["id"] for r in g},
                                  {f"replay:{r['author_id']}" for r in g})["paged_events"] for g in small]
        return {"budget_spent_by": spent, "big_stories": [_big_story(session, g) for g in big]}


def _big_story(session: Session, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Did it page, how long after its 10th person, and how many of its alerts the budget held."""
    ids = set(session.exec(select(Mention.id).where(col(Mention.external_id).in_([r["id"] for r in rows]))).all())
    hit = [i.id for i in session.exec(select(Incident)) if ids & set(i.example_mention_ids or [])] or [-1]
    alerts = session.exec(select(Alert).where(col(Alert.incident_id).in_(hit)).order_by(col(Alert.created_at))).all()
    first = next((a for a in alerts if a.paged), None)
    tenth = datetime.fromisoformat(rows[9]["posted_at"])
    return {"people": len(rows), "incidents": len([i for i in hit if i > 0]), "paged": first is not None,
            "first_page_min_after_10th_person": round((as_utc(first.created_at) - tenth) / timedelta(minutes=1), 1)
            if first else None, "held_alerts": sum(1 for a in alerts if not a.paged),
            "first_page": (first.summary or "")[:160] if first else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--step-min", type=int, default=10)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--only", choices=["demo", "twcs_quiet", "twcs_outages", "budget_spent"], default=None)
    args = parser.parse_args()
    step = timedelta(minutes=args.step_min)
    report: dict[str, Any] = {"model": args.model, "step_min": args.step_min, "seed": args.seed}
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "demo": lambda: demo(args.model), "twcs_quiet": lambda: twcs(args.model, step, args.seed, False),
        "twcs_outages": lambda: twcs(args.model, step, args.seed, True),
        "budget_spent": lambda: budget_spent(args.model, step, args.seed)}
    for name, job in jobs.items():
        if args.only and name != args.only:
            continue
        wall, cpu = time.perf_counter(), _cpu()
        report[name] = job()
        report[name]["wall_s"], report[name]["cpu_s"] = round(time.perf_counter() - wall, 1), round(_cpu() - cpu, 1)
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
