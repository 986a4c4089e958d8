"""A real little cluster for the scale-out audit and benchmark: Celery workers over Redis on PostgreSQL.

Each brand gets a replay file of background chatter; some get an injected spread (a burst of complaints from
distinct authors in the last half hour).  A trigger counts every scoring write (``scored_at`` set), so a
mention scored twice shows up in the audit.  Used by ``tests/test_scale_out.py`` and
``benchmarks/scale_out.py``.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from monitor.storage.engine import open_database

ROOT = Path(__file__).resolve().parents[1]
AUDIT = """
create table score_writes (mention_id bigint not null, at timestamptz not null default clock_timestamp());
create function count_score_write() returns trigger language plpgsql as $$
begin
  if new.scored_at is not null and new.scored_at is distinct from old.scored_at then
    insert into score_writes (mention_id) values (new.id);
  end if;
  return new;
end $$;
create trigger count_score_write after update on mentions for each row execute function count_score_write();
"""
CHATTER = ["Acme app works fine today", "thinking about Acme pricing", "Acme support answered quickly, thanks",
           "love the new Acme app", "Acme store opens at nine"]  # calm: the spreads stand out


@dataclass
class Cluster:
    folder: Path
    database_url: str
    redis_url: str
    brands: list[str]
    spreads: set[str]
    background: int = 200
    spread_size: int = 40
    model: str = "lexicon"
    engine: str = "simple"  # detection engine; "adaptive" (the default for users) checkpoints its state
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)

    def prepare(self) -> Engine:
        """Data files, settings.toml, the schema and the scoring-write trigger; returns an engine."""
        now, rng = datetime.now(UTC), random.Random(11)
        sources = []
        for brand in self.brands:
            rows = [{"id": f"{brand}-bg{i}", "author_id": f"{brand}-u{rng.randrange(10**6)}",
                     "text": rng.choice(CHATTER).replace("Acme", brand.capitalize()),
                     "posted_at": (now - timedelta(seconds=rng.randrange(60, 6 * 3600))).isoformat()}
                    for i in range(self.background)]
            if brand in self.spreads:
                rows += [{"id": f"{brand}-sp{i}", "author_id": f"{brand}-angry{i}",
                          "text": f"{brand.capitalize()} internet down again, terrible and useless",
                          "posted_at": (now - timedelta(seconds=rng.randrange(60, 1500))).isoformat()}
                         for i in range(self.spread_size)]
            path = self.folder / f"{brand}.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in rows))
            self.expected[brand] = len(rows)
            sources.append(f'[[sources]]\nid = "{brand}-feed"\nkind = "replay"\nbrand = "{brand}"\n'
                           f'path = "{path}"\nlimit = 100000\n')
        brands = "".join(f'[[brands]]\nid = "{b}"\nname = "{b.capitalize()}"\nnames = ["{b.capitalize()}"]\n'
                         for b in self.brands)
        self.config.write_text(f'[app]\ndata_dir = "{self.folder}"\n[database]\nurl = "{self.database_url}"\n'
                               f'[model]\nsentiment = "{self.model}"\n[detection]\nengine = "{self.engine}"\n'
                               f'[distributed]\nbroker_url = "{self.redis_url}"\nresult_backend = "{self.redis_url}"\n'
                               f"{brands}{''.join(sources)}")
        engine = open_database(self.database_url)
        with engine.begin() as connection:
            connection.execute(text(AUDIT))
        return engine

    @property
    def config(self) -> Path:
        return self.folder / "settings.toml"

    def env(self) -> dict[str, str]:
        """Workers import this checkout's code, never another installed copy."""
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        return {**os.environ, "GROUNDSWELL_CONFIG": str(self.config), "PYTHONPATH": path}

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "monitor.service.worker", "worker",
                                    "--pool", "solo", "-Q", "io,ml,core,notify", "-n", f"{name}@%h",
                                    "--loglevel", "warning", "--without-gossip", "--without-mingle"],
                                   env=self.env(), cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        self.workers[name] = process
        return process

    def kill(self, name: str) -> None:
        """``kill -9``: no clean-up, no ack, its database connections simply drop."""
        process = self.workers.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.workers.values():
            process.terminate()
        for process in self.workers.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.workers.clear()

    def tasks(self) -> ModuleType:
        """The worker module in this process (as a client that sends tasks), reading this cluster's settings."""
        os.environ["GROUNDSWELL_CONFIG"] = str(self.config)
        sys.modules.pop("monitor.service.worker", None)  # import it afresh: its Celery app reads the settings
        worker = importlib.import_module("monitor.service.worker")
        worker.runtime.cache_clear()
        return worker

    def rss_mb(self) -> dict[str, float]:
        out = {}
        for name, process in self.workers.items():
            status = Path(f"/proc/{process.pid}/status").read_text()
            kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            out[name] = round(kb / 1024, 1)
        return out


def wait_until(check: Callable[[], bool], timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


def audit(engine: Engine) -> dict[str, Any]:
    """What the audit asserts: stored per brand, unscored, scoring writes per mention, spike alerts per brand."""
    with engine.connect() as connection:
        def rows(sql: str) -> list[Any]:
            return list(connection.execute(text(sql)).all())

        stored = dict(rows("select brand_id, count(*) from mentions group by brand_id"))
        unscored = rows("select count(*) from mentions where sentiment is null")[0][0]
        writes = rows("select count(*), count(distinct mention_id) from score_writes")[0]
        twice = rows("select count(*) from (select mention_id from score_writes group by mention_id "
                     "having count(*) > 1) t")[0][0]
        opened = dict(rows("select i.brand_id, count(*) from alerts a join incidents i on i.id = a.incident_id "
                           "where a.event = 'opened' and i.trigger in ('spike', 'story') group by i.brand_id"))
        incidents = dict(rows("select brand_id, count(*) from incidents where trigger = 'spike' group by brand_id"))
        duplicates = rows("select count(*) from (select incident_id, event, severity from alerts "
                          "group by incident_id, event, severity having count(*) > 1) t")[0][0]
    return {"stored": stored, "unscored": int(unscored), "score_writes": int(writes[0]),
            "scored_mentions": int(writes[1]), "scored_twice": int(twice), "spike_opened_alerts": opened,
            "spike_incidents": incidents, "duplicate_alerts": int(duplicates)}


def empty_redis_db(base: str) -> str:
    """A Redis database no one else is using now (an empty one, picked at random): parallel runs on one
    Redis must not consume each other's tasks."""
    import random

    import redis

    for number in random.sample(range(2, 16), 14):
        url = f"{base}/{number}"
        if redis.Redis.from_url(url).dbsize() == 0:
            return url
    raise RuntimeError(f"no empty database on {base} (2-15 are all in use)")
