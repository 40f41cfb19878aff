"""Home Assistant MQTT discovery: the kiosk as a device with sensors and buttons.

Sensors read the retained status and the telemetry topic; buttons publish ``PRESS`` on ``{root}/ha/{button}``,
which the link turns into the matching command (the command registry declares the buttons).
"""

from __future__ import annotations

import json

DISCOVERY_PREFIX = "homeassistant"
HA_STATUS_TOPIC = f"{DISCOVERY_PREFIX}/status"

_SENSORS = [
    # object id, name, telemetry field, unit, device class
    ("reader_ok", "Reader OK", "reader_ok", None, None),
    ("outbox_depth", "Outbox depth", "outbox_depth", "events", None),
    ("oldest_unsent", "Oldest unsent event", "oldest_unsent_s", "s", "duration"),
    ("last_tap", "Last tap", "last_tap_at", None, "timestamp"),
    ("content_version", "Content version", "content_version", None, None),
    ("cpu_temp", "CPU temperature", "cpu_temp_c", "°C", "temperature"),
]

def discovery_messages(root: str, kiosk_id: str, store_id: str, version: str,
                       buttons: dict[str, tuple[str, str, dict]]) -> list[tuple[str, bytes]]:
    """(topic, retained payload) for every entity of this kiosk; ``buttons`` from the command registry."""
    node = kiosk_id.replace("-", "_")
    device = {"identifiers": [f"loyalty_kiosk_{node}"], "name": f"Loyalty kiosk {kiosk_id}",
              "manufacturer": "NFC loyalty kiosk", "model": "kiosk", "sw_version": version,
              "suggested_area": store_id}
    availability = {"availability_topic": f"{root}/status", "payload_available": "online",
                    "payload_not_available": "offline"}
    messages = []

    def add(component: str, object_id: str, config: dict) -> None:
        config = {"unique_id": f"{node}_{object_id}", "object_id": f"kiosk_{node}_{object_id}",
                  "device": device, **config}
        messages.append((f"{DISCOVERY_PREFIX}/{component}/{node}/{object_id}/config",
                         json.dumps(config, separators=(",", ":")).encode()))

    add("binary_sensor", "online", {"name": "Online", "state_topic": f"{root}/status", "payload_on": "online",
                                    "payload_off": "offline", "device_class": "connectivity"})
    for object_id, name, field, unit, device_class in _SENSORS:
        config = {"name": name, "state_topic": f"{root}/telemetry",
                  "value_template": f"{{{{ value_json.{field} }}}}", **availability}
        if unit:
            config["unit_of_measurement"] = unit
        if device_class:
            config["device_class"] = device_class
        add("sensor", object_id, config)
    for button, (name, _, _) in buttons.items():
        add("button", button, {"name": name, "command_topic": f"{root}/ha/{button}", "payload_press": "PRESS",
                               **availability})
    return messages
