"""How fast the `groundswell` command answers (issue #17: `--help` <= 0.3 s, `run` healthy <= 5 s), as JSON.

    nice python benchmarks/command_speed.py [--repeat 5] [--model bundled] [--postgres [URL]]
    nice python benchmarks/command_speed.py --against /tmp/gs-web-bench-*/bench.db POSTGRES-URL   # incidents list
    nice python benchmarks/command_speed.py --against DB --every-kind    # ... with X, Reddit, Mastodon, Bluesky,
                                                                         # HN sources and Slack, email channels

Each figure is a fresh process of the installed ``groundswell`` script (cold: nothing imported yet), timed
from outside: wall seconds and the child's own CPU seconds (user + system, from ``wait4``), median of
``--repeat``.  Commands: ``--help``, ``check`` and ``sources`` against a settings file with one replay source
(30 posts) and a console channel; ``run``: from the start of the process to the first 200 from ``/readyz``
(database answers, scheduler up, the source polled), on a fresh database (migrations included) and on the
existing one (a restart), CPU read from ``/proc`` at that moment.  The machine is shared: compare CPU seconds.
``--against``: ``incidents list`` and ``incidents show 1`` on filled databases; ``--every-kind`` configures a
deployment's plugins as well (dummy secrets; nothing is contacted), which a read command must not import.
Measured 2026-12-07 at 1 M mentions, old and new alternated: `incidents list` 0.67 -> 0.46 CPU-s on SQLite and
0.73 -> 0.52 on PostgreSQL at load 2; with ``--every-kind`` 1.62-1.70 -> 0.52-0.54 (load 3.5); deploy/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).parent / "groundswell"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TICKS = os.sysconf("SC_CLK_TCK")


def settings_file(folder: Path, model: str, port: int, database: str) -> Path:
    """One replay source of 30 posts, a console channel, metrics (and /readyz) on ``port``."""
    posts = folder / "mentions.jsonl"
    posts.write_text("".join(json.dumps({"id": str(i), "text": f"Acme is fine {i}", "author_id": f"u{i}",
                                         "posted_at": f"2026-11-02T11:{i:02d}:00+00:00"}) + "\n" for i in range(30)))
    path = folder / "settings.toml"
    url = f'[database]\nurl = "{database}"\n' if database else ""
    path.write_text(f"""[app]
