"""The notifier contract: deliver one AlertMessage to one channel, or raise DeliveryError.

A new channel is one module in this package with one class like this, declared under the
``groundswell.notifiers`` entry point in ``pyproject.toml``:

    class MyChannel(Notifier[MyChannelOptions]):
        kind = "mychannel"            # the `kind` used in settings.toml [[channels]]
        Options = MyChannelOptions    # pydantic model; secrets typed as monitor.secrets.Secret

        def send(self, message, *, idempotency_key): ...   # -> Receipt, or raise DeliveryError
        def find_sent(self, message, *, idempotency_key): ...  # optional: Receipt of an earlier attempt
        def check(self): ...                                # optional: verify without sending (see below)

The outbox (alerts/outbox.py) owns retries: a notifier makes one attempt and says whether a
failure is transient (retry later) or permanent (dead-letter and tell ops once).  Before a retry the
outbox asks ``find_sent`` whether the earlier attempt got through after all (a crash between sending and
recording it); channels that can look their own messages up (Slack) answer, the rest return None.
Mention text inside a message is untrusted: every notifier escapes it for its medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from monitor.links import ActionLinks

SEVERITY_NAMES = {1: "low", 2: "medium", 3: "high", 4: "critical"}
TRIGGER_LABELS = {"spike": "Spike", "story": "Spreading story", "churn_threat": "Churn threat",
                  "high_reach": "High-reach complaint", "repeat_complainer": "Repeat complainer",
                  "source_down": "Source down"}


def trigger_label(trigger: str) -> str:
    """What a person reads for a trigger ("churn_threat" is the stored name: "Churn threat")."""
    return TRIGGER_LABELS.get(trigger, trigger.replace("_", " ").capitalize())


@dataclass(frozen=True)
class ExamplePost:
    text: str
    url: str
    author: str
    followers: int | None
    platform: str
    posted_at: datetime
    sentiment: str | None = None


@dataclass(frozen=True)
class AlertMessage:
    """Everything a channel needs to tell a person what is happening, with the evidence."""

    alert_id: int
    incident_id: int
    event: str  # "opened" | "escalated" | "resolved" | "test"
    brand_id: str
    brand_name: str
    severity: int  # 1..4
    title: str
    reason: str  # plain words with numbers: "41 negative mentions from 33 people in 30 min; expected 4"
    trigger: str  # "spike" | "story" | "churn_threat" | "high_reach" | "repeat_complainer" | ...
    opened_at: datetime
    examples: tuple[ExamplePost, ...] = ()
    counts: dict[str, Any] = field(default_factory=dict)  # people, mentions, reach, growth, expected...
    thread: dict[str, str] = field(default_factory=dict)  # receipts of earlier messages of this incident
    headline: str = ""  # the story in one line, plain words ("" : title + reason are shown)
    change: str = ""  # what changed since the last update of this incident ("" for the first message)
    facets: tuple[str, ...] = ()  # every trigger that joined the incident (spike, story, churn_threat...)
    timezone: str = "UTC"  # the brand's IANA timezone: every time in the message is shown in it

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES.get(self.severity, str(self.severity))


@dataclass(frozen=True)
class Receipt:
    channel: str
    message_id: str = ""  # e.g. Slack ts, SMTP Message-ID: lets later events thread or update
    extra: dict[str, str] = field(default_factory=dict)


class NotifierOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


OptionsT = TypeVar("OptionsT", bound=NotifierOptions)


class Notifier(Generic[OptionsT]):
    """One configured channel; ``Notifier[MyOptions]`` types ``self.options`` as ``MyOptions``."""

    kind: ClassVar[str]
    Options: ClassVar[type[NotifierOptions]] = NotifierOptions
    links: ActionLinks | None = None  # set by the runtime when web.public_url is: the workspace's links

    def __init__(self, channel_id: str, options: OptionsT) -> None:
        self.channel_id = channel_id
        self.options: OptionsT = options

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        """Make one attempt to deliver ``message`` (escaped for this medium) and return its Receipt, or raise
        DeliveryError saying whether a retry could help; ``idempotency_key`` is the same on every retry."""
        raise NotImplementedError

    def find_sent(self, message: AlertMessage, *, idempotency_key: str) -> Receipt | None:
        """Receipt of a message an earlier attempt delivered, if this channel can tell; None: send it."""
        return None

    def check(self) -> str | None:
        """Verify the channel can deliver, WITHOUT sending anything (`groundswell check`).

        Return a short line of what was verified ("smtp.example.com:587 accepted EHLO, STARTTLS, login"),
        raise DeliveryError with what failed, or return None when this kind cannot be verified without
        sending (the default; `groundswell channels test` sends a real test message).
        """
        return None


AnyNotifier = Notifier[Any]  # what runners hold: a channel of any kind
