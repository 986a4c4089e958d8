"""Apprise: one channel kind for Teams, Discord, PagerDuty, Opsgenie, Telegram, SMS gateways and more.

Optional extra (``pip install 'groundswell[apprise]'``); the import happens only when such a channel is
built, and a missing package is a ConfigError that says how to install it. Each ``urls`` entry is an
Apprise URL, which embeds a credential, so it is given by reference like any secret.

Apprise only says "delivered" or "not": a failure is reported as transient, so the outbox retries it
with backoff and dead-letters it after its maximum attempts. The body is plain text with control
characters removed and mentions (``@everyone``, ``<@id>``, ``<!here>``) broken, because we cannot know
which target markup will interpret it.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field

from alerts.base import AlertMessage, Notifier, NotifierOptions, Receipt
from alerts.escape import defuse_mentions
from alerts.render import alert_view, render_text, subject_line
from monitor.errors import ConfigError, DeliveryError
from monitor.secrets import Secret

log = logging.getLogger(__name__)


class AppriseOptions(NotifierOptions):
    urls: list[Secret] = Field(min_length=1)
    examples: int = Field(3, ge=0, le=10)


def _notify_type(apprise: Any, message: AlertMessage) -> Any:
    if message.event == "resolved":
        return apprise.NotifyType.SUCCESS
    if message.severity >= 3:
        return apprise.NotifyType.FAILURE
    return apprise.NotifyType.WARNING if message.severity == 2 else apprise.NotifyType.INFO


class AppriseNotifier(Notifier[AppriseOptions]):
    kind = "apprise"
    Options = AppriseOptions

    def __init__(self, channel_id: str, options: AppriseOptions) -> None:
        super().__init__(channel_id, options)
        try:
            import apprise
        except ImportError:
            raise ConfigError(f"channels.{channel_id}", "kind \"apprise\" needs the optional extra: "
                                                        "pip install 'groundswell[apprise]'") from None
        self.apprise = apprise
        for index, url in enumerate(options.urls):  # validate now: a bad URL is a config error
            if not apprise.Apprise().add(url.get_secret_value()):
                raise ConfigError(f"channels.{channel_id}.urls[{index}]", "not a URL Apprise understands")

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        view = alert_view(message, max_examples=self.options.examples)
        # A fresh Apprise object per send: plugin throttling state never makes us sleep between alerts.
        client = self.apprise.Apprise()
        for url in self.options.urls:
            client.add(url.get_secret_value())
        ok = client.notify(body=defuse_mentions(render_text(view)), title=defuse_mentions(subject_line(view)),
                           notify_type=_notify_type(self.apprise, message),
                           body_format=self.apprise.NotifyFormat.TEXT)
        if not ok:
            raise DeliveryError(self.channel_id, "apprise: at least one target did not accept the alert",
                                transient=True)
        return Receipt(channel=self.channel_id, message_id=idempotency_key)
