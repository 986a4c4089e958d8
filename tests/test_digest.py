"""The daily digest and the incident commands, on the demo week."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from alerts.digest import build_digest, negatives_csv
from alerts.digest_render import chart_png, render_html, render_text
from monitor.cli.main import cli
from monitor.replay.demo import demo_settings, run_demo
from monitor.runtime import Runtime
from monitor.settings import ChannelSettings
from monitor.storage.tables import Incident, Mention


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    folder = tmp_path_factory.mktemp("demo")
    settings = demo_settings(folder, "lexicon")
    run_demo(settings)
    return settings


def test_digest_of_the_outage_day_states_volume_chart_and_coverage(demo) -> None:  # noqa: ANN001
    engine = Runtime(demo).engine
    with Session(engine) as session:
        session.add(Mention(brand_id="brightwave", source_id="demo-replay", platform="x", external_id="evil",
                            author_handle="mallory", author_followers=10**7, url="javascript:alert(1)",
                            text="Brightwave is down <script>alert(1)</script>", sentiment="negative",
                            posted_at=datetime(2026, 11, 7, 12, tzinfo=UTC),
                            ingested_at=datetime(2026, 11, 7, 12, tzinfo=UTC)))
        session.commit()
    digest = build_digest(engine, demo, demo.brands[0], date(2026, 11, 7))
    assert digest.total > 200 and digest.negative > 150 and digest.negative_share > 3 * digest.week_negative_share
    assert digest.categories[0][0] == "outage"
    assert any(i.trigger == "spike" for i in digest.incidents)
    assert digest.coverage == [("demo-replay", "ok, 682 items collected so far")]
    assert digest.responses is not None  # the demo brand posted a reply that day
    complaints, answered, _median = digest.responses
    assert complaints > 150 and answered == 0
    png = chart_png(digest)
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    html = render_html([digest], ["cid:chart"])
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert "cid:chart" in html and "demo-replay" in html
    assert f"0 of {complaints} complaints aimed at Brightwave Broadband were answered" in html
    text = render_text([digest])
    assert "Brightwave Broadband" in text
    # each paged incident on its own line: the last one ran into "Watch list (not paged):" ("(resolved)Watch list")
    assert "\nWatch list (not paged):" in text and ")Watch list" not in text, text
    assert negatives_csv(digest).splitlines()[0].startswith("posted_at,platform,author")


def test_watch_list_is_in_the_digest_and_never_paged(demo) -> None:  # noqa: ANN001
    digest = build_digest(Runtime(demo).engine, demo, demo.brands[0], date(2026, 11, 4))
    [watched] = digest.watch_list
    assert watched.trigger == "high_reach" and digest.paged == []
    text = render_text([digest])
    assert "Watch list (not paged):" in text and "techwatch_dan" in text


def test_a_source_that_never_worked_is_stated_plainly(demo) -> None:  # noqa: ANN001
    settings = demo.model_copy(update={"sources": [*demo.sources, demo.sources[0].model_copy(
        update={"id": "dead-feed"})]})
    digest = build_digest(Runtime(settings).engine, settings, settings.brands[0], date(2026, 11, 7))
    never = "NEVER polled successfully (no record in this database): mentions from it are missing"
    assert ("dead-feed", never) in digest.coverage


def test_incident_commands_and_digest_preview(demo, tmp_path: Path) -> None:  # noqa: ANN001
    config = tmp_path / "s.toml"
    config.write_text(f'[database]\nurl = "{demo.database.url}"\n[[brands]]\nid = "brightwave"\nname = "B"\n')
    runner = CliRunner()
    listed = runner.invoke(cli, ["--config", str(config), "incidents", "list", "--all"])
    assert listed.exit_code == 0 and "Spike" in listed.output
    with Session(Runtime(demo).engine) as session:
        spike = session.exec(select(Incident).where(Incident.trigger == "spike")).one().id
    acked = runner.invoke(cli, ["--config", str(config), "incidents", "ack", str(spike), "--by", "dana"])
    assert acked.exit_code == 1 and "already resolved" in str(acked.exception)  # the demo week ends resolved...
    acked = runner.invoke(cli, ["--config", str(config), "incidents", "ack", str(spike), "--by", "dana", "--force"])
    assert acked.exit_code == 0 and "acknowledged by dana" in acked.output
    shown = runner.invoke(cli, ["--config", str(config), "incidents", "show", str(spike)])
    assert "acknowledged by dana" in shown.output and "console: sent" in shown.output
    assert "escalated, critical (paged): Severity now critical (was high)" in shown.output  # every update, what changed
    out = tmp_path / "digest.html"
    preview = runner.invoke(cli, ["--config", str(config), "digest", "--date", "2026-11-07", "--out", str(out)])
    assert preview.exit_code == 0, preview.output
    assert "data:image/png;base64," in out.read_text() and out.with_suffix(".csv").exists()


def test_digest_email_reaches_a_real_smtp_server_with_inline_chart_and_csv(demo) -> None:  # noqa: ANN001
    from alerts.digest_send import send_digest
    from monitor.runtime import build_notifiers
    from tests.fakes.smtp import FakeSMTP

    server = FakeSMTP().start()
    try:
        channels = [{"id": "analysts", "kind": "email", "host": "127.0.0.1", "port": server.port,
                     "security": "none", "from_addr": "gs@example.com", "to": ["analysts@example.com"],
                     "digest": True, "min_severity": 4},
                    {"id": "console", "kind": "console", "digest": True}]
        settings = demo.model_copy(update={"channels": [ChannelSettings.model_validate(c) for c in channels]})
        report = build_digest(Runtime(settings).engine, settings, settings.brands[0], date(2026, 11, 7))
        outcomes = send_digest(settings, build_notifiers(settings), report)
    finally:
        server.stop()
    assert outcomes == ["digest sent to analysts", "digest sent to console"]
    (received,) = server.received
    message = received.message
    assert received.rcpt_tos == ["analysts@example.com"]
    assert "daily digest, 2026-11-07" in message["Subject"]
    types = [part.get_content_type() for part in message.walk()]
    assert types[:2] == ["multipart/mixed", "multipart/alternative"]
    assert "multipart/related" in types and "image/png" in types and "text/csv" in types
    html = message.get_body(preferencelist=("html",)).get_content()
    chart = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert f"cid:{chart['Content-ID'][1:-1]}" in html
    csv_part = next(p for p in message.walk() if p.get_content_type() == "text/csv")
    assert csv_part.get_content().startswith("posted_at,platform,author")


def test_digest_headline_numbers_arrows_and_readable_incidents(demo) -> None:  # noqa: ANN001
    from alerts.render import followers_text

    engine = Runtime(demo).engine
    digest = build_digest(engine, demo, demo.brands[0], date(2026, 11, 7))
    html = render_html([digest], ["cid:chart"])
    assert "▲" in html and "points vs" in html and "#c0392b" in html  # negative share up: red arrow
    assert "churn_threat" not in html and "high_reach" not in html and "Error:" not in html
    assert "in the last 7 days" in html and "in the last 8 days" not in html
    followers = [m.author_followers for m in digest.top_negative if m.author_followers and m.author_followers > 999]
    assert followers and all(followers_text(f) in html and f"{f} followers" not in html for f in followers)
    first = build_digest(engine, demo, demo.brands[0], date(2026, 11, 1))  # the demo's first day: no history
    text = render_text([first])
    assert not first.has_history and "no data yet for the week before" in text
    assert "0 a day" not in text and "against 0%" not in render_html([first], ["cid:c"])


def test_digest_defaults_to_yesterday_in_each_brand_timezone(demo, tmp_path: Path) -> None:  # noqa: ANN001
    from monitor.pipeline import yesterday
    from monitor.settings import BrandSettings

    # UTC+14 and UTC-11: at any hour at least one of them is not on UTC's date.
    brands = [BrandSettings(id="east", name="E", timezone="Pacific/Kiritimati"),
              BrandSettings(id="west", name="W", timezone="Pacific/Pago_Pago")]
    config = tmp_path / "s.toml"
    config.write_text(f'[database]\nurl = "{demo.database.url}"\n' + "".join(
        f'[[brands]]\nid = "{b.id}"\nname = "{b.name}"\ntimezone = "{b.timezone}"\n' for b in brands))
    now = datetime.now(UTC)
    done = CliRunner().invoke(cli, ["--config", str(config), "digest", "--out", str(tmp_path / "d.html")])
    assert done.exit_code == 0, done.output
    for brand in brands:
        assert f"{yesterday(brand, now)} ({brand.timezone})" in done.output
