"""One event, one incident: do the incident layer's joins keep one grievance together and two apart?  JSON.

Pairs of fast cascades as in ``story_merge.py`` (two start within ten minutes on one brand): one grievance
told twice by different people in disjoint wordings should make ONE paged incident; two different grievances
should make two (one incident holding both is a false join). Each pair is replayed through the brand detector
(with sentence vectors), and every finding it makes (spike, story, per-person) goes through the real incident
layer (``monitor.detection.incidents.apply_finding``, SQLite in memory, mentions with their stored vectors and
complaint signals; the cascades' "@brand" is the brand's handle, as its own words never join). Reported per
``--similarity`` (``detection.join_similarity``; 1.01 = vectors not used).

Links (``--links``): ``retold`` (default): each post records the post it replies to, quotes or reposts (its
parent in its cascade), and a grievance's second telling starts by quoting or replying to a post of the first
(``RETOLD_QUOTE`` of them quote; a retelling in its own words, as people answer a complaint they saw); two
different grievances never link. ``thread``: links inside each cascade only. ``none``: no link recorded but the
quotes' and reposts' ``story_key`` (the benchmark before links were recorded).

    nice python benchmarks/incident_join.py --split tune --detector-words-only --similarity 1.01 0.8 0.75 0.7 0.65
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, SQLModel, create_engine, select  # noqa: E402

from benchmarks.paraphrases import PARAPHRASES  # noqa: E402
from benchmarks.spread_text import FAMILIES, Cascade, Post, embeddings, make_cascade  # noqa: E402
from benchmarks.synthetic_spreads import START  # noqa: E402
from models.signals import extract_signals  # noqa: E402
from monitor.detection import joining, warmup  # noqa: E402
from monitor.detection.brand_detector import BrandConfig, BrandDetector, Observation  # noqa: E402
from monitor.detection.incidents import apply_finding  # noqa: E402
from monitor.settings import Settings  # noqa: E402
from monitor.storage.tables import Incident, Mention  # noqa: E402

RETOLD_QUOTE = 0.5  # share of second tellings that quote the first (the rest reply to it)
LINKED = "reply_to" in {f.name for f in dataclasses.fields(Observation)}  # False: the code before links


class _Settings(Settings):
    toml_path: ClassVar[Path | None] = None


def settings_for(similarity: float) -> Settings:
    sections: dict[str, Any] = {"brands": [{"id": "acme", "name": "Acme", "handles": ["@brand"]}], "channels": [],
                                "sources": [], "model": {"sentiment": "lexicon"},
                                "detection": {"join_similarity": similarity}}
    return _Settings(**sections)


STORY_KNOBS: dict[str, Any] = {}  # --embed-merge: StoryConfig overrides for the detector


def findings(posts: list[Post], vectors: dict[str, bytes], step_s: float = 60.0) -> list[tuple[float, Any]]:
    """(time, detector finding) of every finding the brand detector makes on these posts, escalations included.

    With ``vectors`` empty the detector joins stories by words only (the mentions still store their vectors)."""
    posts = sorted(posts, key=lambda p: p.ts)
    cfg = BrandConfig.for_sensitivity("default")
    cfg = replace(cfg, stories=replace(cfg.stories, **STORY_KNOBS)) if STORY_KNOBS else cfg
    det, out, j, t = BrandDetector(cfg), [], 0, START + step_s
    while j < len(posts):
        batch = []
        while j < len(posts) and posts[j].ts <= t:
            p = posts[j]
            links: dict[str, Any] = {"reply_to": p.reply_to} if LINKED else {}
            batch.append(Observation(datetime.fromtimestamp(p.ts, UTC), p.author, p.p_negative, p.negative, p.text,
                                     p.followers, p.story_key, p.ref, post_id=p.ref, embedding=vectors.get(p.text),
                                     **links))
            j += 1
        out += [(t, f) for f in det.run(batch, datetime.fromtimestamp(t, UTC))]
        t += step_s
    return out


def incidents_of(cascades: list[Cascade], vectors: dict[str, bytes], found: list[tuple[float, Any]],
                 signals: dict[str, Any], settings: Settings, why: Counter[str], spikes: bool = True) -> list[set[int]]:
    """For each paged incident, which cascades' findings it holds; ``why`` counts the join reasons."""
    posts = [p for c in cascades for p in c.posts]
    owner = {p.ref: i for i, c in enumerate(cascades) for p in c.posts}
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    brand = settings.brands[0]
    with Session(engine) as session:
        ids: dict[str, int] = {}
        for p in posts:
            row = Mention(brand_id="acme", source_id="s", platform="x", external_id=p.ref, author_id=p.author,
                          author_handle=p.author, author_followers=p.followers, text=p.text,
                          sentiment="negative" if p.negative else "neutral", p_negative=p.p_negative,
                          posted_at=datetime.fromtimestamp(p.ts, UTC), ingested_at=datetime.fromtimestamp(p.ts, UTC),
                          signals=signals[p.text], embedding=vectors.get(p.text), parent_id=p.reply_to,
                          quoted_id=None if p.text.startswith("RT @") else p.story_key,
                          reposted_id=p.story_key if p.text.startswith("RT @") else None)
            session.add(row)
            session.flush()
            ids[p.ref] = row.id or 0
        votes: dict[str, Counter[int]] = {}
        for t, f in found:
            if not spikes and f.kind == "spike":
                continue
            mine = replace(warmup.translate("acme", f, {}), mention_ids=[ids[r] for r in f.refs if r in ids])
            votes.setdefault(mine.key, Counter()).update(owner[r] for r in f.refs if r in owner)
            now = datetime.fromtimestamp(t, UTC)
            ev = joining.evidence(session, brand, mine, now)
            incident, reason = joining.find_incident(session, "acme", mine, ev, now, settings.detection.join_minutes,
                                                     settings.detection.join_similarity)
            why[reason or "new incident"] += 1
            if incident is not None and reason == joining.BY_VECTORS:  # right when it joins its own grievance
                theirs = {votes[k].most_common(1)[0][0] for k in _keys(incident) if votes.get(k)}
                ours = Counter(owner[r] for r in f.refs if r in owner).most_common(1)
                own = bool(ours) and ours[0][0] in theirs
                why["vector joins own telling" if own else "vector joins the other telling"] += 1
            apply_finding(session, settings, brand, mine, now)
        return [{votes[k].most_common(1)[0][0] for k in _keys(incident) if votes.get(k)}
                for incident in session.exec(select(Incident)).all() if incident.status != "watch"]


