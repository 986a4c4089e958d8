"""What a newcomer trips over (round 6): init's made-up default company, empty input files scored as success,
a digest that could not be sent without a file, click's four-line usage errors, a Ctrl-C that a finalizer
swallowed, and the stumbles of a fresh clone followed by the README."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.cli_runner import ROOT, groundswell, one_line_failure

BRAND = '[[brands]]\nid = "acme"\nname = "Acme"\ntimezone = "UTC"\n'


def test_init_has_no_made_up_company_name(tmp_path: Path) -> None:
    """Enter at "Company name [Acme]" (or --yes alone) set up the monitoring of a made-up company called Acme."""
    line = one_line_failure(groundswell("init", "--yes", cwd=tmp_path), 2)
    assert '--yes asks nothing, so give the company\'s name too: --name "Your Company"' in line, line
    assert not (tmp_path / "settings.toml").exists()
    done = groundswell("init", cwd=tmp_path, input_text="\n  \nBo Co\n\n\nEurope/London\n\n\n")
    assert done.returncode == 0, done.stderr
    assert "[Acme]" not in done.stdout and done.stdout.count("the company name is empty") == 2, done.stdout
    assert 'name = "Bo Co"' in (tmp_path / "settings.toml").read_text()


def test_init_with_its_input_ended_is_not_a_ctrl_c(tmp_path: Path) -> None:
    """`echo | groundswell init` said "interrupted (Ctrl-C)", exit 130, though nobody pressed it."""
    line = one_line_failure(groundswell("init", cwd=tmp_path, input_text=""), 2)
    assert "the input ended before every question was answered" in line and "groundswell init --help" in line, line


def test_init_says_the_file_exists_before_asking(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("# mine\n")
    line = one_line_failure(groundswell("init", cwd=tmp_path, input_text="Bo Co\n"), 2)
    assert "exists; pass --force" in line and "Company name" not in line, line


@pytest.mark.parametrize(("name", "text", "why"), [
    ("empty.jsonl", "", "the file is empty"),
    ("blank.jsonl", "\n\n", "the file is empty"),
    ("header.csv", "id,text\n", "the file has its header line but no rows under it"),
])
def test_score_of_a_file_without_posts_is_not_a_success(tmp_path: Path, name: str, text: str, why: str) -> None:
    """It said "scored 0 rows" and exited 0, leaving an empty output."""
    (tmp_path / name).write_text(text)
    line = one_line_failure(groundswell("score", name, "-o", "out.csv", "--model", "lexicon", cwd=tmp_path), 1)
    assert f"no posts to score in {name} ({why})" in line, line
    assert not (tmp_path / "out.csv").exists()


def test_series_backtest_of_a_header_alone_is_not_a_success(tmp_path: Path) -> None:
    (tmp_path / "v.csv").write_text("timestamp,value\n")
    line = one_line_failure(groundswell("backtest", "--series", "v.csv", "--out", "s.csv", cwd=tmp_path), 1)
    assert "no rows in v.csv (the file has its header line but no rows under it)" in line, line


def test_digest_sends_without_writing_a_file(tmp_path: Path) -> None:
    """--send needed --out ("Missing option '--out'"): sending wrote a preview nobody asked for."""
    (tmp_path / "s.toml").write_text(f'[database]\nurl = "sqlite:///{tmp_path / "g.db"}"\n' + BRAND
                                     + '[[channels]]\nid = "log"\nkind = "console"\ndigest = true\n')
    done = groundswell("--config", "s.toml", "digest", "--date", "2026-11-07", "--send", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "digest sent to log" in done.stdout, done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.db", "s.toml"]
    line = one_line_failure(groundswell("--config", "s.toml", "digest", cwd=tmp_path), 2)
    assert "--out FILE.html to preview it, --send to send it, or both" in line, line


@pytest.mark.parametrize(("args", "wanted"), [
    (("score", "--foo"), 'error: no such option --foo for "groundswell score" (its options: --output, --model, '),
    (("score", "--foo"), "--languages, --keywords) (see groundswell score --help)"),
    (("score", "--outpt", "x.csv"), 'no such option --outpt for "groundswell score": did you mean --output?'),
    (("scroe",), 'error: no such command "scroe" for "groundswell": did you mean score? (see groundswell --help)'),
    (("score",), 'error: missing argument INPUT for "groundswell score" (see groundswell score --help)'),
    (("-c", "x.toml", "incidents", "ack", "1", "--by"),
     "error: option '--by' requires an argument (see groundswell incidents ack --help)"),
    (("incidents", "list", "extra"), "got unexpected extra argument (extra) (see groundswell incidents list --help)"),
])
def test_a_mistyped_command_line_is_one_line(tmp_path: Path, args: tuple[str, ...], wanted: str) -> None:
    """click printed "Usage: python -m monitor score ...", "Try ...", a blank line and then the problem."""
    line = one_line_failure(groundswell(*args, cwd=tmp_path), 2)
    assert wanted in line and "Usage:" not in line, line


def test_a_ctrl_c_swallowed_by_a_finalizer_still_stops_the_command(tmp_path: Path) -> None:
    """A Ctrl-C that landed in a garbage-collection callback (SQLAlchemy has them) was printed as "Exception
    ignored in ..." and lost: the backtest ran on and exited 0.  Here a collection callback receives the signal
    during a real `groundswell score`, as SQLAlchemy's did during the flaky backtest."""
    (tmp_path / "in.csv").write_text("text\n" + "Acme is down again\n" * 2000)
    probe = """
import gc, os, signal, sys, time
fired = []
def swallow(phase, info):
    if phase == "start" and not fired and "models.loader" in sys.modules:  # score's work has begun
        fired.append(1)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # the KeyboardInterrupt is raised here, inside the callback, and Python ignores it
gc.callbacks.append(swallow)
sys.argv = ["groundswell", "score", "in.csv", "-o", "out.csv", "--model", "lexicon"]
from monitor.cli.main import main
main()
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 130, (done.stdout, done.stderr)
    assert done.stderr.strip().splitlines()[-1] == "interrupted (Ctrl-C): stopped before finishing", done.stderr
    assert "Exception ignored" not in done.stderr


def test_init_searches_for_the_whole_name_by_default(tmp_path: Path) -> None:
    """Enter at "Other names [Bright]" made every source search for the word "bright" instead of the company."""
    done = groundswell("init", cwd=tmp_path, input_text="Bright Wave\n\n\nEurope/London\n\n\n")
    assert done.returncode == 0, done.stderr
    assert "[Bright Wave]" in done.stdout and "[Bright]" not in done.stdout, done.stdout
    assert 'names = ["Bright Wave"]' in (tmp_path / "settings.toml").read_text()


def test_an_unknown_option_lists_the_ones_there_are(tmp_path: Path) -> None:
    """`web --port 8081` said only "No such option": nothing pointed at --address."""
    line = one_line_failure(groundswell("web", "--port", "8081", cwd=tmp_path), 2)
    assert "no such option --port for \"groundswell web\" (its options: --address, --allow-actions, --database)" \
        in line, line
    line = one_line_failure(groundswell("db", "upgrade", "--x", cwd=tmp_path), 2)
    assert "groundswell db upgrade takes no options" in line, line


def test_every_failure_line_starts_the_same_way(tmp_path: Path) -> None:
    """click's own failures said "Error: ...", ours "error no incident #3": now "error: ..." throughout."""
    (tmp_path / "posts.csv").write_text("text\nhello\n")
    line = one_line_failure(groundswell("backtest", "posts.csv", "--out", "t.jsonl", cwd=tmp_path), 1)
    assert line.startswith("error: posts.csv has no id or posted_at column"), line
    (tmp_path / "s.toml").write_text(f'[database]\nurl = "sqlite:///{tmp_path / "g.db"}"\n' + BRAND)
    line = one_line_failure(groundswell("--config", "s.toml", "incidents", "show", "3", cwd=tmp_path), 1)
    assert line.startswith("error: no incident #3"), line


