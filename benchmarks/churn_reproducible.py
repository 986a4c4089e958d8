"""Does re-training the churn classifier reproduce the shipped weights?  Needs the twcs sample in ../shared.

    python benchmarks/churn_reproducible.py

Prints JSON: {"reproduced": true|false, ...}.  Not a test: the suite must pass without ../shared/data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.churn import ARTIFACT  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "twcs-sample" / "twcs_head5000.csv"


def main() -> None:
    if not SAMPLE.exists():
        print(json.dumps({"reproduced": None, "error": f"{SAMPLE} not found: the training set needs it"}))
        raise SystemExit(2)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "churn.json"
        done = subprocess.run([sys.executable, "-m", "models.train.train_churn", "--out", str(out)], cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            print(json.dumps({"reproduced": False, "error": done.stderr.strip().splitlines()[-1:]}))
            raise SystemExit(1)
        same = json.loads(out.read_text())["weights"] == json.loads(ARTIFACT.read_text())["weights"]
    print(json.dumps({"reproduced": same, "artifact": str(ARTIFACT.relative_to(ROOT))}))


if __name__ == "__main__":
    main()
