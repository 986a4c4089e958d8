"""Which channels hear about an alert: by severity, brand and trigger."""

from __future__ import annotations

from monitor.settings import ChannelSettings, Settings
from monitor.tables import Alert, Incident


def matches(channel: ChannelSettings, incident: Incident, alert: Alert) -> bool:
    return (channel.enabled and alert.severity >= channel.min_severity
            and (not channel.brands or incident.brand_id in channel.brands)
            and (not channel.triggers or incident.trigger in channel.triggers))


def route(settings: Settings, incident: Incident, alert: Alert) -> list[str]:
    return [channel.id for channel in settings.channels if matches(channel, incident, alert)]
