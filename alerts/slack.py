"""Slack through a bot token (Web API): headline message, then updates in its thread.

The first event of an incident in this channel posts a headline; its ``ts`` is the Receipt's
``message_id``. Later events (``message.thread[channel_id]`` holds that ts) are posted as thread
replies (escalations also broadcast to the channel), and for the events in ``UPDATED_EVENTS`` (escalated,
updated, joined, resolved, acknowledged, snoozed, woke) the headline is edited with ``chat.update`` so the channel
shows the incident's current state.

One attempt per send: slack_sdk's retry handlers are switched off and every failure becomes a
DeliveryError (429 and 5xx transient with Retry-After; bad token, unknown channel, not invited:
permanent). Give ``channel`` as the channel ID (``C0123ABCD``) so the headline can be edited before the
reply is posted; with a ``#name`` the edit happens after the reply and its failure is only recorded.

Exactly once in practice: every message carries the idempotency key in its metadata, and before a retry
(an earlier attempt may have been posted just before a crash) :meth:`SlackNotifier.find_sent` looks the
key up in the channel's recent history (``conversations.history``, or ``conversations.replies`` for a
thread reply; scopes ``channels:history``/``groups:history``).  The lookup needs the channel ID and
``metadata = true``; without them, or without the scope, a retry posts again (at least once).
"""

from __future__ import annotations

import http.client
import logging
import re
import ssl
from typing import Any
from urllib.error import URLError

from pydantic import Field, field_validator
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from alerts.base import AlertMessage, Notifier, NotifierOptions, Receipt
from alerts.http_errors import header, parse_retry_after
from alerts.render import alert_view
from alerts.slack_blocks import Block, action_block, alert_blocks, fallback_text
from monitor.errors import DeliveryError
from monitor.net_words import host_of, unreachable
from monitor.secrets import OptionalSecret, Secret

log = logging.getLogger(__name__)

_CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]{6,}$")
# API error codes worth retrying; every other error code means the config or the request is wrong.
TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                              "request_timeout", "team_not_ready"})
# the headline shows the current state
UPDATED_EVENTS = frozenset({"escalated", "updated", "joined", "resolved", "acknowledged", "snoozed", "woke"})
HISTORY_PAGES = 5  # at most 1,000 recent messages are searched for an earlier attempt
NETWORK_ERRORS = (URLError, OSError, TimeoutError, http.client.HTTPException)