@pytest.mark.parametrize(("args", "wanted"), [
    (("m.jsonl", "--out", "t.csv"), "--out t.csv: the timeline is JSON Lines (one alert event a line): name it"),
    (("--series", "v.csv", "--out", "s.jsonl"), "--out s.jsonl: --series writes CSV"),
])
def test_backtest_output_named_for_the_other_format_is_refused(tmp_path: Path, args: tuple[str, ...],
                                                                wanted: str) -> None:
    """A mentions replay wrote JSON lines into t.csv (a spreadsheet showed one column of JSON)."""
    (tmp_path / "m.jsonl").write_text('{"id": "1", "text": "Acme is down", "posted_at": "2026-11-01T10:00:00Z"}\n')
    (tmp_path / "v.csv").write_text("timestamp,value\n2026-11-01 10:00:00,3\n")
    line = one_line_failure(groundswell("backtest", *args, "--model", "lexicon", cwd=tmp_path), 2)
    assert wanted in line, line
    assert not (tmp_path / args[-1]).exists()


def test_users_add_with_nothing_piped_in_says_no_password_was_given(tmp_path: Path) -> None:
    """An empty pipe was "the password is too short (at least 10 characters)"."""
    assert groundswell("users", "--database", str(tmp_path / "g.db"), "list", cwd=tmp_path).returncode == 0
    done = groundswell("users", "--database", str(tmp_path / "g.db"), "add", "ana", cwd=tmp_path, input_text="")
    line = one_line_failure(done, 2)
    assert "no password on the first line of the input" in line and "too short" not in line, line


def test_help_as_a_command(tmp_path: Path) -> None:
    """`groundswell help` and `groundswell help score` said "No such command 'help'"."""
    done = groundswell("help", "score", cwd=tmp_path)
    assert done.returncode == 0 and "Usage: groundswell score [OPTIONS] INPUT" in done.stdout, done.stderr
    assert "Usage: groundswell [OPTIONS] COMMAND" in groundswell("help", cwd=tmp_path).stdout
    line = one_line_failure(groundswell("help", "scroe", cwd=tmp_path), 2)
    assert "did you mean score?" in line, line


def test_init_writes_the_file_config_names(tmp_path: Path) -> None:
    """`groundswell --config my.toml init` wrote ./settings.toml (or refused, naming settings.toml, when it existed)."""
    (tmp_path / "settings.toml").write_text("# another company's\n")
    done = groundswell("--config", "my.toml", "init", "--yes", "--name", "Bo Co", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'name = "Bo Co"' in (tmp_path / "my.toml").read_text()
    assert (tmp_path / "settings.toml").read_text() == "# another company's\n"
    assert "next: groundswell --config my.toml check" in done.stdout, done.stdout
