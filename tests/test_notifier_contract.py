"""Contract suite over every registered notifier: shape of the plugin, and failures as DeliveryError.

A new notifier kind must add an entry to ``UNREACHABLE`` (options that point at a closed local port), so
the suite proves it turns "nobody is listening" into a transient DeliveryError after one attempt.
"""

from __future__ import annotations

import inspect
from importlib.metadata import entry_points
from typing import Any

import pytest

from alerts.base import Notifier, NotifierOptions
from monitor.errors import DeliveryError
from tests.fakes.alert_messages import sample_message
from tests.fakes.smtp import free_port

REGISTERED = {ep.name: ep for ep in entry_points(group="groundswell.notifiers")}
CANNOT_FAIL = {"console"}  # writes to a terminal: nothing to be unreachable


def unreachable(kind: str, port: int) -> dict[str, Any]:
    return {
        "slack": {"token": {"env": "GS_CONTRACT_SECRET"}, "channel": "C0ALERTS1",
                  "base_url": f"http://127.0.0.1:{port}/api/"},
        "slack_webhook": {"url": {"env": "GS_CONTRACT_URL"}},
        "email": {"host": "127.0.0.1", "port": port, "security": "none", "from_addr": "a@b.example",
                  "to": ["c@d.example"], "timeout_s": 2},
        "webhook": {"url": f"http://127.0.0.1:{port}/hook", "secret": {"env": "GS_CONTRACT_SECRET"}},
        "apprise": {"urls": [{"env": "GS_CONTRACT_APPRISE"}]},
        "console": {},
    }[kind]


def load(kind: str) -> type[Notifier]:
    cls = REGISTERED[kind].load()
    assert isinstance(cls, type) and issubclass(cls, Notifier)
    return cls


@pytest.mark.parametrize("kind", sorted(REGISTERED))
def test_plugin_shape(kind: str) -> None:
    cls = load(kind)
    assert cls.kind == kind
    assert issubclass(cls.Options, NotifierOptions) and cls.Options.model_config.get("extra") == "forbid"
    params = list(inspect.signature(cls.__init__).parameters)
    assert params[:3] == ["self", "channel_id", "options"]
    send = inspect.signature(cls.send).parameters
    assert send["idempotency_key"].kind is inspect.Parameter.KEYWORD_ONLY
    assert cls.__doc__ or inspect.getmodule(cls).__doc__  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", sorted(set(REGISTERED) - CANNOT_FAIL))
def test_nobody_listening_is_a_transient_delivery_error(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("GS_CONTRACT_SECRET", "contract-secret-value")
    monkeypatch.setenv("GS_CONTRACT_URL", f"http://127.0.0.1:{port}/hooks/T/B/x")
    monkeypatch.setenv("GS_CONTRACT_APPRISE", f"json://127.0.0.1:{port}/x")
    cls = load(kind)
    notifier = cls(f"contract-{kind}", cls.Options.model_validate(unreachable(kind, port)))
    with pytest.raises(DeliveryError) as err:
        notifier.send(sample_message(), idempotency_key="contract-key")
    assert err.value.transient and err.value.channel == f"contract-{kind}"
    assert "contract-secret-value" not in str(err.value)
