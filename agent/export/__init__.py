"""Exporters: samples serialized once to line protocol, spooled, then sent (InfluxDB v2 API)."""
