"""Stories do not depend on Python's hash seed: a backtest gives the same incidents in every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

STREAM = '''
import json, random
from monitor.detection.stories import StoryConfig, StoryTracker
WORDS = ("order store price phone shop bill login parcel driver queue music coffee weekend manager branch city "
         "screen camera speaker ticket seat voucher points train station airport kitchen garden").split()
RARE = "router firmware warranty refund outage modem invoice password locker courier".split()
tr, rng = StoryTracker(StoryConfig(min_authors=3)), random.Random(5)
for i in range(300):  # an ordinary stream first, so the tracker knows which words are common
    tr.add(float(i), f"bg{i}", " ".join(rng.sample(WORDS, 5)) + f" item{i} thing{i}", None, 0.1)
out = []
for i in range(250):  # complaints sharing rare words in every combination: ties between stories are common
    words = rng.sample(RARE, 4) + rng.sample(WORDS, 3)
    rng.shuffle(words)
    sid = tr.add(300.0 + i * 20, f"u{i % 150}", " ".join(words), None, 0.9)
    out.append([sid, [e.story_id for e in tr.evaluate(300.0 + i * 20)]])
print(json.dumps(out))
'''


def _run(seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run([sys.executable, "-c", STREAM], env=env, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1], check=True)
    return done.stdout


def test_story_assignment_and_pages_are_the_same_whatever_the_hash_seed() -> None:
    first = _run(1)
    assert first.startswith("[[")
    assert all(_run(seed) == first for seed in (2, 3, 4))
