"""Generic webhook notifier against a real local HTTP server (pytest-httpserver)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pydantic import ValidationError
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from alerts.http_errors import parse_retry_after
from alerts.webhook import SCHEMA, SIGNATURE_HEADER, WebhookNotifier, WebhookOptions, verify
from monitor.errors import DeliveryError
from tests.fakes.alert_messages import HOSTILE, SCRIPT, sample_message
from tests.fakes.smtp import free_port

SECRET = "whsec-test-123"


def make(url: str, monkeypatch: pytest.MonkeyPatch, **extra: object) -> WebhookNotifier:
    monkeypatch.setenv("GS_TEST_WEBHOOK_SECRET", SECRET)
    opts = WebhookOptions.model_validate({"url": url, "secret": {"env": "GS_TEST_WEBHOOK_SECRET"},
                                          "timeout_s": 2, **extra})
    return WebhookNotifier("hook", opts)


def test_signed_json_with_documented_schema(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[Request] = []

    def handler(request: Request) -> Response:
        received.append(request)
        return Response("accepted", status=202)

    httpserver.expect_request("/alerts", method="POST").respond_with_handler(handler)
    notifier = make(httpserver.url_for("/alerts"), monkeypatch, headers={"X-Team": "comms"})
    receipt = notifier.send(sample_message(), idempotency_key="gs-7-hook")
    [request] = received
    body = request.get_data()
    assert verify(body, SECRET, request.headers[SIGNATURE_HEADER])
    assert not verify(body + b" ", SECRET, request.headers[SIGNATURE_HEADER])
    assert request.headers["Idempotency-Key"] == "gs-7-hook" and request.headers["X-Team"] == "comms"
    assert request.headers["X-Groundswell-Event"] == "opened"
    assert request.headers["Content-Type"].startswith("application/json")
    doc = json.loads(body)
    assert doc["schema"] == SCHEMA and doc["alert_id"] == 7 and doc["incident_id"] == 3
    assert doc["brand"] == {"id": "brightwave", "name": "Brightwave & Co"}
    assert doc["severity"] == 3 and doc["severity_name"] == "high" and doc["trigger"] == "spike"
    assert doc["opened_at"] == "2026-11-23T18:40:00+00:00"
    assert doc["counts"]["categories"]["outage"] == 30
    assert len(doc["examples"]) == 3 and doc["examples"][0]["text"] == HOSTILE  # raw: the receiver escapes
    assert doc["examples"][1]["text"] == SCRIPT and doc["examples"][1]["url"] == ""  # javascript: dropped
    assert "\x07" not in doc["examples"][2]["text"] and "\u202e" not in doc["examples"][2]["text"]
    assert doc["triggers"] == ["spike"] and doc["timezone"] == "UTC"
    assert doc["opened_at_local"] == "Mon 23 Nov 18:40 UTC"
    assert receipt.message_id == "gs-7-hook"


def test_retry_sends_identical_bytes(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    notifier = make(httpserver.url_for("/a"), monkeypatch)
    notifier.send(sample_message(), idempotency_key="k")
    notifier.send(sample_message(), idempotency_key="k")
    (first, _), (second, _) = httpserver.log
    assert first.get_data() == second.get_data()
    assert first.headers[SIGNATURE_HEADER] == second.headers[SIGNATURE_HEADER]


def test_no_secret_no_signature(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    WebhookNotifier("hook", WebhookOptions(url=httpserver.url_for("/a"))).send(sample_message(),
                                                                               idempotency_key="k")
    assert SIGNATURE_HEADER not in httpserver.log[0][0].headers


@pytest.mark.parametrize(("status", "transient"), [
    (429, True), (500, True), (502, True), (503, True), (408, True),
    (400, False), (401, False), (403, False), (404, False), (410, False), (301, False),
])
def test_status_mapping(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, status: int,
                        transient: bool) -> None:
    headers = {"Retry-After": "12"} if status == 429 else {}
    if status == 301:
        headers = {"Location": "https://elsewhere.example/"}
    httpserver.expect_request("/a").respond_with_data("nope", status=status, headers=headers)
    with pytest.raises(DeliveryError) as err:
        make(httpserver.url_for("/a"), monkeypatch).send(sample_message(), idempotency_key="k")
    assert err.value.transient is transient and f"HTTP {status}" in str(err.value)
    assert err.value.retry_after == (12.0 if status == 429 else None)
    assert SECRET not in str(err.value)


def test_500_then_200(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    httpserver.expect_ordered_request("/a").respond_with_data("down", status=500)
    httpserver.expect_ordered_request("/a").respond_with_data("ok")
    notifier = make(httpserver.url_for("/a"), monkeypatch)
    with pytest.raises(DeliveryError):
        notifier.send(sample_message(), idempotency_key="k")
    notifier.send(sample_message(), idempotency_key="k")
    assert len(httpserver.log) == 2


def test_connection_refused_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DeliveryError) as err:
        make(f"http://127.0.0.1:{free_port()}/a", monkeypatch).send(sample_message(), idempotency_key="k")
    assert err.value.transient


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_options_validation() -> None:
    for bad in ({"url": "ftp://x.example/"}, {"url": "javascript:alert(1)"},
                {"url": "https://x.example", "secret": "literal"}, {"url": "https://x.example", "sekret": 1}):
        with pytest.raises(ValidationError):
            WebhookOptions.model_validate(bad)


def test_signature_v2_covers_a_timestamp_so_old_requests_cannot_be_replayed(httpserver: HTTPServer,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from alerts import webhook

    httpserver.expect_request("/alerts", method="POST").respond_with_data("ok")
    sent_at = int(datetime.now(UTC).timestamp())
    make(httpserver.url_for("/alerts"), monkeypatch).send(sample_message(), idempotency_key="gs-7-hook")
    request = httpserver.log[0][0]
    body, stamp = request.get_data(), request.headers["X-Groundswell-Timestamp"]
    signature = request.headers["X-Groundswell-Signature-V2"]
    assert abs(int(stamp) - sent_at) <= 2
    assert webhook.verify_request(body, SECRET, stamp, signature)
    assert not webhook.verify_request(body, SECRET, stamp, signature, now=int(stamp) + 301)  # replayed later
    assert webhook.verify_request(body, SECRET, stamp, signature, now=int(stamp) + 299)  # within tolerance
    assert not webhook.verify_request(body + b" ", SECRET, stamp, signature)  # body changed
    assert not webhook.verify_request(body, SECRET, str(int(stamp) + 60), signature)  # timestamp swapped
    assert not webhook.verify_request(body, "other-secret", stamp, signature)
    assert not webhook.verify_request(body, SECRET, "soon", signature)
