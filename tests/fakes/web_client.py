"""The workspace over Starlette's TestClient on the seeded database (tests/fakes/web_seed.py), signed in or not."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from monitor.web.app import create_app
from tests.fakes.web_seed import NOW, PASSWORD, Seeded


def client_for(seeded: Seeded, *, allow_actions: bool = True) -> TestClient:
    return TestClient(create_app(seeded.settings, seeded.engine, allow_actions=allow_actions, clock=lambda: NOW,
                                 secret_key="k" * 40), follow_redirects=False)


def token(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def signed_in(seeded: Seeded, name: str = "otto", **kwargs: bool) -> TestClient:
    client = client_for(seeded, **kwargs)
    response = client.post("/login", data={"csrf": token(client), "name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return client
