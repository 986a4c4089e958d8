"""The bundled demo: the day-6 outage becomes ONE paged incident, updated in its thread; the seeds'
individual stories (a churn threat, a big account, a repeat complainer) are on the watch list, not paged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.replay.demo import demo_settings, run_demo
from monitor.replay.demo_data import DEMO_FILE, generate


def test_bundled_demo_file_is_what_the_generator_writes() -> None:
    rows = generate()
    assert len(DEMO_FILE.read_text().splitlines()) == len(rows)
    assert DEMO_FILE.read_text().splitlines()[0].startswith('{"id": "' + rows[0]["id"])


@pytest.mark.parametrize("model", ["bundled", "lexicon"])
def test_demo_finds_the_evening_outage_and_the_individual_stories(tmp_path: Path, model: str) -> None:
    result = run_demo(demo_settings(tmp_path, model))
    by_trigger = {incident.trigger: incident for incident in result.incidents}
    spike = by_trigger["spike"]
    opened = spike.opened_at.replace(tzinfo=UTC)
    assert opened.date() == datetime(2026, 11, 7).date() and opened.hour >= 18  # day 6, after 6 pm
    assert spike.severity >= 3
    assert {"churn_threat", "high_reach", "repeat_complainer"} <= set(by_trigger)
    evening = [i for i in result.incidents if i.opened_at.replace(tzinfo=UTC) >= datetime(2026, 11, 7, 18, tzinfo=UTC)]
    assert evening == [spike]  # the outage is one incident, whatever facets joined it
    paged = [line for line in result.changes if line.startswith("opened")]
    assert len(paged) == 1 and f"#{spike.id}" in paged[0]  # one page in the whole week; the rest is watched
    assert any(line.startswith(f"escalated #{spike.id}") for line in result.changes)  # updates in its thread
    assert result.delivered >= 3 and result.pending == 0
    assert Path(result.database).exists()
