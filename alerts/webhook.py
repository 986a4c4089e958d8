"""Generic webhook: POST a signed JSON document describing the alert.

Request
    POST <url>   Content-Type: application/json; charset=utf-8
    Idempotency-Key: <key>              the same on every retry of this (alert, channel): dedupe on it
    X-Groundswell-Event: opened|escalated|resolved|test
    With a ``secret`` (verify with :func:`verify_request`, or recompute and use hmac.compare_digest):
    X-Groundswell-Timestamp: <Unix seconds when this attempt was sent>
    X-Groundswell-Signature-V2: sha256=<hex HMAC-SHA256 of "<timestamp>." + the raw body>
                                        reject it when the timestamp is more than 5 minutes away from your
                                        clock: a captured request cannot be replayed later
    X-Groundswell-Signature: sha256=<hex HMAC-SHA256 of the raw body>   (legacy: no timestamp, replayable)

Body (schema "groundswell.alert/1"; the body is identical on every retry)
    {"schema": "groundswell.alert/1", "idempotency_key": str, "alert_id": int, "incident_id": int,
     "event": str, "brand": {"id": str, "name": str}, "severity": 1..4,
     "severity_name": "low"|"medium"|"high"|"critical", "title": str, "reason": str, "trigger": str,
     "opened_at": ISO-8601, "counts": {str: number|str|{name: count}|...},
     "headline": str (the story in one line), "change": str (what changed since the last update),
     "triggers": [str] (every facet: spike, story, churn_threat, ...), "timezone": IANA name,
     "opened_at_local": str (e.g. "Sat 7 Nov 18:30 GMT"),
     "examples": [{"text": str, "url": str, "author": str, "followers": int|null, "platform": str,
                   "posted_at": ISO-8601, "sentiment": str|null}]}
Texts are stripped of control characters and truncated but NOT escaped: the receiver must escape
them for whatever it renders (they are written by strangers). ``url`` is "" unless http(s).

Answers: 2xx delivered; 429 (Retry-After honoured), 408, 425, 5xx and network errors are retried;
any other status is permanent (dead letter). Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
from pydantic import Field, field_validator

from alerts.base import AlertMessage, Notifier, NotifierOptions, Receipt
from alerts.escape import clean, safe_url
from alerts.http_errors import status_error
from alerts.render import distinct, format_time
from monitor.errors import DeliveryError
from monitor.net_words import host_of, unreachable
from monitor.secrets import Secret

SCHEMA = "groundswell.alert/1"
SIGNATURE_HEADER = "X-Groundswell-Signature"
TIMESTAMP_HEADER = "X-Groundswell-Timestamp"
SIGNATURE_V2_HEADER = "X-Groundswell-Signature-V2"
TOLERANCE_SECONDS = 300


class WebhookOptions(NotifierOptions):
    url: str
    secret: Secret | None = None
    headers: dict[str, str] = {}
    timeout_s: float = Field(10.0, gt=0, le=120)
    examples: int = Field(3, ge=0, le=20)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not safe_url(value):
            raise ValueError("must be an absolute http:// or https:// URL")
        return value


def sign(body: bytes, secret: str) -> str:
    """The signature header value a receiver recomputes over the raw body it got."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    return hmac.compare_digest(sign(body, secret), signature)


def sign_timestamped(body: bytes, secret: str, timestamp: int) -> str:
    """``X-Groundswell-Signature-V2``: the timestamp is signed with the body, so neither can be swapped."""
    return sign(f"{timestamp}.".encode() + body, secret)


def verify_request(body: bytes, secret: str, timestamp: str, signature: str, *,
                   tolerance: float = TOLERANCE_SECONDS, now: float | None = None) -> bool:
    """For receivers: True only for an untampered body and timestamp no further than ``tolerance`` seconds
    from ``now`` (default: this machine's clock), so a captured request cannot be replayed later."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    return hmac.compare_digest(sign_timestamped(body, secret, stamp), signature)


def payload(message: AlertMessage, idempotency_key: str, examples: int = 3) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "idempotency_key": idempotency_key,
        "alert_id": message.alert_id,
        "incident_id": message.incident_id,
        "event": message.event,
        "brand": {"id": message.brand_id, "name": clean(message.brand_name, 200, single_line=True)},
        "severity": message.severity,
        "severity_name": message.severity_name,
        "title": clean(message.title, 300, single_line=True),
        "reason": clean(message.reason, 2000),
        "trigger": message.trigger,
        "opened_at": message.opened_at.isoformat(),
        "counts": message.counts,
        "headline": clean(message.headline or f"{message.title}: {message.reason}", 300, single_line=True),
        "change": clean(message.change, 300, single_line=True),
        "triggers": list(message.facets or (message.trigger,)),
        "timezone": message.timezone,
        "opened_at_local": format_time(message.opened_at, message.timezone),
        "examples": [{
            "text": clean(p.text, 2000), "url": safe_url(p.url),
            "author": clean(p.author, 200, single_line=True),
            "followers": p.followers, "platform": p.platform, "posted_at": p.posted_at.isoformat(),
            "sentiment": p.sentiment,
        } for p in distinct(message.examples, examples)],
    }


def encode(document: dict[str, Any]) -> bytes:
    """Compact, key-sorted JSON: the same alert always gives the same bytes (and signature)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


class WebhookNotifier(Notifier[WebhookOptions]):
    kind = "webhook"
    Options = WebhookOptions

    def __init__(self, channel_id: str, options: WebhookOptions) -> None:
        super().__init__(channel_id, options)
        self.client = httpx.Client(timeout=options.timeout_s, follow_redirects=False,
                                   headers={"User-Agent": "groundswell-webhook/1"})

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        body = encode(payload(message, idempotency_key, self.options.examples))
        headers = {**self.options.headers, "Content-Type": "application/json; charset=utf-8",
                   "Idempotency-Key": idempotency_key, "X-Groundswell-Event": message.event}
        if self.options.secret is not None:
            secret, stamp = self.options.secret.get_secret_value(), int(time.time())
            headers[SIGNATURE_HEADER] = sign(body, secret)
            headers[TIMESTAMP_HEADER] = str(stamp)
            headers[SIGNATURE_V2_HEADER] = sign_timestamped(body, secret, stamp)
        try:
            resp = self.client.post(self.options.url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise DeliveryError(self.channel_id, "webhook: " + unreachable(exc, host_of(self.options.url)),
                                transient=True) from None
        error = status_error(self.channel_id, resp.status_code, dict(resp.headers), resp.text[:200])
        if error is not None:
            raise error
        return Receipt(channel=self.channel_id, message_id=resp.headers.get("X-Request-Id", idempotency_key))

    def check(self) -> str:
        """Reachability without a delivery: a HEAD request; any HTTP answer means the receiver is there."""
        try:
            resp = self.client.head(self.options.url)
        except httpx.TransportError as exc:
            raise DeliveryError(self.channel_id, "webhook: " + unreachable(exc, host_of(self.options.url)),
                                transient=True) from None
        return f"{self.options.url} reachable (HEAD answered {resp.status_code}; nothing was posted)"

    def close(self) -> None:
        self.client.close()
