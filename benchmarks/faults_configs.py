"""Bad configurations (issue 13): each is given to real `groundswell check` and `groundswell run` processes.

Handled means, for `check`: exit 2 with one error line on stderr, or exit 1 with one "fail" line (a
problem found by checking: a missing file, a host that does not resolve); for `run`: it refuses to
start (non-zero exit) with one line that is not a log line, or, where `check` reported a problem a
running service copes with (a replay file that may appear later), it keeps running.  Never a
traceback, never a hang.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from benchmarks.faults_common import Maker, case_folders, crash, file_maker, monitor_command, own_lines

BRAND = '[[brands]]\nid = "acme"\nname = "Acme"\n'


def toml(body: str, *, brand: str = BRAND, app: str = "", model: str = "lexicon", top: str = "") -> Maker:
    def make(folder: Path) -> Path:
        path = folder / "settings.toml"
        data = app or f'data_dir = "{folder / "data"}"'
        path.write_text(f'{top}[app]\n{data}\n[model]\nsentiment = "{model}"\n{brand}{body}\n')
        return path
    return make


def raw(content: bytes) -> Maker:
    return file_maker("settings.toml", content)


def data_dir_file(folder: Path) -> Path:
    (folder / "afile").write_text("x")
    return toml("", app=f'data_dir = "{folder / "afile"}"')(folder)


def a_folder(folder: Path) -> Path:
    return folder


def missing(folder: Path) -> Path:
    return folder / "no-such-settings.toml"


def source(extra: str, kind: str = "replay", brand: str = "acme") -> str:
    return f'[[sources]]\nid = "s"\nkind = "{kind}"\nbrand = "{brand}"\npath = "/tmp/gs-faults-none.jsonl"\n{extra}\n'


def channel(extra: str, kind: str = "webhook") -> str:
    return f'[[channels]]\nid = "c"\nkind = "{kind}"\n{extra}\n'


RUNS = "runs"  # a running service copes: it reports the problem and goes on
CASES: dict[str, tuple[Maker, str]] = {
    "metrics_address_without_port": (toml('[service]\nmetrics_address = "localhost"'), "refuse"),
    "metrics_port_99999": (toml('[service]\nmetrics_address = "127.0.0.1:99999"'), "refuse"),
    "metrics_host_unresolvable": (toml('[service]\nmetrics_address = "no-such-host.invalid:9108"'), "refuse"),
    "mysql_url": (toml('[database]\nurl = "mysql://root@localhost/gs"'), "refuse"),
    "database_host_unresolvable": (toml('[database]\nurl = "postgresql://gs@no-such-host.invalid/gs"'), "refuse"),
    "data_dir_is_a_file": (data_dir_file, "refuse"),
    "config_is_a_folder": (a_folder, "refuse"),
    "config_missing": (missing, "refuse"),
    "empty_file": (raw(b""), "refuse"),
    "binary_garbage": (raw(b"\x89PNG\r\n\x1a\n\x00\xff\xfe"), "refuse"),
    "toml_unclosed_array": (toml("[service]\nscore_interval_seconds = [1, 2"), "refuse"),
    "toml_duplicate_table": (toml("[service]\n[service]\n"), "refuse"),
    "toml_int_overflow": (toml("[service]\nscore_interval_seconds = 99999999999999999999"), "refuse"),
    "no_brands": (toml("", brand=""), "refuse"),
    "brand_id_uppercase": (toml("", brand='[[brands]]\nid = "Acme"\nname = "Acme"\n'), "refuse"),
    "duplicate_brand_ids": (toml(BRAND), "refuse"),
    "brand_timezone_on_mars": (toml('timezone = "Mars/Olympus"'), "refuse"),
    "unknown_key_typo": (toml("[service]\nscor_interval_seconds = 1"), "refuse"),
    "log_level_loud": (toml("", app='log_level = "loud"'), "refuse"),
    "digest_hour_25": (toml("[service]\ndigest_hour = 25"), "refuse"),
    "sources_not_a_list": (toml("", top='sources = "x"\n'), "refuse"),
    "source_kind_unknown": (toml(source("", kind="myspace")), "refuse"),
    "source_brand_unknown": (toml(source("", brand="acne")), "refuse"),
    "duplicate_source_ids": (toml(source("") + source("")), "refuse"),
    "interval_zero": (toml(source("interval_seconds = 0")), "refuse"),
    "interval_negative": (toml(source("interval_seconds = -5")), "refuse"),
    "interval_a_word": (toml(source('interval_seconds = "often"')), "refuse"),
    "replay_file_missing": (toml(source("")), RUNS),
    "webhook_url_not_a_url": (toml(channel('url = "not a url"')), "refuse"),
    "webhook_url_file_scheme": (toml(channel('url = "file:///etc/passwd"')), "refuse"),
    "slack_token_env_unset": (toml(channel('token = { env = "GS_FAULTS_UNSET_VAR" }', kind="slack")), "refuse"),
    "slack_without_token": (toml(channel('channel = "#alerts"', kind="slack")), "refuse"),
    "email_port_70000": (toml(channel('host = "127.0.0.1"\nport = 70000\nfrom_addr = "a@example.com"\n'
                                      'to = ["b@example.com"]', kind="email")), "refuse"),
    "quiet_hours_25_99": (toml(channel('quiet_hours = "25:00-99:99"', kind="console")), "refuse"),
    "model_folder_missing": (toml("", model="./no-such-model"), "refuse"),
}


def judge_check(done: subprocess.CompletedProcess[str] | None) -> tuple[str, str]:
    if (verdict := crash(done)) is not None or done is None:
        return verdict or "hang", ""
    fails = [ln for ln in done.stdout.splitlines() if ln.strip().startswith("fail")]
    errors = own_lines(done.stderr)
    if done.returncode in (1, 2) and len(errors) + len(fails) == 1:  # 2: unusable config or database
        return "handled", (errors + fails)[0].strip()
    return f"exit {done.returncode}, {len(errors)} error and {len(fails)} fail lines", (errors + fails + [""])[0]


def judge_run(done: subprocess.CompletedProcess[str] | None, expected: str) -> str:
    if done is None:
        return "handled" if expected == RUNS else "started despite the problem"
    if crash(done):
        return "traceback"
    if expected == RUNS:
        return f"stopped with exit {done.returncode}"
    lines = own_lines(done.stderr)
    if done.returncode == 0 or len(lines) != 1:
        return f"exit {done.returncode}, {len(lines)} lines"
    return "handled"


def run_configs(workdir: Path, limit: int, timeout: float, run_seconds: float) -> dict[str, Any]:
    results = []
    for name, (make, expected), folder in case_folders(workdir, "config", CASES, limit):
        config = make(folder)
        check, line = judge_check(monitor_command(config, ["check"], timeout))
        run = judge_run(monitor_command(config, ["run"], run_seconds), expected)
        results.append({"case": name, "check": check, "run": run, "line": line[:240]})
    handled = [r for r in results if r["check"] == r["run"] == "handled"]
    return {"cases": len(results), "handled": len(handled),
            "traceback": sum("traceback" in (r["check"], r["run"]) for r in results),
            "hang": sum(r["check"] == "hang" for r in results),
            "other_failures": [r for r in results if r not in handled], "results": results}
