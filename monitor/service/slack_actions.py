"""Slack's buttons (Acknowledge, Snooze 4h, Useful, Noise), answered over Socket Mode: no public URL needed.

`groundswell run` opens one Socket Mode connection per Slack channel that has an ``app_token``
(slack_sdk's built-in client: ``apps.connections.open`` gives a WebSocket address, Slack pushes each
button press down it as an ``interactive`` envelope).  A press is checked before anything is recorded:
the button must sit on a message Groundswell sent about that incident (the outbox's receipts hold its
``ts``) and name an alert of that incident.  It is recorded through the same actions as the web
workspace (who: the Slack user, from "slack"), so ack and snooze reach the channels' threads and the
Slack headline through the outbox, and only then is the envelope acknowledged: a press that failed
(database away) is not acknowledged, Slack sends it again, and the one-time request id (the press's
``action_ts``) records it once.  The person who pressed gets a short private answer (``response_url``).
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.base import AnyNotifier
from alerts.slack import SlackNotifier
from monitor.clock import Clock
from monitor.errors import ConfigError, GroundswellError
from monitor.links import SNOOZE_HOURS
from monitor.logs import redact
from monitor.settings import Settings
from monitor.storage.tables import Alert, OutboxItem
from monitor.web import actions

log = logging.getLogger("groundswell.slack_actions")
_ANSWER_URL = re.compile(r"(https?://[^/\s'\"]+/(?:actions|hooks)/)[^\s'\",}]+")


class RedactSocketRecords(logging.Filter):
    """slack_sdk logs the Socket Mode address (its ticket), responses and answer URLs at debug level: cut them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _ANSWER_URL.sub(r"\1***", redact(message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


for _name in ("groundswell.slack_socket", "slack_sdk.web.base_client", "slack_sdk.webhook.client"):
    logging.getLogger(_name).addFilter(RedactSocketRecords())
RETRY_SECONDS = 30
STOP_SECONDS = 10  # the longest a stop waits for slack_sdk to close its session
BUTTONS = {"gs_ack": "ack", "gs_snooze": "snooze", "gs_useful": "useful", "gs_noise": "noise"}
DONE = {"ack": "Acknowledged", "snooze": f"Snoozed for {SNOOZE_HOURS} h", "useful": "Thanks: marked useful",
        "noise": "Thanks: marked as noise"}
UNCHANGED = {"ack": "Already acknowledged (or resolved)", "snooze": "Already snoozed (or resolved)",
             "useful": "You had already marked it useful", "noise": "You had already marked it as noise"}


@dataclass(frozen=True)
class Press:
    """One button press, as read from a ``block_actions`` payload."""

    action: str  # ack | snooze | useful | noise
    incident_id: int
    alert_id: int
    user: str  # the Slack user's name (or id): "who" in the record
    request_id: str
    channel: str  # Slack channel ID the message is in
    message_ts: str


def presses(payload: dict[str, Any]) -> Iterator[Press]:
    """Our buttons in a block_actions payload; anything else (the Open link, other apps' buttons) is skipped."""
    if payload.get("type") != "block_actions":
        return
    user = payload.get("user") or {}
    who = str(user.get("username") or user.get("name") or user.get("id") or "")[:64]
    container = payload.get("container") or {}
    channel = str(container.get("channel_id") or (payload.get("channel") or {}).get("id") or "")
    message_ts = str(container.get("message_ts") or (payload.get("message") or {}).get("ts") or "")
    for pressed in payload.get("actions") or []:
        action = BUTTONS.get(str(pressed.get("action_id", "")))
        incident, _, alert = str(pressed.get("value", "")).partition(":")
        if action is None or not who or not incident.isdigit() or not alert.isdigit():
            continue
        stamp = str(pressed.get("action_ts", ""))[:32]
        yield Press(action, int(incident), int(alert), who, f"slack-{user.get('id', who)}-{stamp}"[:64], channel,
                    message_ts)


def sent_here(engine: Engine, channel_id: str, press: Press) -> bool:
    """The pressed message is one we posted (headline or reply) about this incident, in this channel."""
    with Session(engine) as session:
        receipts = session.exec(select(OutboxItem.receipt).join(Alert, col(Alert.id) == OutboxItem.alert_id).where(
            Alert.incident_id == press.incident_id, OutboxItem.channel_id == channel_id,
            OutboxItem.status == "sent")).all()
    for receipt in receipts:
        found = receipt or {}
        if press.message_ts in (found.get("message_id"), found.get("ts")) and found.get("channel") in (
                press.channel, "", None):
            return True
    return False


def record(engine: Engine, settings: Settings, channel_id: str, press: Press, clock: Clock) -> str:
    """Check and record one press; the answer for the person who pressed (GroundswellError: refused)."""
    if not sent_here(engine, channel_id, press):
        raise GroundswellError("That button is not on a Groundswell alert this app sent; nothing was recorded.")
    actor = actions.Actor(press.user, "slack")
    if press.action in ("useful", "noise"):
        changed = actions.give_feedback(engine, press.alert_id, press.action, actor, now=clock(),
                                        incident_id=press.incident_id)
    else:
        value = f"{SNOOZE_HOURS}h" if press.action == "snooze" else ""
        changed = actions.act(engine, settings, press.incident_id, press.action, value, actor,
                              request_id=press.request_id, now=clock())
    return (DONE if changed else UNCHANGED)[press.action] + f" (incident #{press.incident_id})."


class SlackActionListener:
    """One Socket Mode connection for one Slack channel's app; presses are handled on slack_sdk's threads."""

    def __init__(self, settings: Settings, engine: Engine, notifier: SlackNotifier, clock: Clock) -> None:
        token = notifier.options.app_token
        assert token is not None
        self.settings, self.engine, self.clock, self.channel_id = settings, engine, clock, notifier.channel_id
        web = WebClient(base_url=notifier.options.base_url, timeout=notifier.options.timeout_s)
        self.client = SocketModeClient(app_token=token.get_secret_value(), web_client=web,
                                       logger=logging.getLogger("groundswell.slack_socket"))
        self.client.socket_mode_request_listeners.append(self._on_request)
        self._stopped = threading.Event()

    def start(self) -> SlackActionListener:
        """Connect now; a refused token stops the start (one line), a network failure is retried meanwhile."""
        try:
            self._connect()
        except SlackApiError as exc:
            code = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
            self.client.close()
            raise ConfigError(f"channels ({self.channel_id}).app_token", f"Slack refused the Socket Mode "
                              f"connection ({code or exc.response.status_code}); it needs an app-level token "
                              "(xapp-...) with connections:write, and Socket Mode switched on") from None
        except Exception as exc:  # network trouble: keep alerting, keep trying
            log.error("slack channel %s: Socket Mode connection failed (%s); retrying every %d s", self.channel_id,
                      type(exc).__name__, RETRY_SECONDS)
            threading.Thread(target=self._retry, name=f"slack-socket-{self.channel_id}", daemon=True).start()
        return self

    def _connect(self) -> None:
        self.client.connect()
        log.info("slack channel %s: listening for button presses (Socket Mode)", self.channel_id)

    def _retry(self) -> None:
        while not self._stopped.wait(RETRY_SECONDS):
            try:
                self._connect()
                return
            except Exception as exc:  # noqa: BLE001 - logged, tried again
                log.warning("slack channel %s: Socket Mode still unreachable (%s)", self.channel_id,
                            type(exc).__name__)

    def stop(self) -> None:
        """Close now, and never hang: slack_sdk's own close waits out a 3 s socket read, and a session run
        that starts just before the stop sets ``terminated`` back to False, then sleeps forever on the
        closed socket (seen as a hung test).  So no new run may start, and the flag is set again until
        the close has returned (bounded: slack_sdk's threads are daemons)."""
        self._stopped.set()
        client = self.client
        client.closed, client.auto_reconnect_enabled = True, False
        client.current_session_runner.event.set()  # the runner starts no new session run
        closing = threading.Thread(target=client.close, name="slack-socket-close", daemon=True)
        closing.start()
        deadline = time.monotonic() + STOP_SECONDS
        while closing.is_alive() and time.monotonic() < deadline:
            client.current_session_state.terminated = True
            sock = getattr(client.current_session, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            closing.join(0.05)
        if closing.is_alive():
            log.warning("slack channel %s: Socket Mode did not close in %d s; left to exit with the process",
                        self.channel_id, STOP_SECONDS)

    def _on_request(self, client: Any, request: SocketModeRequest) -> None:
        if request.type != "interactive":
            client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
            return
        payload = request.payload if isinstance(request.payload, dict) else {}
        answers = []
        for press in presses(payload):
            try:
                answers.append(record(self.engine, self.settings, self.channel_id, press, self.clock))
            except GroundswellError as exc:
                answers.append(str(exc))
            except Exception as exc:  # the database is away: no ack, so Slack sends the press again
                log.error("slack channel %s: button press not recorded (%s: %s); Slack will resend it",
                          self.channel_id, type(exc).__name__, exc)
                return
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        if answers:
            self._answer(str(payload.get("response_url", "")), " ".join(answers))

    def _answer(self, response_url: str, text: str) -> None:
        """A private note to the person who pressed; its failure costs nothing but the note."""
        if not response_url.startswith(("https://", "http://")):
            return
        try:
            WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral",
                                                        replace_original=False)
        except Exception as exc:  # noqa: BLE001 - the action is recorded already
            log.warning("slack channel %s: could not answer the button press: %s", self.channel_id,
                        type(exc).__name__)


def start_listeners(settings: Settings, engine: Engine, notifiers: dict[str, AnyNotifier],
                    clock: Clock) -> list[SlackActionListener]:
    """A listener for every Slack channel with an app-level token (none: Slack alerts carry no buttons)."""
    return [SlackActionListener(settings, engine, n, clock).start() for n in notifiers.values()
            if isinstance(n, SlackNotifier) and n.options.app_token is not None]