def _keys(incident: Incident) -> set[str]:
    return {incident.key, *((incident.details or {}).get("join", {}).get("keys", []))}


def linked(one: Cascade, two: Cascade, links: str, seed: str) -> tuple[Cascade, Cascade]:
    """The cascades with the links ``--links`` asks for (``retold``: the second's first post answers the first).

    Drawn from their own random stream, so the cascades' text and timing are those of every other setting."""
    if links == "none":
        return tuple(Cascade(c.shape, c.onset, [replace(p, reply_to=None) for p in c.posts])  # type: ignore[return-value]
                     for c in (one, two))
    if links == "retold":
        rng = random.Random(f"{seed}-link")
        root = two.posts[0]
        target = rng.choice([p for p in one.posts if p.ts <= root.ts] or one.posts[:1])
        quote = rng.random() < RETOLD_QUOTE
        root = replace(root, story_key=target.ref if quote else None, reply_to=None if quote else target.ref)
        two = Cascade(two.shape, two.onset, [root, *two.posts[1:]])
    return one, two


def pair(first: list[str], second: list[str], seed: str, sims: list[float], opts: dict[str, Any],
         why: dict[float, Counter[str]], same: bool = False) -> dict[float, list[set[int]]]:
    rng = random.Random(seed)
    tag = "".join(c for c in seed if not c.isalpha())  # no shared word ("tune") in every retweet's @author
    one = make_cascade("fast", START + 3600, rng, first, f"{tag}-1")
    two = make_cascade("fast", START + 3600 + rng.uniform(0, 600), rng, second, f"{tag}-2")
    one, two = linked(one, two, opts["links"] if same or opts["links"] == "none" else "thread", seed)
    texts = sorted({p.text for p in one.posts + two.posts})
    vectors, signals = embeddings(texts), {t: extract_signals(t, None).to_json() for t in texts}
    found = findings(one.posts + two.posts, vectors if opts["detector_vectors"] else {})
    return {s: incidents_of([one, two], vectors, found, signals, settings_for(s), why.setdefault(s, Counter()),
                            opts["spikes"]) for s in sims}


