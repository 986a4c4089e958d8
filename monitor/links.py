"""Links in alerts: the incident's page, and signed one-click actions for alert emails.

An email link carries its action, incident and alert, signed with ``web.link_secret`` and timestamped
(itsdangerous), so it cannot be altered and stops working after ``web.link_expiry_hours``.  The link
opens a confirmation page whose button performs the action (a POST): mail scanners that fetch every
link in a message never act.  Channels get an ``ActionLinks`` from the runtime when ``web.public_url``
is set; without ``web.link_secret`` they carry the incident link only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from monitor.clock import system_clock
from monitor.errors import GroundswellError
from monitor.settings import Settings

SALT = "groundswell-action-link"
EMAIL_ACTIONS = ("ack", "snooze", "useful", "noise")
SNOOZE_HOURS = 4  # what "Snooze 4h" means, in Slack and in email
ACTION_WORDS = {"ack": "Acknowledge", "snooze": f"Snooze {SNOOZE_HOURS} h", "useful": "Useful alert",
                "noise": "Noise"}


class BadLink(GroundswellError):
    """An action link that was altered, is not ours, or has expired (``expired`` tells which)."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class LinkAction:
    action: str  # one of EMAIL_ACTIONS
    incident_id: int
    alert_id: int


def _signer_on(clock: Callable[[], datetime]) -> type[TimestampSigner]:
    """A TimestampSigner that reads the injected clock (tests sign a link "three days ago")."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock().timestamp())

    return ClockSigner


class ActionLinks:
    """Builds (and checks) the links a channel puts in an alert."""

    def __init__(self, public_url: str, secret: str | None, expiry_hours: int = 72,
                 clock: Callable[[], datetime] = system_clock) -> None:
        self.public_url = public_url.rstrip("/")
        self.expiry_seconds = expiry_hours * 3600
        self._serializer = (URLSafeTimedSerializer(secret, salt=SALT, signer=_signer_on(clock))
                            if secret else None)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], datetime] = system_clock) -> ActionLinks:
        web = settings.web
        secret = web.link_secret.get_secret_value() if web.link_secret else None
        return cls(web.public_url, secret, web.link_expiry_hours, clock)

    @property
    def signs(self) -> bool:
        return self._serializer is not None

    def incident_url(self, incident_id: int) -> str:
        return f"{self.public_url}/incidents/{incident_id}"

    def action_url(self, action: str, incident_id: int, alert_id: int) -> str:
        if self._serializer is None:
            raise GroundswellError("web.link_secret is not set: alert emails carry no action links")
        if action not in EMAIL_ACTIONS:
            raise GroundswellError(f"unknown link action {action!r}")
        token = self._serializer.dumps({"a": action, "i": incident_id, "l": alert_id})
        return f"{self.public_url}/a/{token}"

    def email_links(self, incident_id: int, alert_id: int) -> dict[str, str]:
        """Action -> URL for an alert email ("open" is the incident page); {} when links are off."""
        links = {"open": self.incident_url(incident_id)} if self.public_url else {}
        if self.signs and self.public_url and alert_id:
            links.update({a: self.action_url(a, incident_id, alert_id) for a in EMAIL_ACTIONS})
        return links

    def read(self, token: str) -> LinkAction:
        """The action a link stands for; BadLink when it was altered or is older than the expiry."""
        if self._serializer is None:
            raise BadLink("one-click links are switched off here (web.link_secret is not set)")
        try:
            data = self._serializer.loads(token[:2000], max_age=self.expiry_seconds)
        except SignatureExpired as exc:
            issued = exc.date_signed.astimezone(UTC) if exc.date_signed else None
            when = f" (sent {issued:%Y-%m-%d %H:%M} UTC)" if issued else ""
            raise BadLink(f"This link has expired{when}; links work for {self.expiry_seconds // 3600} hours. "
                          "Open the incident in Groundswell instead.", expired=True) from None
        except BadData:
            raise BadLink("This link is not valid: it was changed or cut short, or it was not made by this "
                          "Groundswell. Open the incident in Groundswell instead.") from None
        if not (isinstance(data, dict) and data.get("a") in EMAIL_ACTIONS and isinstance(data.get("i"), int)
                and isinstance(data.get("l"), int)):
            raise BadLink("This link is not valid.")
        return LinkAction(str(data["a"]), int(data["i"]), int(data["l"]))
