"""Which channels hear about an alert: by severity, brand, trigger, tier and quiet hours.

A channel's ``triggers`` match any facet of the incident (an outage that is both a spike and a story
reaches a channel that asked for either). Tier 1 channels hear every alert that passes their filters.
Tier 2+ channels (managers) hear only escalations: incidents of at least ``escalation.min_severity``, and incidents
nobody acknowledged within ``escalation.unacknowledged_minutes``.  During a channel's quiet hours,
low-severity alerts are not sent at all (the daily digest carries them); high severity goes out
at any hour.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from monitor.settings import ChannelSettings, Settings
from monitor.storage.tables import Alert, Incident


def in_quiet_hours(window: str, moment: datetime, timezone: str) -> bool:
    if not window:
        return False
    start_text, end_text = window.split("-")
    start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    local = moment.astimezone(ZoneInfo(timezone)).time()
    return start <= local < end if start <= end else local >= start or local < end


def facets_of(incident: Incident) -> set[str]:
    """Every trigger that joined the incident: an outage that is a spike and a story reaches both."""
    return {incident.trigger, *(incident.facets or {})}


def matches(channel: ChannelSettings, incident: Incident, alert: Alert, settings: Settings,
            now: datetime) -> bool:
    if not channel.enabled or alert.severity < channel.min_severity:
        return False
    if (channel.brands and incident.brand_id not in channel.brands) or (
            channel.triggers and not set(channel.triggers) & facets_of(incident)):
        return False
    escalation = settings.escalation
    if channel.tier >= 2 and alert.event != "unacknowledged" and alert.severity < escalation.min_severity:
        return False
    if channel.tier == 1 and alert.event == "unacknowledged":
        return False
    timezone = next((b.timezone for b in settings.brands if b.id == incident.brand_id), "UTC")
    return not (alert.severity <= escalation.quiet_hours_max_severity
                and in_quiet_hours(channel.quiet_hours, now, timezone))


def route(settings: Settings, incident: Incident, alert: Alert, now: datetime) -> list[str]:
    return [channel.id for channel in settings.channels if matches(channel, incident, alert, settings, now)]
