"""The words a person reads for stored names: severities and triggers.

Why here: the alert channels, the digest, the CLI and the web workspace all show them, and the web workspace
may not import the channels' contract (alerts.base), so the words live in the shared base.
"""

from __future__ import annotations

SEVERITY_NAMES = {1: "low", 2: "medium", 3: "high", 4: "critical"}
TRIGGER_LABELS = {"spike": "Spike", "story": "Spreading story", "churn_threat": "Churn threat",
                  "high_reach": "High-reach complaint", "repeat_complainer": "Repeat complainer",
                  "source_down": "Source down"}


def trigger_label(trigger: str) -> str:
    """What a person reads for a trigger ("churn_threat" is the stored name: "Churn threat")."""
    return TRIGGER_LABELS.get(trigger, trigger.replace("_", " ").capitalize())
