"""Slack notifiers (bot token and incoming webhook) against a real local HTTP server shaped like Slack."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from alerts.slack import SlackNotifier, SlackOptions
from alerts.slack_webhook import SlackWebhookNotifier, SlackWebhookOptions
from monitor.errors import DeliveryError
from tests.fakes.alert_messages import sample_message
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import free_port

SLACK_CONTROL = re.compile(r"<[!@#]|<https?://evil|<javascript:")


@pytest.fixture()
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


def make(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, channel: str = "C0ALERTS1",
         token: str = "xoxb-test-token") -> SlackNotifier:
    monkeypatch.setenv("GS_TEST_SLACK_TOKEN", token)
    options = SlackOptions.model_validate({"token": {"env": "GS_TEST_SLACK_TOKEN"}, "channel": channel,
                                           "base_url": fake.api_url})
    return SlackNotifier("slack-alerts", options)


def all_text(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


def test_headline_has_block_kit_structure_fallback_and_escaped_text(fake: FakeSlack,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    receipt = make(fake, monkeypatch).send(sample_message(), idempotency_key="gs-7-slack-alerts")
    [call] = fake.calls
    body = call.body
    assert call.method == "chat.postMessage" and body["channel"] == "C0ALERTS1"
    assert receipt.message_id in fake.messages and receipt.extra["channel"] == "C0ALERTS1"
    assert body["text"].startswith("[HIGH] Brightwave &amp; Co: Outage complaints spiking &lt;!here&gt;")
    header = body["blocks"][0]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert "HIGH" in header["text"]["text"] and "Brightwave & Co" in header["text"]["text"]
    assert "41 negative mentions from 33 people" in body["blocks"][1]["text"]["text"]
    [examples] = [b for b in body["blocks"] if b["type"] == "section" and ">" in b.get("text", {}).get("text", "")]
    assert examples["text"]["text"].count("\n>— ") == 3  # three examples, in one block
    assert "<https://x.com/mallory/status/1|@mallory>" in examples["text"]["text"]
    assert "120.5k followers" in examples["text"]["text"]
    contexts = " ".join(e["text"] for b in body["blocks"] if b["type"] == "context" for e in b["elements"])
    assert "*Categories:* outage 30, billing 5" in contexts and "*Platforms:* x 25, reddit 16" in contexts
    assert "*Mentions* 41" in contexts and "negative mentions spiking" in contexts
    assert "since Mon 23 Nov 18:40 UTC" in contexts and "groundswell incidents show 3" in contexts
    assert len(body["blocks"]) <= 5 and not any(b.get("fields") for b in body["blocks"])  # compact
    assert body["metadata"]["event_payload"]["idempotency_key"] == "gs-7-slack-alerts"
    assert body["unfurl_links"] is False
    text = all_text(body)
    assert not SLACK_CONTROL.search(text), SLACK_CONTROL.search(text)
    assert "&lt;!channel&gt; click &lt;http://evil.example|here&gt; &lt;@U123&gt;" in text
    assert "javascript:" not in text


def test_block_kit_limits_hold_for_huge_hostile_texts(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = "&<>" * 3000
    message = sample_message(title=huge, reason=huge, brand_name=huge,
                             examples=tuple(dataclasses.replace(e, text=huge, author=huge)
                                            for e in sample_message().examples))
    make(fake, monkeypatch).send(message, idempotency_key="k")
    body = fake.calls[0].body
    assert len(body["blocks"][0]["text"]["text"]) <= 150 and len(body["text"]) <= 3000
    for block in body["blocks"]:
        texts = [block.get("text", {}).get("text", "")] + [f["text"] for f in block.get("fields", [])]
        texts += [e["text"] for e in block.get("elements", [])]
        assert all(len(t) <= 3000 for t in texts), block["type"]
    assert len(body["blocks"]) <= 50


def test_escalation_updates_headline_then_replies_in_thread(fake: FakeSlack,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    notifier = make(fake, monkeypatch)
    first = notifier.send(sample_message(), idempotency_key="k1")
    escalated = sample_message(alert_id=8, event="escalated", severity=4, thread={"slack-alerts": first.message_id})
    second = notifier.send(escalated, idempotency_key="k2")
    assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.update", "chat.postMessage"]
    update, reply = fake.calls[1].body, fake.calls[2].body
    assert update["ts"] == first.message_id and update["channel"] == "C0ALERTS1"
    assert "ESCALATED" in update["blocks"][0]["text"]["text"] and "CRITICAL" in update["blocks"][0]["text"]["text"]
    assert reply["thread_ts"] == first.message_id and reply["reply_broadcast"] is True
    assert second.message_id == first.message_id  # the thread root stays the receipt for later events
    headline = fake.messages[first.message_id]
    assert headline.updates == 1 and headline.text.startswith("Escalated: [CRITICAL]")
    assert not SLACK_CONTROL.search(all_text(update) + all_text(reply))


def test_resolution_with_channel_name_replies_first_then_edits(fake: FakeSlack,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = make(fake, monkeypatch, channel="#alerts").send(sample_message(), idempotency_key="k1")
    restarted = make(fake, monkeypatch, channel="#alerts")  # has not seen the channel's ID yet
    restarted.send(sample_message(alert_id=9, event="resolved", thread={"slack-alerts": first.message_id}),
                   idempotency_key="k3")
    assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.postMessage", "chat.update"]
    reply, update = fake.calls[1].body, fake.calls[2].body
    assert reply["thread_ts"] == first.message_id and reply["reply_broadcast"] is False
    assert len(reply["blocks"]) == 3  # compact: header, reason, footer
    assert update["channel"] == "C0ALERTS1" and update["ts"] == first.message_id
    assert "RESOLVED" in fake.messages[first.message_id].blocks[0]["text"]["text"]


def test_other_events_in_thread_do_not_edit_the_headline(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    notifier = make(fake, monkeypatch)
    first = notifier.send(sample_message(), idempotency_key="k1")
    notifier.send(sample_message(event="test", thread={"slack-alerts": first.message_id}), idempotency_key="k2")
    assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.postMessage"]


def test_missing_headline_does_not_block_the_reply(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    receipt = make(fake, monkeypatch).send(
        sample_message(event="escalated", thread={"slack-alerts": "1600000000.000001"}), idempotency_key="k")
    assert [c.method for c in fake.calls] == ["chat.update", "chat.postMessage"]
    assert fake.calls[1].body["thread_ts"] == "1600000000.000001" and receipt.message_id == "1600000000.000001"


def test_transient_update_failure_raises_before_any_reply(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    notifier = make(fake, monkeypatch)
    first = notifier.send(sample_message(), idempotency_key="k1")
    fake.fail_next(500)
    with pytest.raises(DeliveryError) as err:
        notifier.send(sample_message(event="escalated", thread={"slack-alerts": first.message_id}),
                      idempotency_key="k2")
    assert err.value.transient
    assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.update"]  # no reply to duplicate


def test_429_is_transient_with_retry_after_and_not_retried_inside(fake: FakeSlack,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    notifier = make(fake, monkeypatch)
    fake.fail_next(429, retry_after="7")
    with pytest.raises(DeliveryError) as err:
        notifier.send(sample_message(), idempotency_key="k")
    assert err.value.transient and err.value.retry_after == 7.0 and err.value.channel == "slack-alerts"
    assert len(fake.calls) == 1  # one attempt: the outbox owns retries
    assert notifier.send(sample_message(), idempotency_key="k").message_id  # 429 then 200


@pytest.mark.parametrize(("status", "error", "transient"), [
    (500, "", True), (503, "", True), (200, "internal_error", True), (200, "ratelimited", True),
    (200, "invalid_auth", False), (200, "channel_not_found", False), (200, "not_in_channel", False),
    (200, "is_archived", False), (200, "invalid_blocks", False),
])
def test_error_mapping(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, status: int, error: str,
                       transient: bool) -> None:
    fake.fail_next(status, error)
    with pytest.raises(DeliveryError) as err:
        make(fake, monkeypatch).send(sample_message(), idempotency_key="k")
    assert err.value.transient is transient
    assert (error or str(status)) in str(err.value)


def test_wrong_token_is_permanent_and_never_appears_in_the_error(fake: FakeSlack,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DeliveryError) as err:
        make(fake, monkeypatch, token="xoxb-wrong-secret").send(sample_message(), idempotency_key="k")
    assert not err.value.transient and "invalid_auth" in str(err.value)
    assert "xoxb-wrong-secret" not in str(err.value)


def test_unknown_channel_is_permanent(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DeliveryError) as err:
        make(fake, monkeypatch, channel="#nowhere").send(sample_message(), idempotency_key="k")
    assert not err.value.transient and "channel_not_found" in str(err.value)


def test_hang_up_without_answer_is_transient(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.fail_next(0)
    with pytest.raises(DeliveryError) as err:
        make(fake, monkeypatch).send(sample_message(), idempotency_key="k")
    assert err.value.transient and len(fake.calls) == 1


def test_webhook_hang_up_is_transient(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.fail_next(0)
    with pytest.raises(DeliveryError) as err:
        make_hook(fake, monkeypatch).send(sample_message(), idempotency_key="k")
    assert err.value.transient


def test_connection_refused_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GS_TEST_SLACK_TOKEN", "xoxb-test-token")
    options = SlackOptions.model_validate({"token": {"env": "GS_TEST_SLACK_TOKEN"}, "channel": "C0ALERTS1",
                                           "base_url": f"http://127.0.0.1:{free_port()}/api"})
    with pytest.raises(DeliveryError) as err:
        SlackNotifier("slack-alerts", options).send(sample_message(), idempotency_key="k")
    assert err.value.transient


def test_check_calls_auth_test(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    assert make(fake, monkeypatch).check() == "token valid (auth.test: team Test Team, user groundswell)"
    assert fake.calls_to("auth.test")[0].headers["authorization"] == "Bearer xoxb-test-token"


def test_options_refuse_literal_tokens_and_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        SlackOptions.model_validate({"token": "xoxb-literal", "channel": "C1"})
    with pytest.raises(ValidationError):
        SlackOptions.model_validate({"token": {"env": "PATH"}, "channel": "C1", "chanel": "typo"})


# -- incoming webhooks -------------------------------------------------------------------------------

def make_hook(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> SlackWebhookNotifier:
    monkeypatch.setenv("GS_TEST_SLACK_HOOK", f"{fake.base}/hooks/T0/B0/secretpart")
    options = SlackWebhookOptions.model_validate({"url": {"env": "GS_TEST_SLACK_HOOK"}})
    return SlackWebhookNotifier("slack-hook", options)


def test_webhook_posts_blocks_and_fallback_never_threads(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    notifier = make_hook(fake, monkeypatch)
    notifier.send(sample_message(), idempotency_key="k1")
    notifier.send(sample_message(event="escalated", thread={"slack-hook": "k1"}), idempotency_key="k2")
    first, second = (c.body for c in fake.calls_to("webhook"))
    assert first["text"].startswith("[HIGH] Brightwave &amp; Co") and first["blocks"][0]["type"] == "header"
    assert "thread_ts" not in second and "ESCALATED" in second["blocks"][0]["text"]["text"]
    assert not SLACK_CONTROL.search(all_text(first) + all_text(second))


@pytest.mark.parametrize(("status", "error", "transient"), [
    (429, "rate_limited", True), (500, "internal_error", True),
    (404, "no_service", False), (403, "invalid_token", False), (410, "channel_is_archived", False),
])
def test_webhook_error_mapping(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, status: int, error: str,
                               transient: bool) -> None:
    fake.fail_next(status, error, retry_after="3" if status == 429 else None)
    with pytest.raises(DeliveryError) as err:
        make_hook(fake, monkeypatch).send(sample_message(), idempotency_key="k")
    assert err.value.transient is transient and error in str(err.value)
    assert err.value.retry_after == (3.0 if status == 429 else None)
    assert "secretpart" not in str(err.value)


def test_find_sent_finds_an_earlier_attempt_by_its_idempotency_key(fake: FakeSlack,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    notifier = make(fake, monkeypatch)
    headline = notifier.send(sample_message(), idempotency_key="gs-1-slack")
    reply = notifier.send(sample_message(alert_id=2, event="growing", thread={"slack-alerts": headline.message_id}),
                          idempotency_key="gs-2-slack")
    restarted = make(fake, monkeypatch)  # a new process after a crash: nothing in memory
    found = restarted.find_sent(sample_message(), idempotency_key="gs-1-slack")
    assert found is not None and found.message_id == headline.message_id
    in_thread = restarted.find_sent(sample_message(alert_id=2, event="growing",
                                                   thread={"slack-alerts": headline.message_id}),
                                    idempotency_key="gs-2-slack")
    assert in_thread is not None and in_thread.extra["ts"] == reply.extra["ts"]
    assert in_thread.message_id == headline.message_id  # later events still thread under the headline
    assert restarted.find_sent(sample_message(), idempotency_key="gs-3-slack") is None
    assert [c.method for c in fake.calls[-3:]] == ["conversations.history", "conversations.replies",
                                                    "conversations.history"]


def test_find_sent_without_history_access_posts_again_but_waits_out_outages(fake: FakeSlack,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    notifier = make(fake, monkeypatch)
    notifier.send(sample_message(), idempotency_key="gs-1-slack")
    fake.fail_next(error="missing_scope")  # no channels:history scope: fall back to at-least-once
    assert notifier.find_sent(sample_message(), idempotency_key="gs-1-slack") is None
    fake.fail_next(500)
    with pytest.raises(DeliveryError) as failed:
        notifier.find_sent(sample_message(), idempotency_key="gs-1-slack")
    assert failed.value.transient
    by_name = make(fake, monkeypatch, channel="#alerts")  # no channel ID known: cannot look
    calls = len(fake.calls)
    assert by_name.find_sent(sample_message(), idempotency_key="gs-1-slack") is None and len(fake.calls) == calls
