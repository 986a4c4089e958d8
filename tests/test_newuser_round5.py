"""What a newcomer trips over (round 5): environment variables that cannot work, a data folder that cannot be made,
incident numbers that are not, JSON arrays and header-only files given to score and backtest, times without a
timezone, a mistyped `users --database`, a folder as `digest --out`, escapes in --by and in a source id."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.fakes.cli_runner import groundswell, one_line_failure
from tests.fakes.settings_files import service_settings_toml

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONSOLE = '[[channels]]\nid = "console"\nkind = "console"\n'


def _settings(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", body=CONSOLE))
    return path


def _incident(tmp_path: Path) -> None:
    """One open incident in the settings' database, as detection stores it."""
    from monitor.storage.engine import open_database, transaction
    from monitor.storage.tables import Brand, Incident

    (tmp_path / "data").mkdir(exist_ok=True)
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'groundswell.db'}")
    with transaction(engine) as session:
        session.add(Brand(id="acme", name="Acme", timezone="UTC"))
        session.add(Incident(brand_id="acme", key="spike-1", trigger="spike", severity=3, status="open",
                             opened_at=NOW, updated_at=NOW, last_activity_at=NOW, title="spike", reason="why",
                             facets={}))
    engine.dispose()


def test_environment_variables_that_cannot_work_are_named(tmp_path: Path) -> None:
    """A misspelt section was silently ignored (the database stayed the file's); a brand's key replaced every brand
    ("brands: must be a list"); a whole section said "Input should be a valid dictionary"."""
    _settings(tmp_path)
    for variable, wanted in (("GROUNDSWELL_DATABSE__URL", "GROUNDSWELL_DATABSE__URL: no settings section 'databse' "
                                                          "(sections: app, database,"),
                             ("GROUNDSWELL_BRANDS__0__TIMEZONE", "[[brands]] entries cannot be set from the "
                                                                 "environment"),
                             ("GROUNDSWELL_APP", "GROUNDSWELL_APP: set one key at a time, e.g. GROUNDSWELL_APP__KEY")):
        line = one_line_failure(groundswell("incidents", "list", cwd=tmp_path, env={variable: "x"}), 2)
        assert wanted in line, line
        assert "dictionary" not in line and "must be a list" not in line
    assert groundswell("incidents", "list", cwd=tmp_path, env={"GROUNDSWELL_DEBUG": "1"}).returncode == 0


def test_a_data_folder_that_cannot_be_made_is_a_settings_problem(tmp_path: Path) -> None:
    """It stopped as "error Not a directory (...)" with exit code 1, naming no key."""
    _settings(tmp_path)
    (tmp_path / "a-file").write_text("")
    under_a_file = str(tmp_path / "a-file" / "data")
    done = groundswell("incidents", "list", cwd=tmp_path, env={"GROUNDSWELL_APP__DATA_DIR": under_a_file})
    line = one_line_failure(done, 2)
    assert "app.data_dir: cannot create the folder" in line and "point app.data_dir, or database.url" in line, line


