"""A local Socket Mode server that speaks Slack's protocol over a real WebSocket (the `websockets` library).

Slack's side of Socket Mode: the app calls ``apps.connections.open`` (FakeSlack answers ``socket_url``),
opens the WebSocket, gets ``{"type": "hello"}``, then receives envelopes
(``{"envelope_id", "type": "interactive", "payload": {...}}``) and must answer each with
``{"envelope_id": ...}`` (the ack).  ``send`` pushes an envelope to the connected app; ``wait_ack``
waits for its ack.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.connections: list[ServerConnection] = []
        self._changed = threading.Condition()
        self._server: Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=fake-ticket"

    def start(self) -> FakeSocketMode:
        self._server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "connection_info": {"app_id": "A0TEST"}, "debug_info": {"host": "fake"}}))
        with self._changed:
            self.connections.append(connection)
            self._changed.notify_all()
        with contextlib.suppress(ConnectionClosed):  # the app may hang up without a close frame
            for raw in connection:
                message = json.loads(raw)
                with self._changed:
                    self.acks.append(message)
                    self._changed.notify_all()

    def wait_connected(self, timeout: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: bool(self.connections), timeout)

    def send(self, payload: dict[str, Any], *, kind: str = "interactive", envelope_id: str = "") -> str:
        """Push one envelope to the newest connection; returns its envelope_id."""
        envelope_id = envelope_id or uuid.uuid4().hex
        self.connections[-1].send(json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                              "accepts_response_payload": False, "retry_attempt": 0}))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: any(a.get("envelope_id") == envelope_id for a in self.acks),
                                          timeout)


def block_actions(action_id: str, value: str, *, user: str = "jane", user_id: str = "U0JANE", channel: str,
                  message_ts: str, action_ts: str, response_url: str = "") -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it when someone presses one of our buttons."""
    return {"type": "block_actions", "team": {"id": "T0TEST"}, "api_app_id": "A0TEST",
            "user": {"id": user_id, "username": user, "name": user, "team_id": "T0TEST"},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel, "name": "alerts"}, "message": {"ts": message_ts, "type": "message"},
            "response_url": response_url, "trigger_id": "1.2.3",
            "actions": [{"type": "button", "action_id": action_id, "block_id": "gs_actions", "value": value,
                         "action_ts": action_ts, "text": {"type": "plain_text", "text": action_id}}]}
