"""The complaint-domain evaluation set: labels in the repo, twcs text joined from ../shared at run time.

``benchmarks/data/complaints/labels.csv`` holds ids and labels only for the customer-support tweets of
``../shared/data/twcs-sample`` (CC BY-NC-SA: their text never enters the repository);
``benchmarks/data/complaints/written.csv`` holds posts the project wrote itself (rare cases and 14
languages), text included.  Both record their fixed dev/test split.  ``written_tune2.csv`` is a second,
fresh tuning set of written non-English posts (split ``tune2``, issue #14), read only when asked for by name
so the dev/test figures of every other benchmark stay as they were; ``written_tune3.csv`` (split ``tune3``) is a
third, written before the lists were run on it, for new wording (sarcasm, paraphrase, bill shock, plain faults,
misdetected short posts); ``written_tune4.csv`` (split ``tune4``) a fourth, 16 languages of everyday complaint
forms and traps; ``written_check.csv`` (split ``check``) fresh posts to check the lists after tuning.
``labelling-guide.md`` says how
every label was decided.

    from benchmarks.complaint_data import load_posts
    dev = load_posts("dev")          # twcs + written, dev half
"""

from __future__ import annotations

import csv
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "benchmarks" / "data" / "complaints"
TWCS_CSV = ROOT.parent / "shared" / "data" / "twcs-sample" / "twcs_head5000.csv"
SENTIMENTS = ("negative", "neutral", "positive")
TUNE2 = "tune2"  # the fresh tuning set for the complaint keywords (written_tune2.csv)
TUNE3 = "tune3"  # the third, for new wording (written_tune3.csv)
TUNE4 = "tune4"  # the fourth, 16 languages of everyday complaint forms and traps (written_tune4.csv)
CHECK = "check"  # fresh posts for the keywords v3 lists, written after them: never tuned on (written_check.csv)
# read only when asked for by name
FRESH = {TUNE2: "written_tune2.csv", TUNE3: "written_tune3.csv", TUNE4: "written_tune4.csv", CHECK: "written_check.csv"}
CATEGORIES = ("outage", "billing", "support", "delivery", "quality", "safety", "account", "none")


@dataclass(frozen=True)
class Post:
    id: str  # "twcs:<tweet_id>" or "gs:<n>"
    text: str
    sentiment: str
    churn_threat: bool
    category: str
    language: str
    split: str  # dev | test
    source: str  # twcs | written
    note: str = ""


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def twcs_texts(path: Path = TWCS_CSV) -> dict[str, str]:
    """tweet_id -> text for the staged twcs sample; a clear error when ../shared is missing."""
    if not path.exists():
        raise SystemExit(f"twcs sample not found at {path}: the labelled tweets' text is read from "
                         "../shared/data/twcs-sample (see /work/shared/README.md); use --source written without it")
    return {row["tweet_id"]: row["text"] for row in _read(path)}


def _post(row: dict[str, str], text: str, source: str) -> Post:
    return Post(id=row["id"], text=text, sentiment=row["sentiment"], churn_threat=row["churn_threat"] == "true",
                category=row["category"], language=row["language"], split=row["split"], source=source,
                note=row.get("note", ""))


def load_posts(split: str | None = None, source: str = "all", twcs_path: Path = TWCS_CSV) -> list[Post]:
    """Labelled posts of one split ("dev"/"test"/None for both, "tune2"-"tune4", "check") and source
    (twcs/written/all)."""
    if split in FRESH:
        rows = _read(DATA_DIR / FRESH[split]) if source in ("all", "written") else []
        return [_post(row, row["text"], "written") for row in rows]
    posts: list[Post] = []
    if source in ("all", "twcs"):
        texts = twcs_texts(twcs_path)
        for row in _read(DATA_DIR / "labels.csv"):
            posts.append(_post(row, texts[row["id"].removeprefix("twcs:")], "twcs"))
    if source in ("all", "written") and (DATA_DIR / "written.csv").exists():
        posts += [_post(row, row["text"], "written") for row in _read(DATA_DIR / "written.csv")]
    return [p for p in posts if split is None or p.split == split]


TWEETEVAL_DIR = ROOT.parent / "shared" / "data" / "tweeteval-sentiment"
_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def general_tweets(half: int, folder: Path = TWEETEVAL_DIR) -> list[str]:
    """General tweets (TweetEval train + val texts, ``\\u002c`` escapes undone), one half by a CRC-32 of the text:
    half 0 teaches the churn classifier what ordinary tweets look like ("off to London tomorrow", "I'm done with
    SATs"), half 1 stays out of training to count its false alarms.  Almost none is a threat to leave a brand."""
    if not (folder / "train_text.txt").exists():
        raise SystemExit(f"TweetEval not found at {folder}: the churn classifier's general tweets are read from "
                         "../shared/data/tweeteval-sentiment (see /work/shared/README.md)")
    texts = []
    for name in ("train_text.txt", "val_text.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), line).strip()
            if text and zlib.crc32(text.encode("utf-8")) % 2 == half:
                texts.append(text)
    return texts