def test_an_incident_number_that_is_not_one_says_where_the_numbers_are(tmp_path: Path) -> None:
    """A number past SQLite's integers was "unexpected error OverflowError ... please report it"; a snooze of 99999d
    "is not a duration" although it is one, only too long."""
    _settings(tmp_path)
    _incident(tmp_path)
    for args in (("show", "99999999999999999999999"), ("ack", "abc"), ("wake", "0")):
        done = groundswell("incidents", *args, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "is not an incident number (the # column of `groundswell incidents list`)" in done.stderr, done.stderr
        assert "OverflowError" not in done.stderr
    assert groundswell("incidents", "show", "#1", cwd=tmp_path).returncode == 0
    done = groundswell("incidents", "snooze", "1", "--for", "99999d", cwd=tmp_path)
    assert done.returncode == 2 and "snooze for at most 14 days" in done.stderr, done.stderr


def test_a_json_array_is_named_with_the_conversion(tmp_path: Path) -> None:
    """One JSON array read as "line 1 is not a JSON object" (score) or "expected an object with id, text and
    posted_at" / "not valid JSON (Expecting value)" on every line (backtest); score refused .json as an unknown
    extension without saying which JSON it reads."""
    rows = [{"id": "1", "text": "Acme is down", "posted_at": "2026-11-01T10:00:00Z"}]
    (tmp_path / "one.jsonl").write_text(json.dumps(rows) + "\n")
    (tmp_path / "pretty.jsonl").write_text(json.dumps(rows, indent=2))
    for name in ("one.jsonl", "pretty.jsonl"):
        for args in (("backtest", name, "--out", "t.jsonl"), ("score", name, "-o", "s.csv")):
            line = one_line_failure(groundswell(*args, "--model", "lexicon", cwd=tmp_path), 1)
            assert f"{name} is one JSON array, not JSON Lines: write one object per line, e.g. jq -c '.[]' " \
                   f"{name} > " in line, line
    (tmp_path / "posts.json").write_text(json.dumps(rows))
    done = groundswell("score", "posts.json", "-o", "s.csv", "--model", "lexicon", cwd=tmp_path)
    assert done.returncode == 2 and "jq -c '.[]' posts.json > posts.jsonl" in done.stderr, done.stderr


def test_score_says_a_quote_was_left_open(tmp_path: Path) -> None:
    """csv's "field larger than field limit (131072)" reached the user."""
    lines = ["id,text", '1,"Acme is down'] + [f"{n},Acme bill number {n} {'x' * 80}" for n in range(2, 2000)]
    (tmp_path / "posts.csv").write_text("\n".join(lines) + "\n")
    line = one_line_failure(groundswell("score", "posts.csv", "-o", "s.csv", "--model", "lexicon", cwd=tmp_path), 1)
    assert "line 2: a value runs on for more than 128 KB: most likely a double quote" in line, line
    assert "field limit" not in line


def test_backtest_names_a_header_without_rows_and_times_without_a_timezone(tmp_path: Path) -> None:
    """A header alone was "the file is empty"; times without an offset were read as UTC without a word; a date
    like 01/11/2026 did not say the form wanted; a first replay of repeated texts said most came "from the cache"."""
    (tmp_path / "header.csv").write_text("id,text,posted_at,author_handle\n")
    line = one_line_failure(groundswell("backtest", "header.csv", "--out", "t.jsonl", "--model", "lexicon",
                                        cwd=tmp_path), 1)
    assert "(the file has its header line but no rows under it)" in line, line
    rows = [f"{n},Acme is down again,2026-11-01 10:{n:02d},u{n}" for n in range(10)] + ["10,Acme,01/11/2026,u10"]
    (tmp_path / "local.csv").write_text("id,text,posted_at,author_handle\n" + "\n".join(rows) + "\n")
    done = groundswell("backtest", "local.csv", "--out", "t.jsonl", "--model", "lexicon", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "note: posted_at has no timezone (2026-11-01 10:00): read as UTC; if the times are local, add their " \
           "offset" in done.stderr, done.stderr
    assert "posted_at is not a usable ISO 8601 date: '01/11/2026' (write it like 2026-11-02T09:30:00Z)" in done.stderr
    assert "10 mentions, 10 scored now, 0 read from the cache" in done.stdout, done.stdout
    again = groundswell("backtest", "local.csv", "--out", "t.jsonl", "--model", "lexicon", cwd=tmp_path)
    assert "10 mentions, 0 scored now, 10 read from the cache" in again.stdout, again.stdout
    (tmp_path / "one.jsonl").write_text('{"id": "1", "text": "Acme", "posted_at": "2026-11-01T10:00:00Z"}\n')
    once = groundswell("backtest", "one.jsonl", "--out", "t.jsonl", "--model", "lexicon", cwd=tmp_path)
    assert "; 1 mention, " in once.stdout and "no timezone" not in once.stderr, (once.stdout, once.stderr)


def test_users_database_in_a_mistyped_folder_is_refused_and_roles_take_any_case(tmp_path: Path) -> None:
    """A typo in the folder made a new database there and added the user to it (the workspace on the real one then
    refused every sign-in); "--role Operator" was refused."""
    typo = tmp_path / "gs-dmo" / "demo.db"
    done = groundswell("users", "--database", str(typo), "add", "ana", "--role", "operator", "--password-stdin",
                       cwd=tmp_path, input_text="a long passphrase\n")
    assert done.returncode == 2 and f"no folder {typo.parent}: give the path `groundswell demo` printed" \
        in done.stderr, done.stderr
    assert not typo.parent.exists()
    folder = groundswell("users", "--database", str(tmp_path), "list", cwd=tmp_path)
    assert folder.returncode == 2 and "is a folder: give the database file in it" in folder.stderr, folder.stderr
    new = tmp_path / "users.db"
    added = groundswell("users", "--database", str(new), "add", "ana", "--role", "Operator", "--password-stdin",
                        cwd=tmp_path, input_text="a long passphrase\n")
    assert added.returncode == 0 and "user ana (operator) added" in added.stdout, added.stderr
    assert f"note: no database at {new} yet: making a new one" in added.stderr


def test_a_folder_as_the_digest_file_is_a_usage_error(tmp_path: Path) -> None:
    """It was "error Is a directory (out)" with exit code 1, after the digest was built."""
    _settings(tmp_path)
    (tmp_path / "out").mkdir()
    done = groundswell("digest", "--date", "2026-11-01", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2 and "invalid value for '--out': File 'out' is a directory" in done.stderr, done.stderr


def test_escapes_in_a_name_or_a_source_id_never_reach_the_terminal(tmp_path: Path) -> None:
    """`ack --by` printed and recorded "\\x1b[31m..." as it was; `poll` echoed an unknown source id before
    checking it."""
    from monitor.storage.engine import open_database
    from monitor.storage.tables import IncidentAction

    _settings(tmp_path)
    _incident(tmp_path)
    done = groundswell("incidents", "ack", "1", "--by", "\x1b[31mdana\x1b]0;owned\x07", cwd=tmp_path)
    assert done.returncode == 0 and "acknowledged by dana at " in done.stdout, (done.stdout, done.stderr)
    assert "\x1b" not in done.stdout + done.stderr
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'groundswell.db'}")
    from sqlmodel import Session, select

    with Session(engine) as session:
        assert [a.actor for a in session.exec(select(IncidentAction))] == ["dana"]
    engine.dispose()
    blank = groundswell("incidents", "resolve", "1", "--by", "\x1b[31m", cwd=tmp_path)
    assert blank.returncode == 2 and "give the name of the person" in blank.stderr, blank.stderr
    polled = groundswell("poll", "\x1b[2Jnope", cwd=tmp_path)
    assert polled.returncode == 2 and "\x1b" not in polled.stderr and "no source with id" in polled.stderr, \
        polled.stderr


def test_run_help_says_how_it_stops_and_reloads(tmp_path: Path) -> None:
    """`run --help` said nothing of how to stop it or of a reload."""
    words = " ".join(groundswell("run", "--help", cwd=tmp_path).stdout.split())
    assert "Ctrl-C or SIGTERM lets the running jobs finish and exits 0" in words, words
    assert "SIGHUP reloads the settings file" in words


def test_a_timezone_off_by_case_or_region_names_the_one_meant(tmp_path: Path) -> None:
    """"London" and "europe/london" were refused with only "use an IANA name like Europe/London"; "GMT+1" too,
    where the IANA look-alike Etc/GMT+1 is UTC-1."""
    for written, hint in (("london", "(did you mean Europe/London?)"), ("new york", "(did you mean America/New_York?)"),
                          ("GMT+1", "(a fixed offset ignores summer time: use the place's IANA name")):
        path = tmp_path / "settings.toml"
        path.write_text(service_settings_toml(tmp_path / "data", body=f'timezone = "{written}"\n' + CONSOLE))
        line = one_line_failure(groundswell("incidents", "list", cwd=tmp_path), 2)
        assert f"brands[0] (acme).timezone: unknown timezone '{written}' {hint}" in line, line
    done = groundswell("init", "--yes", "--name", "Acme", "--timezone", "sao paulo", "--out", "new.toml", cwd=tmp_path)
    assert done.returncode == 2 and "(did you mean America/Sao_Paulo?)" in done.stderr, done.stderr


def test_a_log_level_in_capitals_is_taken(tmp_path: Path) -> None:
    """log_level = "INFO", the usual spelling elsewhere, was refused."""
    _settings(tmp_path)
    listed = groundswell("incidents", "list", cwd=tmp_path, env={"GROUNDSWELL_APP__LOG_LEVEL": "INFO"})
    assert listed.returncode == 0, listed.stderr


def test_a_folder_that_holds_no_model_says_so_without_the_librarys_paragraph(tmp_path: Path) -> None:
    """A folder of data given as --model loaded torch and printed the tokenizer library's "Couldn't instantiate the
    backend tokenizer from one of: (1) ... sentencepiece or tiktoken"."""
    (tmp_path / "in.csv").write_text("text\nhello\n")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "posts.csv").write_text("text\nhello\n")
    line = one_line_failure(groundswell("score", "in.csv", "-o", "o.csv", "--model", "./exports", cwd=tmp_path), 1)
    assert "cannot load sentiment model './exports': the folder holds no model (neither the config.json" in line, line
    assert "tokenizer" not in line and 'or use "bundled"' in line


def test_a_digest_of_a_day_still_to_come_is_refused(tmp_path: Path) -> None:
    """A typo in the year wrote an empty digest, as if nobody had said anything that day."""
    _settings(tmp_path)
    done = groundswell("digest", "--date", "2999-11-01", "--out", "d.html", cwd=tmp_path)
    assert done.returncode == 2 and "2999-11-01 has not come yet (today is " in done.stderr, done.stderr
    assert not (tmp_path / "d.html").exists()


def test_a_spreadsheet_file_says_to_save_it_as_csv(tmp_path: Path) -> None:
    """backtest read an .xlsx as JSON lines ("no usable rows ... (the file is empty)"); score called .xlsx an unknown
    extension, as input and as output."""
    (tmp_path / "posts.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    line = one_line_failure(groundswell("backtest", "posts.xlsx", "--out", "t.jsonl", cwd=tmp_path), 1)
    assert 'posts.xlsx is a spreadsheet: save it as CSV (in Excel: Save as, "CSV UTF-8"' in line, line
    done = groundswell("score", "posts.xlsx", "-o", "s.csv", cwd=tmp_path)
    assert done.returncode == 2 and "posts.xlsx is a spreadsheet: save it as CSV" in done.stderr, done.stderr
    (tmp_path / "posts.csv").write_text("text\nAcme is down\n")
    done = groundswell("score", "posts.csv", "-o", "scored.xlsx", cwd=tmp_path)
    assert done.returncode == 2 and "scored.xlsx: name it .csv (a spreadsheet opens it)" in done.stderr, done.stderr


def test_a_port_out_of_range_says_so(tmp_path: Path) -> None:
    """`web --address 127.0.0.1:99999` said "is not host:port", which it is."""
    _settings(tmp_path)
    line = one_line_failure(groundswell("web", "--address", "127.0.0.1:99999", cwd=tmp_path), 2)
    assert "port 99999 in '127.0.0.1:99999' is out of range: ports go from 1 to 65535" in line, line
