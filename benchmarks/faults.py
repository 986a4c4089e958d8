"""Issue 13's targets at full scale, with real parts, counted: database flaps, kill -9s, hostile inputs.

    nice python benchmarks/faults.py                      # a quick run (small scale, ~5 minutes)
    nice python benchmarks/faults.py --flaps 40 --flap-seconds 120 --outage 60 --kills 20 \\
        --files 30 --configs 30                           # the issue's targets

(1) PostgreSQL behind a cuttable TCP proxy: ``--flaps`` cuts over ``--flap-seconds``, then one
``--outage`` s cut, while high-reach complaints flow into a real `groundswell run` with a webhook and a
Slack stand-in; counts mentions/incidents/alerts lost and incidents/deliveries doubled.
(2) ``--kills`` kill -9s of the real service, aimed in turn at polling, scoring, detection, delivery.
(3) ``--files`` hostile replay files and ``--configs`` bad configurations, each through real
processes: handled (one clear line, right exit code) or a traceback / hang / wrong code.
``--only`` picks parts.  Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.faults_configs import CASES as CONFIG_CASES  # noqa: E402
from benchmarks.faults_configs import run_configs  # noqa: E402
from benchmarks.faults_files import CASES as FILE_CASES  # noqa: E402
from benchmarks.faults_files import run_files  # noqa: E402
from benchmarks.faults_flap import run_flaps  # noqa: E402
from benchmarks.faults_kill import run_kills  # noqa: E402

PARTS = ("flaps", "kills", "files", "configs")


def timed(part: Any) -> dict[str, Any]:
    began = time.monotonic()
    result: dict[str, Any] = part()
    return {**result, "wall_s": round(time.monotonic() - began, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {PARTS}")
    parser.add_argument("--flaps", type=int, default=8, help="short database cuts (issue: 40)")
    parser.add_argument("--flap-seconds", type=float, default=24, help="over this many seconds (issue: 120)")
    parser.add_argument("--outage", type=float, default=8, help="then one cut this long, s (issue: 60)")
    parser.add_argument("--keep-schema", action="store_true", help="keep the flap run's PostgreSQL schema to inspect")
    parser.add_argument("--post-every", type=float, default=1.0, help="seconds between complaints")
    parser.add_argument("--kills", type=int, default=4, help="kill -9s, over the four stages (issue: 20)")
    parser.add_argument("--rows", type=int, default=200, help="rows per replay source in the kill run")
    parser.add_argument("--files", type=int, default=len(FILE_CASES) + 1, help="hostile files (max, issue: 30)")
    parser.add_argument("--configs", type=int, default=len(CONFIG_CASES), help="bad configurations (issue: 30)")
    parser.add_argument("--timeout", type=float, default=120, help="a command that runs longer counts as a hang")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="gs-faults-"))
    report: dict[str, Any] = {"workdir": str(workdir)}
    if "flaps" in parts:
        report["flaps"] = timed(lambda: run_flaps(args.flaps, args.flap_seconds, args.outage, args.post_every,
                                                  workdir, args.keep_schema))
    if "kills" in parts:
        report["kills"] = timed(lambda: run_kills(args.kills, args.rows, workdir))
    if "files" in parts:
        report["files"] = timed(lambda: run_files(workdir / "files", args.files, args.timeout))
    if "configs" in parts:
        report["configs"] = timed(lambda: run_configs(workdir / "configs", args.configs, args.timeout, 20))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
