"""BlueskyConnector through the real atproto client against a local fake PDS/AppView."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectors.base import BrandTerms, ConnectorContext
from connectors.bluesky import BlueskyConnector, BlueskyOptions
from monitor.clock import ManualClock
from monitor.errors import SourceAuthError, SourceUnavailable
from tests.fakes.bluesky_api import FakeBluesky

BRAND = BrandTerms(id="acme", name="Acme", names=("Acme", "Acme Cloud"), handles=("acme", "help.acme.com"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def api(clock: ManualClock) -> Iterator[FakeBluesky]:
    server = FakeBluesky(clock=clock).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def make(api: FakeBluesky, clock: ManualClock, password: str | None = None, timeout: float = 5.0,
         **options: object) -> BlueskyConnector:
    """A connector on the fake (a 5 s timeout: 0.3 s failed on a loaded CI machine; the slow fault passes 0.3)."""
    opts = BlueskyOptions(handle=api.handle, app_password=SecretStr(password or api.password), base_url=api.url,
                          timeout_seconds=timeout, **options)  # type: ignore[arg-type]
    return BlueskyConnector(opts, ConnectorContext("bluesky-acme", BRAND, clock))


def test_posts_are_normalised_with_threads_and_followers(api: FakeBluesky, clock: ManualClock) -> None:
    root = api.add_post("Acme Cloud lost my files", handle="carol.bsky.social", followers=4200, likes=12)
    reply = api.add_post("same here with Acme", handle="dan.example.com", reply_to=root)
    api.add_post("nothing to see")
    batch = make(api, clock).fetch(None, limit=10)
    by_id = {m.external_id: m for m in batch.mentions}
    assert set(by_id) == {root, reply}
    carol = by_id[root]
    assert carol.url == f"https://bsky.app/profile/carol.bsky.social/post/{root.rsplit('/', 1)[1]}"
    assert (carol.author.handle, carol.author.followers, carol.engagement.likes) == ("carol.bsky.social", 4200, 12)
    assert carol.lang == "en" and carol.posted_at.utcoffset() == timedelta(0)
    assert by_id[reply].parent_id == root and by_id[reply].conversation_id == root
    assert not carol.is_brand_reply
    search = api.search_requests()[0].query
    assert search["sort"] == "latest" and search["since"].endswith("Z")
    assert {r.query["q"] for r in api.search_requests()} == {"Acme", '"Acme Cloud"', "mentions:help.acme.com"}
    answer = api.add_post("@dan.example.com sorry, DM us", handle="help.acme.com", reply_to=reply)
    asked = api.add_post("@help.acme.com are you there?", handle="erin.bsky.social")
    later = {m.external_id: m for m in make(api, clock).fetch(batch.cursor, limit=10).mentions}
    assert set(later) == {asked} and not later[asked].is_brand_reply  # the brand's answer names no brand term
    own = make(api, clock, queries=["DM"]).fetch(None, limit=10).mentions
    assert [(m.external_id, m.is_brand_reply) for m in own] == [(answer, True)]
    assert json.loads(json.dumps(batch.cursor)) == batch.cursor and "Jwt" not in json.dumps(batch.cursor)


def test_session_is_saved_and_reused_across_restarts(api: FakeBluesky, clock: ManualClock, tmp_path: Path) -> None:
    api.add_post("Acme one")
    folder = tmp_path / "state"
    make(api, clock, session_dir=folder).fetch(None, limit=10)
    make(api, clock, session_dir=folder).fetch(None, limit=10)
    assert api.logins == 1
    (saved,) = folder.iterdir()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600 and api.password not in saved.read_text()
    from connectors import bluesky

    bluesky._SESSIONS.clear()  # a new process: only the file remains
    make(api, clock, session_dir=folder).fetch(None, limit=10)
    assert api.logins == 1


def test_expired_session_logs_in_again_once(api: FakeBluesky, clock: ManualClock) -> None:
    post = api.add_post("Acme down")
    make(api, clock).fetch(None, limit=10)
    api.expire_sessions()
    batch = make(api, clock).fetch(None, limit=10)
    assert [m.external_id for m in batch.mentions] == [post] and api.logins == 2


def test_short_lived_tokens_are_refreshed_not_relogged(api: FakeBluesky, clock: ManualClock) -> None:
    api.access_lifetime = timedelta(minutes=5)  # atproto refreshes 15 minutes before expiry
    api.add_post("Acme slow")
    make(api, clock).fetch(None, limit=10)
    make(api, clock).fetch(None, limit=10)
    assert api.logins == 1 and api.refreshes >= 1


def test_login_budget_is_never_exceeded(api: FakeBluesky, clock: ManualClock) -> None:
    for _ in range(3):
        api.expire_sessions()
        api.valid_refresh.clear()
        from connectors import bluesky

        bluesky._SESSIONS.clear()
        try:
            make(api, clock, max_logins=2).fetch(None, limit=5)
        except SourceUnavailable as exc:
            assert "login budget" in str(exc) and exc.retry_after and exc.retry_after <= 300
    assert api.logins == 2
    clock.advance(timedelta(minutes=5))
    make(api, clock, max_logins=2).fetch(None, limit=5)
    assert api.logins == 3


def test_wrong_password_is_an_auth_error_without_the_secret(api: FakeBluesky, clock: ManualClock) -> None:
    with pytest.raises(SourceAuthError) as caught:
        make(api, clock, password="wrong-secret").fetch(None, limit=5)
    assert "wrong-secret" not in str(caught.value) and "app password" in str(caught.value)


def test_backlog_pages_resume_without_loss(api: FakeBluesky, clock: ManualClock) -> None:
    published = {api.add_post(f"Acme {i}", age=timedelta(seconds=100 - i // 3)) for i in range(40)}
    connector, cursor, seen = make(api, clock, queries=["Acme"], page_size=7), None, []
    for _ in range(6):
        batch = connector.fetch(cursor, limit=9)
        assert len(batch.mentions) <= 9
        seen += [m.external_id for m in batch.mentions]
        cursor = batch.cursor
    assert len(seen) == len(set(seen)) and set(seen) == published
    clock.advance(timedelta(seconds=30))
    late = api.add_post("Acme late", age=timedelta(seconds=5), index_delay=timedelta(seconds=4))
    assert [m.external_id for m in connector.fetch(cursor, limit=9).mentions] == [late]


@pytest.mark.parametrize(("fault", "error"), [("401", SourceAuthError), ("403", SourceAuthError),
                                              ("429", SourceUnavailable), ("500", SourceUnavailable),
                                              ("503", SourceUnavailable), ("truncated", SourceUnavailable),
                                              ("slow", SourceUnavailable), ("reset", SourceUnavailable)])
def test_faults_during_search_raise_project_errors(api: FakeBluesky, clock: ManualClock, fault: str,
                                                   error: type) -> None:
    api.add_post("Acme down")
    connector = make(api, clock, timeout=0.3 if fault == "slow" else 5.0)
    connector.fetch(None, limit=5)  # logged in
    api.fail(fault, "/xrpc/app.bsky.feed.searchPosts")
    with pytest.raises(error) as caught:
        connector.fetch(None, limit=5)
    assert type(caught.value) is error
    if fault == "429":
        assert caught.value.retry_after == pytest.approx(90, abs=1)


def test_malformed_posts_are_skipped_and_empty_results_are_fine(api: FakeBluesky, clock: ManualClock) -> None:
    assert make(api, clock).fetch(None, limit=5).mentions == []
    good = api.add_post("Acme good")
    api.add_post("Acme broken")
    api.posts[-1]["record"]["createdAt"] = "not a date"
    batch = make(api, clock).fetch(None, limit=5)
    assert [m.external_id for m in batch.mentions] == [good]
    assert any("malformed" in p for p in batch.problems)


def test_follower_counts_are_fetched_25_authors_at_a_time_and_cached(api: FakeBluesky, clock: ManualClock) -> None:
    for i in range(30):
        api.add_post(f"Acme {i}", handle=f"user{i:02d}.bsky.social", followers=i * 10)
    connector = make(api, clock, queries=["Acme"])
    batch = connector.fetch(None, limit=50)
    assert sorted(m.author.followers or 0 for m in batch.mentions) == [i * 10 for i in range(30)]
    profile_calls = [r for r in api.requests if r.path.endswith("getProfiles")]
    assert len(profile_calls) == 2
    api.add_post("Acme again", handle="user01.bsky.social")
    again = connector.fetch(batch.cursor, limit=50)
    assert [m.author.followers for m in again.mentions] == [10]
    assert len([r for r in api.requests if r.path.endswith("getProfiles")]) == 2  # cached
    plain = make(api, clock, queries=["Acme"], fetch_followers=False).fetch(None, limit=5)
    assert all(m.author.followers is None for m in plain.mentions)


def test_check_logs_in_and_searches(api: FakeBluesky, clock: ManualClock) -> None:
    make(api, clock).check()
    assert api.logins == 1 and len(api.search_requests()) == 1
    stranger = BlueskyOptions(handle="someone.else", app_password=SecretStr("nope"), base_url=api.url)
    with pytest.raises(SourceAuthError):
        BlueskyConnector(stranger, ConnectorContext("b", BRAND, clock)).check()
