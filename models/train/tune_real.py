"""Draw ``tune_real``: real customer tweets for the churn classifier, none from the evaluation set (issue #14).

The written posts that version 7 mostly learned from score 0.91 / 0.89 on test, the real tweets 0.60 / 0.57, so
this set is drawn from the twcs sample only: inbound tweets aimed at a brand (see ``_brand_directed``; not an agent's
signed reply, nor a group conversation naming 5+ accounts), **not** in
``benchmarks/data/complaints/labels.csv`` (dev or test) and not written by an author who has a tweet there (the
sample keeps conversations together, and a customer's next tweet repeats their threat). Every tweet of that
pool matching a leaving-ish pattern (cancel, switch, leave, close account, done with, a second brand's handle, ...),
enriched for hard cases (45: the brief asked for half, the whole pool holds no more), plus a seeded
random draw of the other tweets up to 600.  Labels are by hand
(``data/churn_twcs_tune_real.csv``, ids + labels only); the split into a training part and a check part is a
CRC-32 of the id, fixed before anything was trained:

    python -m models.train.tune_real            # prints the drawn ids, one a line (what the label file holds)
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import zlib
from pathlib import Path

from benchmarks.complaint_data import DATA_DIR, TWCS_CSV

LABELS = Path(__file__).resolve().parent / "data" / "churn_twcs_tune_real.csv"
SEED = 20261208
SIZE = 600  # the set: every leaving-ish tweet of the pool (too few for half) plus random ones up to this size
MAX_HANDLES = 5  # a tweet naming 5+ accounts is a group conversation (the sample's mince-pie contest), not a customer
CHECK_SHARE = 40  # percent of ids (by CRC-32) kept out of training to measure on
LEAVING = re.compile(
    r"cancel|switch|\bleav|clos\w* (?:my |our |the )?acc|moving (?:to|over)|move (?:to|over)|done with|last time"
    r"|unsubscri|never\W*again|never (?:using|flying|buying|shopping|ordering|going)|elsewhere|competitor"
    r"|lost (?:a |my |your |another |\d+ )?(?:customers?|business)|won'?t be (?:using|flying|ordering|buying|back)"
    r"|not coming back|go(?:ing)? back to|port(?:ing)? (?:my|our|out)|terminat|contract|alternative|goodbye"
    r"|fed up|had enough|get rid of|delet\w* (?:my|the|your) (?:app|account)|uninstall|refund.{0,40}cancel"
    r"|stop(?:ped)? (?:using|ordering|buying|shopping|being)|look(?:ing)? (?:around|for (?:a )?(?:new|another))"
    r"|not (?:renew|be renew)|new (?:provider|carrier|bank)|ending (?:my |the )?(?:service|account)",
    re.IGNORECASE)
_HANDLE = re.compile(r"@(\w+)")
_SIGNED = re.compile(r"(?:\^[A-Z]{2,4}|\*[A-Z][A-Za-z]+)\s*$")  # a brand agent's signature: the inbound flag is wrong


def is_check(tweet_id: str) -> bool:
    """The check part: 40 % of ids by CRC-32 (the training part is the rest)."""
    return zlib.crc32(tweet_id.encode("ascii")) % 100 < CHECK_SHARE


def _rows() -> list[dict[str, str]]:
    with TWCS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def pool(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Customers' brand-directed tweets, not evaluated and not by an author of an evaluated tweet."""
    with (DATA_DIR / "labels.csv").open(encoding="utf-8", newline="") as handle:
        evaluated = {row["id"].removeprefix("twcs:") for row in csv.DictReader(handle)}
    inbound = [r for r in rows if r["inbound"] == "True"]
    authors = {r["author_id"] for r in inbound if r["tweet_id"] in evaluated}
    brands = {r["author_id"].lower() for r in rows if r["inbound"] == "False"}
    outbound = {r["tweet_id"] for r in rows if r["inbound"] == "False"}
    return [r for r in inbound if r["tweet_id"] not in evaluated and r["author_id"] not in authors
            and _brand_directed(r, brands, outbound) and not _SIGNED.search(r["text"])
            and len(_HANDLE.findall(r["text"])) < MAX_HANDLES]


def _brand_directed(row: dict[str, str], brands: set[str], outbound: set[str]) -> bool:
    """Names a brand's handle, replies to a brand's tweet, or was answered by one (customers' mentions of some
    brands are anonymised to numbers in twcs, as ``@115821``)."""
    parent = row["in_response_to_tweet_id"].removesuffix(".0")
    answers = set(row["response_tweet_id"].split(","))
    named = {h.lower() for h in _HANDLE.findall(row["text"])} & brands
    return bool(named) or parent in outbound or bool(answers & outbound)


def leaving_ish(text: str, brands: set[str]) -> bool:
    """A leaving word, or a second brand's handle beside the one addressed (a competitor)."""
    named = {h.lower() for h in _HANDLE.findall(text)} & brands
    return bool(LEAVING.search(text)) or len(named) >= 2


def draw() -> list[str]:
    """The drawn tweet ids in file order: every leaving-ish tweet of the pool plus seeded random ones."""
    rows = _rows()
    brands = {r["author_id"].lower() for r in rows if r["inbound"] == "False"}
    candidates = pool(rows)
    hard = [r["tweet_id"] for r in candidates if leaving_ish(r["text"], brands)]
    rest = sorted(r["tweet_id"] for r in candidates if r["tweet_id"] not in set(hard))
    extra = random.Random(SEED).sample(rest, max(0, min(len(rest), SIZE - len(hard))))
    chosen = set(hard) | set(extra)
    return [r["tweet_id"] for r in candidates if r["tweet_id"] in chosen]


def labelled() -> list[tuple[str, bool, bool]]:
    """(twcs id, churn threat, in the check part) for every labelled tweet of the set."""
    with LABELS.open(encoding="utf-8", newline="") as handle:
        return [(row["id"], row["churn_threat"] == "true", is_check(row["id"].removeprefix("twcs:")))
                for row in csv.DictReader(handle)]


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    for tweet_id in draw():
        print(f"twcs:{tweet_id}")


if __name__ == "__main__":
    main()
