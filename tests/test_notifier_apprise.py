"""Apprise notifier: a real Apprise json:// target served locally, and the missing-extra error."""

from __future__ import annotations

import json
import sys

import pytest
from pytest_httpserver import HTTPServer

from alerts.apprise_notifier import AppriseNotifier, AppriseOptions
from alerts.escape import defuse_mentions
from monitor.errors import ConfigError, DeliveryError
from tests.fakes.alert_messages import sample_message


def make(url: str, monkeypatch: pytest.MonkeyPatch) -> AppriseNotifier:
    monkeypatch.setenv("GS_TEST_APPRISE_URL", url)
    return AppriseNotifier("apprise", AppriseOptions.model_validate({"urls": [{"env": "GS_TEST_APPRISE_URL"}]}))


def json_url(httpserver: HTTPServer) -> str:
    return f"json://{httpserver.host}:{httpserver.port}/notify"


def test_delivers_plain_text_with_mentions_defused(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    httpserver.expect_request("/notify", method="POST").respond_with_data("ok")
    make(json_url(httpserver), monkeypatch).send(sample_message(), idempotency_key="k")
    [(request, _)] = httpserver.log
    doc = json.loads(request.get_data())
    assert doc["title"].startswith("[HIGH] Brightwave & Co: Outage complaints spiking <\u2060!here>")
    assert doc["type"] == "failure"
    assert "41 negative mentions from 33 people" in doc["message"]
    for raw in ("<!channel>", "<@U123>", "<!here>", "<http://evil", "<script>"):
        assert raw not in doc["message"] and raw not in doc["title"]


def test_rejected_delivery_is_transient(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    httpserver.expect_request("/notify").respond_with_data("down", status=500)
    with pytest.raises(DeliveryError) as err:
        make(json_url(httpserver), monkeypatch).send(sample_message(event="resolved"), idempotency_key="k")
    assert err.value.transient


def test_bad_url_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"urls\[0\]"):
        make("nosuchscheme://x", monkeypatch)


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # what `import apprise` sees when it is not installed
    with pytest.raises(ConfigError, match=r"groundswell\[apprise\]"):
        make("json://127.0.0.1/x", monkeypatch)


def test_defuse_mentions() -> None:
    assert defuse_mentions("@everyone <@U1> <!here> <#C1> <http://e|x> <b>a</b> 1 < 2") == \
        "@\u2060everyone <\u2060@U1> <\u2060!here> <\u2060#C1> <\u2060http://e|x> <\u2060b>a<\u2060/b> 1 < 2"