data_dir = "{folder / 'data'}"
[model]
sentiment = "{model}"
[service]
metrics_address = "127.0.0.1:{port}"
[[brands]]
id = "acme"
name = "Acme"
handles = ["@acme"]
[[sources]]
id = "file"
kind = "replay"
brand = "acme"
interval_seconds = 60
path = "{posts}"
[[channels]]
id = "ops"
kind = "console"
{url}""")
    return path


EVERY_KIND = """
[[sources]]
id = "x-acme"
kind = "x"
brand = "acme"
bearer_token = { env = "GS_BENCH_SECRET" }
[[sources]]
id = "reddit-acme"
kind = "reddit"
brand = "acme"
client_id = { env = "GS_BENCH_SECRET" }
client_secret = { env = "GS_BENCH_SECRET" }
user_agent = "linux:groundswell-bench:0.1"
subreddits = ["acme"]
[[sources]]
id = "mastodon-acme"
kind = "mastodon"
brand = "acme"
instances = [{ url = "https://mastodon.example", access_token = { env = "GS_BENCH_SECRET" } }]
[[sources]]
id = "bluesky-acme"
kind = "bluesky"
brand = "acme"
handle = "monitor.bsky.example"
app_password = { env = "GS_BENCH_SECRET" }
[[sources]]
id = "hn-acme"
kind = "hackernews"
brand = "acme"
[[channels]]
id = "slack"
kind = "slack"
channel = "#alerts"
token = { env = "GS_BENCH_SECRET" }
[[channels]]
id = "mail"
kind = "email"
host = "127.0.0.1"
from_addr = "gs@acme.example"
to = ["noc@acme.example"]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_command(args: list[str], cwd: Path) -> dict[str, float]:
    """Wall and the child's CPU seconds for one run of ``groundswell ARGS``; it must exit 0."""
    started = time.perf_counter()
    child = subprocess.Popen([str(SCRIPT), *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"groundswell {' '.join(args)} failed: {child.stderr.read().decode() if child.stderr else ''}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime}


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def run_until_healthy(config: Path, port: int, cwd: Path, limit: float = 120) -> dict[str, float]:
    """Start ``groundswell run``; wall and CPU seconds until /readyz answers 200; then SIGTERM."""
    started = time.perf_counter()
    child = subprocess.Popen([str(SCRIPT), "--config", str(config), "run"], cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        while not ready(port):
            if child.poll() is not None or time.perf_counter() - started > limit:
                raise SystemExit(f"groundswell run never became ready (exit {child.returncode})")
            time.sleep(0.02)
        wall, cpu = time.perf_counter() - started, cpu_of(child.pid)
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(60)
    return {"wall_s": wall, "cpu_s": cpu}


def median(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(s[key] for s in samples), 3) for key in ("wall_s", "cpu_s")} | {
        "cpu_s_min": round(min(s["cpu_s"] for s in samples), 3), "n": len(samples)}


def bench(repeat: int, model: str, database: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gs-command-speed-") as name:
        folder = Path(name)
        port = free_port()
        config = settings_file(folder, model, port, database)
        out["help"] = median([one_command(["--help"], folder) for _ in range(repeat)])
        if not database:  # a fresh SQLite file each time: migrations are part of a first start
            fresh = []
            for _ in range(repeat):
                for item in (folder / "data").glob("*.db*"):
                    item.unlink()
                fresh.append(run_until_healthy(config, port, folder))
            out["run_healthy_fresh_database"] = median(fresh)
        else:
            run_until_healthy(config, port, folder)  # untimed: migrates the new schema
        out["run_healthy_restart"] = median([run_until_healthy(config, port, folder) for _ in range(repeat)])
        out["check"] = median([one_command(["--config", str(config), "check"], folder) for _ in range(repeat)])
        out["sources"] = median([one_command(["--config", str(config), "sources"], folder) for _ in range(repeat)])
    return out


def against(repeat: int, url: str, every_kind: bool = False) -> dict[str, Any]:
    """``incidents list``/``show 1`` on a database filled before (e.g. ``web_pages.py --keep``'s 1 M mentions)."""
    with tempfile.TemporaryDirectory(prefix="gs-command-speed-") as name:
        folder = Path(name)
        config = settings_file(folder, "lexicon", free_port(), url)
        if every_kind:
            config.write_text(config.read_text() + EVERY_KIND)
        return {command: median([one_command(["--config", str(config), "incidents", *args], folder)
                                 for _ in range(repeat)])
                for command, args in (("incidents_list", ["list"]), ("incidents_show", ["show", "1"]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--model", default="bundled", help='"bundled" (the default install) or "lexicon"')
    parser.add_argument("--postgres", nargs="?", const=PG_URL, help="also on PostgreSQL (a schema of its own)")
    parser.add_argument("--against", nargs="+", default=[], metavar="URL",
                        help="only time `incidents list`/`show 1` on these filled databases (SQLite files or URLs)")
    parser.add_argument("--every-kind", action="store_true",
                        help="with --against: a source of every kind and Slack and email channels configured")
    args = parser.parse_args()
    load = os.getloadavg()
    if args.against:
        os.environ.setdefault("GS_BENCH_SECRET", "not-a-secret")  # the plugins' secrets must resolve
        print(json.dumps({url: against(args.repeat, url if "://" in url else f"sqlite:///{url}", args.every_kind)
                          for url in args.against} | {"every_kind": args.every_kind, "load_average": [
                              round(x, 2) for x in load] + [round(x, 2) for x in os.getloadavg()]}, indent=1))
        return
    out: dict[str, Any] = {"model": args.model, "repeat": args.repeat, "sqlite": bench(args.repeat, args.model, "")}
    if args.postgres:
        from sqlalchemy import create_engine, text

        schema = f"gs_cmd_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text(f"create schema {schema}"))
        try:  # one schema: the first start migrates it, the timed ones are restarts
            out["postgres"] = bench(args.repeat, args.model, f"{args.postgres}?options=-csearch_path%3D{schema}")
        finally:
            with admin.begin() as connection:
                connection.execute(text(f"drop schema {schema} cascade"))
            admin.dispose()
    out["load_average"] = [round(x, 2) for x in load] + [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