def run(split: str, sims: list[float], opts: dict[str, Any]) -> dict[str, Any]:
    families = PARAPHRASES[split] + FAMILIES[split]
    why_same: dict[float, Counter[str]] = {}
    why_different: dict[float, Counter[str]] = {}
    same = [pair(f[: len(f) // 2 or 1], f[len(f) // 2:] or f, f"{split}-same-{i}", sims, opts, why_same, True)
            for i, f in enumerate(families)]
    different = [pair(a, b, f"{split}-{i}-{j}", sims, opts, why_different)
                 for (i, a), (j, b) in itertools.combinations(enumerate(families), 2)]
    out: dict[str, Any] = {"split": split, **opts, "same_pairs": len(same),
                           "different_pairs": len(different)}
    for s in sims:
        counts = [len(r[s]) for r in same]
        seen = [r[s] for r in different if {0, 1} <= set().union(*r[s])]  # both grievances paged
        out[f"join_similarity_{s:g}"] = {
            "same_grievance_incidents_per_event_mean": round(sum(counts) / len(counts), 3),
            "same_grievance_exactly_one": round(sum(n == 1 for n in counts) / len(counts), 3),
            "same_grievance_extra_pages": sum(max(0, n - 1) for n in counts),
            "same_grievance_not_paged": sum(n == 0 for n in counts),
            "different_pairs_both_paged": len(seen),
            "different_false_joins": sum(any(len(i) == 2 for i in r) for r in seen),
            "different_false_join_rate": round(sum(any(len(i) == 2 for i in r) for r in seen) / max(1, len(seen)), 3),
            "findings_by_join_reason_same": dict(why_same[s].most_common()),
            "findings_by_join_reason_different": dict(why_different[s].most_common())}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tune", "report"], default="report")
    parser.add_argument("--similarity", type=float, nargs="+", default=[1.01, 0.8],
                        help="detection.join_similarity values (1.01: vectors not used)")
    parser.add_argument("--detector-words-only", action="store_true",
                        help="the detector joins stories by words only, so only the incident layer can use vectors")
    parser.add_argument("--without-spikes", action="store_true",
                        help="leave spike findings out (a brand-wide spike joins every complaint of its hour)")
    parser.add_argument("--links", choices=["retold", "thread", "none"], default="retold",
                        help="reply/quote links recorded (retold: a second telling answers the first)")
    parser.add_argument("--embed-merge", type=float, help="override StoryConfig.embed_merge in the detector")
    parser.add_argument("--merge-growth", type=float, help="override StoryConfig.merge_growth in the detector")
    args = parser.parse_args(argv)
    if args.embed_merge is not None:
        STORY_KNOBS["embed_merge"] = args.embed_merge
    if args.merge_growth is not None:
        STORY_KNOBS["merge_growth"] = args.merge_growth
    opts = {"detector_vectors": not args.detector_words_only, "spikes": not args.without_spikes,
            "links": args.links, "code_reads_links": LINKED}
    print(json.dumps(run(args.split, args.similarity, opts), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