class SlackOptions(NotifierOptions):
    token: Secret
    channel: str = Field(min_length=1, description="channel ID (C0123ABCD, preferred) or #name")
    base_url: str = "https://slack.com/api/"
    timeout_s: int = Field(10, ge=1, le=120)
    examples: int = Field(3, ge=0, le=10)
    broadcast_escalations: bool = True
    metadata: bool = True
    # An app-level token (xapp-..., scope connections:write): the headline gets Acknowledge / Snooze 4h /
    # Useful / Noise buttons, answered over Socket Mode by `groundswell run` (no public URL needed).
    app_token: OptionalSecret = None  # empty: no buttons

    @field_validator("channel")
    @classmethod
    def _channel_shape(cls, value: str) -> str:
        """A pasted link (".../archives/C0123ABCD") or "#my alerts" would fail every post as channel_not_found."""
        value = value.strip()
        if "://" in value or "/" in value:
            found = re.search(r"/archives/([CGD][A-Z0-9]{6,})", value)
            hint = (f"channel = \"{found.group(1)}\"" if found
                    else "the ID at the end of the channel's link, e.g. C0123ABCD")
            raise ValueError(f"give the channel ID, not a link: {hint}")
        if not value or any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is not a channel: give its ID (C0123ABCD) or #name without spaces")
        return value

    @field_validator("base_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"


class SlackNotifier(Notifier[SlackOptions]):
    kind = "slack"
    Options = SlackOptions

    def __init__(self, channel_id: str, options: SlackOptions) -> None:
        super().__init__(channel_id, options)
        self.client = WebClient(token=options.token.get_secret_value(), base_url=options.base_url,
                                timeout=options.timeout_s, retry_handlers=[])
        self._slack_channel = options.channel if _CHANNEL_ID_RE.match(options.channel) else ""

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        view = alert_view(message, max_examples=self.options.examples)
        text, blocks = fallback_text(view), alert_blocks(view, actions=self._buttons(message))
        root_ts = message.thread.get(self.channel_id, "")
        if not root_ts:
            resp = self._call("chat_postMessage", text=text, blocks=blocks,
                              **self._post_extras(message, idempotency_key))
            return self._receipt(resp, root=str(resp["ts"]))
        update = message.event in UPDATED_EVENTS
        update_after = update and not self._slack_channel  # a #name: its ID comes with the reply
        if update and not update_after:
            self._update(self._slack_channel, root_ts, text, blocks, strict=True)
        reply_blocks = alert_blocks(view, compact=message.event in ("resolved", "acknowledged", "snoozed", "woke"))
        broadcast = message.event == "escalated" and self.options.broadcast_escalations
        resp = self._call("chat_postMessage", text=text, blocks=reply_blocks, thread_ts=root_ts,
                          reply_broadcast=broadcast, **self._post_extras(message, idempotency_key))
        receipt = self._receipt(resp, root=root_ts)
        if update_after:
            error = self._update(self._slack_channel, root_ts, text, blocks, strict=False)
            if error:
                receipt.extra["update_error"] = error
        return receipt

    def find_sent(self, message: AlertMessage, *, idempotency_key: str) -> Receipt | None:
        """The receipt of a message an earlier attempt already posted, or None (post it now)."""
        channel = self._slack_channel
        if not channel or not self.options.metadata:
            log.warning("slack channel %s: cannot look for an earlier attempt (needs the channel ID and metadata); "
                        "posting again", self.channel_id)
            return None
        root_ts = message.thread.get(self.channel_id, "")
        if root_ts:  # a thread reply: look in its thread
            method, query = "conversations_replies", {"ts": root_ts}
        else:  # a headline: the channel since the incident opened
            method, query = "conversations_history", {"oldest": f"{message.opened_at.timestamp() - 300:.6f}"}
        cursor = None
        for _ in range(HISTORY_PAGES):
            try:
                resp = self._call(method, channel=channel, limit=200, include_all_metadata=True, cursor=cursor,
                                  **query)
            except DeliveryError as exc:
                if exc.transient:
                    raise
                log.warning("slack channel %s: history lookup refused (%s); posting again", self.channel_id, exc)
                return None
            for found in resp.get("messages") or []:
                payload = (found.get("metadata") or {}).get("event_payload") or {}
                if payload.get("idempotency_key") == idempotency_key:
                    ts = str(found.get("ts", ""))
                    return Receipt(channel=self.channel_id, message_id=root_ts or ts,
                                   extra={"channel": channel, "ts": ts, "found_after_retry": "true"})
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    def check(self) -> str:
        """Verify the token (auth.test) without posting; returns "team/user" for `channels test`."""
        resp = self._call("auth_test")
        line = f"token valid (auth.test: team {resp.get('team', '?')}, user {resp.get('user', '?')})"
        if self.options.app_token is not None:  # Socket Mode: a connection address is issued, nothing connects
            self._call("apps_connections_open", app_token=self.options.app_token.get_secret_value())
            line += "; app token valid (Socket Mode for the buttons)"
        return line

    def _buttons(self, message: AlertMessage) -> Block | None:
        """The headline's buttons, when an app listens to them (``app_token``); never on a test message."""
        if self.options.app_token is None or not message.incident_id:
            return None
        url = self.links.incident_url(message.incident_id) if self.links and self.links.public_url else ""
        return action_block(alert_view(message, max_examples=0), url)

    def _post_extras(self, message: AlertMessage, idempotency_key: str) -> dict[str, Any]:
        extras: dict[str, Any] = {"channel": self.options.channel, "unfurl_links": False, "unfurl_media": False}
        if self.options.metadata:
            extras["metadata"] = {"event_type": "groundswell_alert", "event_payload": {
                "idempotency_key": idempotency_key, "incident_id": message.incident_id,
                "alert_id": message.alert_id, "event": message.event}}
        return extras

    def _update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]], *, strict: bool) -> str:
        """Edit the headline. A headline that is gone or not ours must not block the thread reply."""
        try:
            self._call("chat_update", channel=channel, ts=ts, text=text, blocks=blocks)
        except DeliveryError as exc:
            if strict and exc.transient:
                raise
            log.warning("slack channel %s: headline %s not updated: %s", self.channel_id, ts, exc)
            return str(exc)
        return ""

    def _receipt(self, resp: Any, *, root: str) -> Receipt:
        extra = {"channel": str(resp.get("channel", "")), "ts": str(resp.get("ts", ""))}
        self._slack_channel = self._slack_channel or extra["channel"]
        return Receipt(channel=self.channel_id, message_id=root, extra=extra)

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            raise api_error(self.channel_id, method, exc) from None
        except SlackRequestError as exc:  # the request could not even be built: configuration
            raise DeliveryError(self.channel_id, f"slack {method}: {exc}", transient=False) from None
        except NETWORK_ERRORS as exc:
            raise network_error(self.channel_id, method, exc, host_of(self.options.base_url)) from None


def api_error(channel: str, method: str, exc: SlackApiError) -> DeliveryError:
    """Map a Slack API failure: 429 with Retry-After, 5xx and a few codes transient; the rest permanent."""
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = response.data if isinstance(getattr(response, "data", None), dict) else {}
    code = str(data.get("error", "") or f"http_{status}")
    headers = dict(getattr(response, "headers", {}) or {})
    retry_after = parse_retry_after(header(headers, "Retry-After")) if status == 429 else None
    transient = status == 429 or status >= 500 or code in TRANSIENT_ERRORS
    return DeliveryError(channel, f"slack {method}: {code} (HTTP {status})", transient=transient,
                         retry_after=retry_after)


def network_error(channel: str, method: str, exc: BaseException, where: str = "Slack") -> DeliveryError:
    """Connection trouble is transient, except a TLS certificate failure, which is configuration."""
    reason = getattr(exc, "reason", exc)
    permanent = isinstance(reason, ssl.SSLCertVerificationError)
    return DeliveryError(channel, f"slack {method}: {unreachable(exc, where)}",
                         transient=not permanent)
