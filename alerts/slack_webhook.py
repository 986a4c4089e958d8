"""Slack through an incoming webhook: the simplest setup, one fixed channel, no threads or edits.

Every event is a new message with the same Block Kit as the bot-token channel (escalations and
resolutions say so in the header). The webhook URL is itself a credential, so it is a Secret: it is
never put in an error, and a filter on slack_sdk's webhook logger redacts it from its debug lines.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from alerts.base import AlertMessage, Notifier, NotifierOptions, Receipt
from alerts.http_errors import status_error
from alerts.render import alert_view
from alerts.slack import NETWORK_ERRORS, network_error
from alerts.slack_blocks import alert_blocks, fallback_text
from monitor.errors import DeliveryError
from monitor.net_words import host_of
from monitor.secrets import Secret

_HOOK_PATH = re.compile(r"(https?://[^/\s'\"]+/(?:services|workflows|triggers|hooks)/)[^\s'\",}]+")


class RedactWebhookUrls(logging.Filter):
    """slack_sdk logs the full webhook URL ("Sending a request - url: ...") at debug level: cut its secret part."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        with self._lock:
            self.secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _HOOK_PATH.sub(r"\1***", message)
        with self._lock:
            for secret in self.secrets:
                cleaned = cleaned.replace(secret, "***")
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


REDACT = RedactWebhookUrls()
logging.getLogger("slack_sdk.webhook.client").addFilter(REDACT)


class SlackWebhookOptions(NotifierOptions):
    url: Secret
    timeout_s: int = Field(10, ge=1, le=120)
    examples: int = Field(3, ge=0, le=10)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value().strip())
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError("must be the whole https://hooks.slack.com/services/... URL "
                             "(copy it from the Slack app's Incoming Webhooks page)")
        return value


class SlackWebhookNotifier(Notifier[SlackWebhookOptions]):
    kind = "slack_webhook"
    Options = SlackWebhookOptions

    def __init__(self, channel_id: str, options: SlackWebhookOptions) -> None:
        super().__init__(channel_id, options)
        url = options.url.get_secret_value().strip()
        REDACT.add(url)
        self.client = WebhookClient(url, timeout=options.timeout_s, retry_handlers=[])

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        view = alert_view(message, max_examples=self.options.examples)
        try:
            resp = self.client.send(text=fallback_text(view), blocks=alert_blocks(view),
                                    unfurl_links=False, unfurl_media=False)
        except NETWORK_ERRORS as exc:
            raise network_error(self.channel_id, "webhook", exc, host_of(self.client.url)) from None
        except (SlackRequestError, ValueError):  # their messages quote the URL: never repeat it
            raise DeliveryError(self.channel_id, "slack webhook: the URL cannot be used (check the channel's url)",
                                transient=False) from None
        error = status_error(self.channel_id, resp.status_code, resp.headers, resp.body or "")
        if error is not None:
            raise error
        if (resp.body or "").strip() not in ("", "ok"):
            raise DeliveryError(self.channel_id, f"slack webhook: unexpected answer {resp.body[:100]!r}",
                                transient=False)
        return Receipt(channel=self.channel_id, message_id=idempotency_key)

    def check(self) -> str:
        """Slack has no way to test an incoming webhook without posting: check its host answers."""
        url = urlsplit(self.options.url.get_secret_value().strip())
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            socket.create_connection((url.hostname or "", port), timeout=self.options.timeout_s).close()
        except OSError as exc:
            raise DeliveryError(self.channel_id, f"slack webhook host {url.hostname}:{port}: {exc}",
                                transient=True) from None
        return f"{url.hostname}:{port} reachable (the webhook URL itself is verified only by a real post)"
