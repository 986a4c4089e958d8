"""Material for the synthetic spread benchmark: real complaint text, its sentiment (scored once, cached), and
Hawkes-like cascades of one grievance told in several wordings, retweets and quotes. A cascade is a tree: each
post after the first answers the post that set it off, as the platforms record it (a retweet reposts it, a quote
quotes it: ``story_key``; a new wording replies to it: ``reply_to``).

Real text: the customer tweets (``inbound``) of ../shared/data/twcs-sample, split in two halves by a hash of
the author, so tuning and reporting never share a person or a tweet. Grievances: two disjoint sets of
families (each several wordings sharing a few rare words), one for tuning, one for reporting.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import json
import math
import os
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TWCS = ROOT.parent / "shared" / "data" / "twcs-sample" / "twcs_head5000.csv"
CACHE = ROOT / "runs" / "cache"

FAMILIES = {
    "tune": [
        ["your app update wiped my saved cards and support just closed my ticket",
         "after the latest app update all my saved cards are gone, ticket closed without an answer",
         "updated the app and my saved payment cards vanished. support closed the ticket. great"],
        ["three weeks waiting for a refund and customer service keeps hanging up on me",
         "still no refund after three weeks, your agents hang up every time I call",
         "refund promised three weeks ago, called five times, hung up on every time"],
        ["the new firmware bricked my router and the store refuses to replace it",
         "firmware update last night bricked the router, store says not their problem",
         "my router is bricked since the firmware push and nobody will replace it"],
        ["parcel marked delivered but it never arrived and chat blames me",
         "tracking says delivered, no parcel anywhere, and your chat agent says it's my fault",
         "another parcel marked as delivered that never arrived. chat blamed me again"],
        ["your outage took our whole shop offline and there is still no status update",
         "outage for six hours, our shop is offline and your status page says everything is fine",
         "still offline, no status update on the outage, losing sales every hour"],
        ["charged twice for the same order and nobody answers the phone",
         "double charged for one order, phone line rings out, emails ignored",
         "you billed my card twice for a single order and the phone line is dead"],
    ],
    "report": [
        ["flight cancelled at the gate with no rebooking and no hotel voucher",
         "they cancelled our flight at the gate, no rebooking offered, no voucher, families sleeping on the floor",
         "gate agent just cancelled the flight and walked away. no hotel, no rebooking"],
        ["my subscription renewed at double the price without any warning email",
         "subscription price doubled on renewal and nobody sent a warning",
         "auto renewal at twice the price, no email, no notice. cancelling"],
        ["the recall notice came out and the dealer says parts are six months away",
         "dealer says recall parts are six months out, meanwhile the car is unsafe to drive",
         "six months wait for recall parts? the dealer told me to just not drive it"],
        ["coffee machine leaked and the warranty claim was rejected as user damage",
         "warranty claim rejected, they call a leaking coffee machine user damage",
         "my coffee machine leaks from day one and warranty says it's user damage"],
        ["the bank app locked everyone out on payday and the helpline queue is two hours",
         "locked out of the bank app on payday, helpline queue over two hours",
         "payday and the banking app locks us all out. two hour queue on the helpline"],
        ["internet down all weekend and the engineer visit keeps getting cancelled",
         "no internet since friday and they cancelled the engineer visit again",
         "third cancelled engineer visit, internet down the whole weekend"],
    ],
}
SARCASM = ["wow, love it: {}", "great job @brand 👏 {}", "thanks so much @brand, {} 🙃", "best service ever. {} lol"]
COMMENTS = ["same here", "this happened to me too", "unbelievable", "@brand fix this", "wow", "lol good luck",
            "yep, same", "this is so bad", "not again"]
SHAPES = {  # (children of the first post, branching after it, mean delay min); fizzles die at 2..6 people
    "fast": (3.0, 1.3, 6.0), "slow": (2.0, 1.15, 40.0), "big": (25.0, 0.6, 10.0), "fizzle": (1.0, 0.5, 10.0)}


@dataclass(frozen=True)
class Post:
    ts: float
    author: str
    text: str
    p_negative: float
    negative: bool
    ref: str
    story_key: str | None = None  # the post it quotes or reposts
    followers: int = 300
    reply_to: str | None = None  # the post it answers (a new wording in the thread of the post that set it off)


@dataclass
class Cascade:
    shape: str
    onset: float
    posts: list[Post] = field(default_factory=list)

    def person_time(self, k: int) -> float | None:
        """When the k-th unique person (1-based) joined."""
        seen: dict[str, float] = {}
        for post in self.posts:
            seen.setdefault(post.author, post.ts)
        times = sorted(seen.values())
        return times[k - 1] if len(times) >= k else None

    @property
    def people(self) -> int:
        return len({p.author for p in self.posts})


def load_background(half: str) -> list[tuple[str, str]]:
    """(author, text) of the customer tweets whose author hashes into this half ("tune" or "report")."""
    if not TWCS.exists():
        raise SystemExit(f"missing {TWCS}: the benchmark reads the shared twcs sample from ../shared/data")
    with TWCS.open(newline="", encoding="utf-8") as handle:
        rows = [(r["author_id"], r["text"]) for r in csv.DictReader(handle) if r["inbound"] == "True"]
    want = 0 if half == "tune" else 1
    return [(a, t) for a, t in rows if zlib.crc32(a.encode()) % 2 == want]


def sentiment(texts: list[str], model_spec: str) -> dict[str, tuple[float, bool]]:
    """p(negative) and label per text, scored once and cached under runs/cache (keyed by text hash)."""
    from models.loader import load_sentiment_model

    model = load_sentiment_model(model_spec, threads=1, batch_size=64)
    path = CACHE / f"scores-{model.name}-{model.version}.json".replace("/", "_")
    cache: dict[str, list[float]] = json.loads(path.read_text()) if path.exists() else {}
    keys = [hashlib.sha1(t.encode()).hexdigest()[:20] for t in texts]
    todo = sorted({t for t, k in zip(texts, keys, strict=True) if k not in cache})
    for start in range(0, len(todo), 64):
        chunk = todo[start:start + 64]
        for text, score in zip(chunk, model.score(chunk), strict=True):
            cache[hashlib.sha1(text.encode()).hexdigest()[:20]] = [score.p_negative, float(score.label == "negative")]
    if todo:
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(cache))
    return {t: (cache[k][0], bool(cache[k][1])) for t, k in zip(texts, keys, strict=True)}


def embeddings(texts: list[str]) -> dict[str, bytes]:
    """Sentence vector (int8 bytes, as the pipeline stores them) per text, computed once and cached under runs/cache."""
    import base64

    from models.embedding import load_embedder, pack, unit
    from models.story_input import RULE, story_input

    # GROUNDSWELL_BENCH_EMBEDDING=FOLDER: another exported encoder (a model.embedding spec), cached under its name
    model = load_embedder(os.environ.get("GROUNDSWELL_BENCH_EMBEDDING", "bundled"), threads=1)
    assert model is not None
    # GROUNDSWELL_BENCH_STORY_INPUT=frames: each text's frame left out before it is embedded (models/story_input;
    # measured there, not the pipeline's default)
    # (=blend: the mean of the whole post's vector and the frame-less one)
    mode = os.environ.get("GROUNDSWELL_BENCH_STORY_INPUT", "")
    framed = mode not in ("frames", "blend")
    rule = "" if framed else f"-{RULE}" + ("-blend" if mode == "blend" else "")
    path = CACHE / f"embed-{model.name}-{model.version}{rule}.json"
    cache: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    keys = {t: hashlib.sha1(t.encode()).hexdigest()[:20] for t in texts}
    todo = sorted({t for t, k in keys.items() if k not in cache})
    for start in range(0, len(todo), 256):
        chunk = todo[start:start + 256]
        embedded = model.embed(chunk if framed else [story_input(text) for text in chunk])
        if mode == "blend":
            embedded = unit(embedded + model.embed(chunk))
        for text, blob in zip(chunk, pack(embedded), strict=True):
            cache[keys[text]] = base64.b64encode(blob).decode()
    if todo:  # write then rename: a benchmark running beside this one never reads half a file
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache))
        tmp.replace(path)
    return {t: base64.b64decode(cache[k]) for t, k in keys.items()}


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def _times(shape: str, onset: float, rng: random.Random) -> list[tuple[float, int]]:
    """(time, parent index) of every post; the first post has parent -1."""
    first, branching, delay = SHAPES[shape]
    posts, queue, horizon = [(onset, -1)], [(onset, 0)], onset + 12 * 3600
    while queue and len(posts) < 200:
        parent_ts, parent = heapq.heappop(queue)
        for _ in range(_poisson(rng, first if parent == 0 else branching)):
            child = parent_ts + rng.expovariate(1.0 / (delay * 60))
            if child < horizon:
                posts.append((child, parent))
                heapq.heappush(queue, (child, len(posts) - 1))
    return posts


def make_cascade(shape: str, onset: float, rng: random.Random, family: list[str], tag: str) -> Cascade:
    """One story; spreading shapes are redrawn until 20+ people join, fizzles until they die at 2..6."""
    for _ in range(500):
        times = _times(shape, onset, rng)
        if (2 <= len(times) <= 6) if shape == "fizzle" else len(times) >= 20:
            break
    order = sorted(range(len(times)), key=lambda i: times[i][0])
    cas, made = Cascade(shape, onset), dict[int, Post]()
    for rank, i in enumerate(order):
        ts, parent = times[i]
        up = made.get(parent)
        author = up.author if up is not None and rng.random() < 0.05 else f"{tag}-p{rank}"
        made[i] = post = _post(shape, ts, author, up, rng, family, f"{tag}-{rank}", rank == 0)
        cas.posts.append(post)
    return cas


def _post(shape: str, ts: float, author: str, up: Post | None, rng: random.Random, family: list[str], ref: str,
          first: bool) -> Post:
    followers = 400_000 if first and shape == "big" else int(rng.lognormvariate(5.5, 1.5))
    roll = rng.random()
    if up is not None and (roll < 0.4 or (up.followers > 100_000 and roll < 0.7)):  # a retweet
        return Post(ts, author, f"RT @{up.author}: {up.text}", up.p_negative, up.negative, ref, up.ref, followers)
    if up is not None and roll < 0.6:  # a quote with a short comment
        p = rng.uniform(0.3, 0.9)
        return Post(ts, author, f"{rng.choice(COMMENTS)} @brand", p, p > 0.5, ref, up.ref, followers)
    wording = rng.choice(family)
    if rng.random() < 0.3:
        return Post(ts, author, rng.choice(SARCASM).format(wording), rng.uniform(0.1, 0.45), False, ref,
                    None, followers, up.ref if up else None)
    text = rng.choice(["@brand ", "", "hey @brand "]) + wording + rng.choice(["", " #fail", " smh", "!!", " 😡"])
    return Post(ts, author, text, rng.uniform(0.65, 0.97), True, ref, None, followers, up.ref if up else None)
