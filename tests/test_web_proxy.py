"""Sign-in by a trusted reverse proxy's header, over real HTTP (uvicorn on a free port, real databases):
believed only from the trusted addresses, only for existing enabled users, role from the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from pydantic import ValidationError

from monitor.settings import WebSettings
from monitor.web.accounts import set_disabled
from monitor.web.proxy import trusted_peer
from monitor.web.server import WebThread
from tests.fakes.processes import free_port
from tests.fakes.web_seed import Seeded, seed

HEADER = "X-Forwarded-User"


@contextmanager
def serving(database_url: str, proxies: list[str]) -> Iterator[tuple[str, Seeded]]:
    port = free_port()
    seeded = seed(database_url, address=f"127.0.0.1:{port}", trusted_proxy_header=HEADER, trusted_proxies=proxies)
    web = WebThread(seeded.settings, seeded.engine).start()
    try:
        yield f"http://127.0.0.1:{port}", seeded
    finally:
        web.stop()


def test_the_header_from_a_trusted_proxy_signs_in_with_the_databases_role(database_url: str) -> None:
    with serving(database_url, ["127.0.0.1/32"]) as (base, seeded):
        page = httpx.get(f"{base}/incidents", headers={HEADER: "vera"}, timeout=10)
        assert page.status_code == 200 and "vera (viewer)" in page.text  # role from the database
        assert httpx.get(f"{base}/incidents", headers={HEADER: "otto"}, timeout=10).text.count("otto (operator)")
        unknown = httpx.get(f"{base}/incidents", headers={HEADER: "<b>nobody</b>"}, timeout=10)
        assert unknown.status_code == 403 and "not a Groundswell user" in unknown.text
        assert "<b>nobody" not in unknown.text and "&lt;b&gt;nobody" in unknown.text  # escaped
        set_disabled(seeded.engine, "vera", True)
        assert httpx.get(f"{base}/incidents", headers={HEADER: "vera"}, timeout=10).status_code == 403
        without = httpx.get(f"{base}/incidents", timeout=10)  # no header: the ordinary sign-in
        assert without.status_code == 303 and without.headers["location"].startswith("/login")


def test_a_spoofed_header_from_an_untrusted_address_is_ignored(database_url: str) -> None:
    with serving(database_url, ["10.0.0.0/8", "::1/128"]) as (base, _seeded):  # 127.0.0.1 is not trusted
        spoofed = httpx.get(f"{base}/incidents", headers={HEADER: "otto", "X-Forwarded-For": "10.1.2.3"},
                            timeout=10)
        assert spoofed.status_code == 303 and spoofed.headers["location"].startswith("/login")
        assert "otto" not in spoofed.text


def test_peer_matching_and_settings_validation() -> None:
    assert trusted_peer("127.0.0.1", ("127.0.0.1/32",)) and trusted_peer("::ffff:10.0.0.7", ("10.0.0.0/8",))
    assert not trusted_peer("127.0.0.2", ("127.0.0.1/32",)) and not trusted_peer("testclient", ("0.0.0.0/0",))
    assert not trusted_peer(None, ("0.0.0.0/0",))
    with pytest.raises(ValidationError, match="needs trusted_proxies"):
        WebSettings(trusted_proxy_header=HEADER)
    with pytest.raises(ValidationError, match="not an address or network"):
        WebSettings(trusted_proxy_header=HEADER, trusted_proxies=["localhost"])
