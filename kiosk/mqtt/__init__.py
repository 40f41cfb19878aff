"""The MQTT link to the loyalty backend and store operations (paho-mqtt v2, MQTT 5)."""
