"""AlertMessages for notifier tests, with the hostile mention text every channel must defuse."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from alerts.base import AlertMessage, ExamplePost

HOSTILE = "<!channel> click <http://evil.example|here> <@U123>"
SCRIPT = "<script>alert('x')</script> & more"
OPENED_AT = datetime(2026, 11, 23, 18, 40, tzinfo=UTC)


def examples() -> tuple[ExamplePost, ...]:
    return (
        ExamplePost(HOSTILE, "https://x.com/mallory/status/1", "mallory", 120_500, "x", OPENED_AT, "negative"),
        ExamplePost(SCRIPT, "javascript:alert(1)", "scripter", 42, "reddit", OPENED_AT, "negative"),
        ExamplePost("No signal since 5pm, third time this week \x07\u202eevil", "https://reddit.com/r/a/1",
                    "carol", None, "reddit", OPENED_AT, "negative"),
        ExamplePost("Cancelling my contract " + "very " * 200 + "angry", "https://x.com/dave/status/2", "dave",
                    3_400, "x", OPENED_AT, "negative"),
        ExamplePost("Support hung up on me", "https://x.com/erin/status/3", "erin", 900, "x", OPENED_AT, None),
        ExamplePost("sixth example, never shown", "https://x.com/f/status/4", "frank", 1, "x", OPENED_AT, None),
    )


def sample_message(**overrides: Any) -> AlertMessage:
    message = AlertMessage(
        alert_id=7, incident_id=3, event="opened", brand_id="brightwave", brand_name="Brightwave & Co",
        severity=3, title="Outage complaints spiking <!here>",
        reason="41 negative mentions from 33 people in 30 min; expected 4.0 (categories: outage 30, billing 5)",
        trigger="spike", opened_at=OPENED_AT, examples=examples(),
        counts={"mentions": 41, "authors": 33, "expected": 4.0,
                "categories": {"outage": 30, "billing": 5, "<b>evil</b>": 1}, "platforms": {"x": 25, "reddit": 16}},
    )
    return dataclasses.replace(message, **overrides)
