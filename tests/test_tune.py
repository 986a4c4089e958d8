"""Feedback that tunes: precision per brand and trigger (workspace and digest), and `groundswell tune`
replaying stored history per candidate setting (real SQLite and PostgreSQL, the real backtest)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from monitor.detection.brand_detector import STORY_MIN_PEOPLE
from monitor.detection.warmup import brand_config
from monitor.replay.tune import Candidate, candidates, current_candidate, judge, tune
from monitor.storage.engine import transaction
from monitor.storage.feedback_stats import judged_incidents, precision
from monitor.storage.tables import AlertFeedback
from monitor.web.actions import Actor, give_feedback
from tests.fakes.cli_runner import groundswell
from tests.fakes.settings_files import make_settings, service_settings_toml
from tests.fakes.web_client import signed_in
from tests.fakes.web_seed import NOW, Seeded, seed


def judged(database_url: str, *verdicts: str) -> Seeded:
    seeded = seed(database_url)
    for n, verdict in enumerate(verdicts):
        give_feedback(seeded.engine, seeded.alert_id, verdict, Actor(f"person{n}", "test"), now=NOW)
    return seeded


def test_precision_per_brand_and_trigger_in_the_workspace_and_the_digest(database_url: str) -> None:
    seeded = judged(database_url, "useful", "noise", "useful")
    with Session(seeded.engine) as session:
        (row,) = precision(session)
        assert precision(session, brand_id="other") == []
        assert precision(session, since=NOW + timedelta(hours=1)) == []  # the alert is older
    assert (row.brand_id, row.trigger, row.useful, row.noise) == ("acme", "spike", 2, 1)
    page = signed_in(seeded, "vera").get("/incidents").text
    # triggers in a person's words ("Spike", "Churn threat"), in the incident rows and the feedback table
    assert 'id="precision"' in page and "<td>Spike</td><td>2</td><td>1</td><td>67%</td>" in page
    assert "<td>Spike</td><td>acme</td>" in page and "<td>spike</td>" not in page
    from alerts.digest import build_digest
    from alerts.digest_render import render_html, render_text

    report = build_digest(seeded.engine, seeded.settings, seeded.settings.brands[0], NOW.date())
    assert "Spike: 2 / 3 (67% useful)" in render_text([report])
    html = render_html([report], [""])
    assert "Alert feedback, last 30 days" in html and "<td>Spike</td>" in html


def test_an_incident_counts_useful_when_at_least_half_say_so(database_url: str) -> None:
    seeded = judged(database_url)
    day = (NOW - timedelta(days=1), NOW)
    with transaction(seeded.engine) as session:  # another kind of feedback judges nothing
        session.add(AlertFeedback(alert_id=seeded.alert_id, verdict="missed", actor="p10", origin="t", at=NOW))
    assert judged_incidents(seeded.engine, "acme", *day) == []
    with Session(seeded.engine) as session:
        assert precision(session) == []
    for n, verdict in enumerate(("noise", "useful")):
        give_feedback(seeded.engine, seeded.alert_id, verdict, Actor(f"person{n}", "test"), now=NOW)
    ((trigger, opened_at, useful),) = judged_incidents(seeded.engine, "acme", *day)
    assert trigger == "spike" and useful and abs(opened_at.replace(tzinfo=None) - (NOW - timedelta(hours=1))
                                                 .replace(tzinfo=None)) < timedelta(seconds=1)
    give_feedback(seeded.engine, seeded.alert_id, "noise", Actor("person9", "test"), now=NOW)
    assert judged_incidents(seeded.engine, "acme", *day)[0][2] is False


def test_judging_a_replay_against_the_labels() -> None:
    t0 = NOW
    labels = [("spike", t0, True), ("story", t0 + timedelta(hours=5), False), ("spike", t0 + timedelta(days=1), True)]
    timeline = [  # a spike 30 min after the first label (with a story facet), and an unrelated page
        {"event": "opened", "incident": 1, "trigger": "spike", "facets": ["spike", "story"], "paged": True,
         "opened_at": (t0 + timedelta(minutes=30)).isoformat()},
        {"event": "escalated", "incident": 1, "trigger": "spike", "opened_at": t0.isoformat()},
        {"event": "opened", "incident": 2, "trigger": "churn_threat", "paged": False,
         "opened_at": (t0 + timedelta(days=1)).isoformat()}]
    outcome = judge(Candidate("high", 4.5), timeline, labels, timedelta(minutes=120))
    assert (outcome.incidents, outcome.pages, outcome.useful_kept, outcome.noise_dropped) == (2, 1, 1, 1)
    strict = judge(Candidate("high", 4.5), timeline, labels, timedelta(minutes=10))
    assert strict.useful_kept == 0  # 30 min away is not the same incident under a 10 min window


def test_candidates_start_with_the_brands_own_settings_which_reach_the_detector() -> None:
    settings = make_settings(brands=[{"id": "acme", "name": "Acme", "sensitivity": "high", "story_min_people": 8}])
    brand = settings.brands[0]
    current = current_candidate(settings, brand)
    assert current == Candidate("high", 8.0)
    found = candidates(current)
    assert found[0] == current and len(found) == len(set(found)) and Candidate("low", 9.0) in found
    config = brand_config(settings, brand)
    assert config.sensitivity == "high" and config.stories.min_authors == 8.0
    plain = make_settings()
    assert brand_config(plain, plain.brands[0]).stories.min_authors == STORY_MIN_PEOPLE["default"]
    assert current.lines == 'sensitivity = "high"\nstory_min_people = 8'


def test_tune_replays_stored_history_once_per_candidate(database_url: str, tmp_path: Path) -> None:
    seeded = judged(database_url, "noise")  # the seeded spike is a label without the posts to back it
    steps: list[tuple[str, int, int]] = []
    report = tune(seeded.engine, seeded.settings, "acme", since=NOW - timedelta(days=15), until=NOW,
                  work=tmp_path, progress=lambda what, done, of: steps.append((what, done, of)))
    assert report.mentions == 4 * 7 + 2 * 7 + 3 and (report.useful, report.noise) == (0, 1)
    assert len(report.outcomes) == len(candidates(report.current.candidate)) == steps[-1][2]
    assert all(o.noise_dropped == 1 and o.useful_kept == 0 for o in report.outcomes)
    assert report.best is report.current  # nothing did better: no change recommended
    assert steps[0][1] == 0 and steps[-1] == ("Done", len(report.outcomes), len(report.outcomes))


def test_tune_without_feedback_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data"))
    done = groundswell("--config", str(path), "tune", "--days", "3", cwd=tmp_path)
    assert done.returncode == 1 and "no alert of acme" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    unknown = groundswell("--config", str(path), "tune", "--brand", "nope", cwd=tmp_path)
    assert unknown.returncode == 2 and "nope" in unknown.stderr and "Traceback" not in unknown.stderr
    helped = groundswell("tune", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "useful" in helped.stdout and "--days" in helped.stdout


def test_the_report_shows_before_and_after_and_the_lines_to_paste() -> None:
    from monitor.cli import tune as tune_cli
    from monitor.replay.tune import Outcome, TuneReport

    now = Outcome(Candidate("default", 6.5), incidents=9, pages=7, useful_kept=3, noise_dropped=1)
    better = Outcome(Candidate("low", 9.0), incidents=5, pages=3, useful_kept=3, noise_dropped=4)
    worse = Outcome(Candidate("high", 4.5), incidents=12, pages=10, useful_kept=3, noise_dropped=0)
    report = TuneReport("acme", 5000, useful=3, noise=5, current=now, outcomes=[now, better, worse])
    assert report.best is better
    with tune_cli.console.capture() as captured:
        tune_cli.show(report)
    shown = captured.get()
    assert "Before: 7 pages, 3 of 3 useful kept, 1 of 5 noise dropped. After: 3 pages, 3 useful kept, 4 noise" in shown
    assert 'sensitivity = "low"\nstory_min_people = 9\n' in shown and "recommended" in shown
    tie = TuneReport("acme", 5000, useful=3, noise=5, current=now, outcomes=[now, Outcome(
        Candidate("high", 4.5), incidents=9, pages=7, useful_kept=3, noise_dropped=1)])
    assert tie.best is now  # no change without a reason


def test_apply_edits_only_the_brands_table_and_refuses_what_it_cannot_edit_safely(tmp_path: Path) -> None:
    from monitor.cli.tune_apply import apply_tuning
    from monitor.errors import GroundswellError
    from monitor.settings import load_settings

    path = tmp_path / "settings.toml"
    original = (Path(__file__).parents[1] / "settings.toml").read_text()
    path.write_text(original)
    apply_tuning(path, "brightwave", {"sensitivity": "high", "story_min_people": 9.0})
    apply_tuning(path, "brightwave", {"sensitivity": "low", "story_min_people": 12.0})  # replaced, not doubled
    text = path.read_text()
    assert text.count('sensitivity = "low"') == 1 and 'sensitivity = "high"' not in text
    assert "key_accounts = []\nsensitivity = \"low\"\nstory_min_people = 12\n" in text  # in the brand's table
    assert (tmp_path / "settings.toml.bak").exists() and "# One [[sources]] table" in text  # comments kept
    brand = load_settings(path).brand("brightwave")
    assert (brand.sensitivity, brand.story_min_people) == ("low", 12.0)
    quoted = "[[brands]]\nid = 'acme'\nname = 'Acme'\n\"sensitivity\" = 'high'\n"  # a key spelled another way
    for body, brand_id in (("brands = [{ id = 'acme', name = 'Acme' }]\n", "acme"), (original, "nope"),
                           (quoted, "acme")):
        path.write_text(body)
        with pytest.raises(GroundswellError, match="paste the lines yourself"):
            apply_tuning(path, brand_id, {"sensitivity": "low"})
        assert path.read_text() == body  # untouched
