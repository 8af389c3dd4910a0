"""Transceiver receive and transmit power (dBm) and temperature with the module's own alarm
and warning thresholds where the vendor publishes them. Pure: walked columns in, Samples out.

Each sample is labelled `interface` (the port's name as the interface samples have it, where
the table names or indexes the port) and `index` (its ifIndex when known), so the check can
leave admin-down and dark ports alone; thresholds are labels `warning_low`, `warning_high`,
`critical_low`, `critical_high` in the metric's unit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping

from collectors.snmp_decode import Columns, SampleMaker, text
from collectors.snmp_env import (
    CELSIUS,
    CISCO_SENSOR_COLUMNS,
    ENTITY_COLUMNS,
    NAMED_ENTITY_COLUMNS,
    SENSOR_COLUMNS,
    SENSOR_OK,
    TRANSCEIVER_SENSOR,
    entity_names,
    sensor_thresholds,
    sensor_value,
)
from core import names
from core.model import Sample

_HW = "1.3.6.1.4.1.2011.5.25.31.1.1.3.1."
_H3C = "1.3.6.1.4.1.25506.2.70.1.1.1."
_JNX = "1.3.6.1.4.1.2636.3.60.1.1.1.1."

LEVELS = ("critical_high", "critical_low", "warning_high", "warning_low")
# HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable: power in uW, thresholds in 0.01 dBm
HUAWEI_COLUMNS = {
    "hwopt_temperature": _HW + "5",  # degrees C, -255 = none (no thresholds published)
    "hwopt_rx": _HW + "8",
    "hwopt_tx": _HW + "9",
    "hwopt_rx_critical_low": _HW + "13",
    "hwopt_rx_critical_high": _HW + "14",
    "hwopt_tx_critical_low": _HW + "15",
    "hwopt_tx_critical_high": _HW + "16",
    "hwopt_rx_warning_low": _HW + "20",
    "hwopt_rx_warning_high": _HW + "21",
    "hwopt_tx_warning_low": _HW + "22",
    "hwopt_tx_warning_high": _HW + "23",
}
# HH3C-TRANSCEIVER-INFO-MIB hh3cTransceiverInfoTable (by ifIndex): power in 0.01 dBm,
# thresholds in 0.1 uW (the SFF-8472 unit); temperature in degrees C, its thresholds in 0.001
H3C_COLUMNS = {
    "h3copt_temperature": _H3C + "15",
    "h3copt_temperature_critical_high": _H3C + "18",
    "h3copt_temperature_critical_low": _H3C + "19",
    "h3copt_temperature_warning_high": _H3C + "20",
    "h3copt_temperature_warning_low": _H3C + "21",
    "h3copt_tx": _H3C + "9",
    "h3copt_rx": _H3C + "12",
    "h3copt_tx_critical_high": _H3C + "30",
    "h3copt_tx_critical_low": _H3C + "31",
    "h3copt_tx_warning_high": _H3C + "32",
    "h3copt_tx_warning_low": _H3C + "33",
    "h3copt_rx_critical_high": _H3C + "34",
    "h3copt_rx_critical_low": _H3C + "35",
    "h3copt_rx_warning_high": _H3C + "36",
    "h3copt_rx_warning_low": _H3C + "37",
}
H3C_INVALID = 2147483647
HUAWEI_NO_TEMPERATURE = -255
# JUNIPER-DOM-MIB jnxDomCurrentTable (by ifIndex): power in 0.01 dBm, temperature in C
JUNIPER_COLUMNS = {
    "jnxdom_temperature": _JNX + "8",
    "jnxdom_temperature_critical_high": _JNX + "21",
    "jnxdom_temperature_critical_low": _JNX + "22",
    "jnxdom_temperature_warning_high": _JNX + "23",
    "jnxdom_temperature_warning_low": _JNX + "24",
    "jnxdom_rx": _JNX + "5",
    "jnxdom_tx": _JNX + "7",
    "jnxdom_rx_critical_high": _JNX + "9",
    "jnxdom_rx_critical_low": _JNX + "10",
    "jnxdom_rx_warning_high": _JNX + "11",
    "jnxdom_rx_warning_low": _JNX + "12",
    "jnxdom_tx_critical_high": _JNX + "17",
    "jnxdom_tx_critical_low": _JNX + "18",
    "jnxdom_tx_warning_high": _JNX + "19",
    "jnxdom_tx_warning_low": _JNX + "20",
}

VENDOR_OPTICS_COLUMNS: Mapping[str | None, Mapping[str, str]] = {
    "cisco": {**NAMED_ENTITY_COLUMNS, **CISCO_SENSOR_COLUMNS},
    "huawei": {"ent_name": ENTITY_COLUMNS["ent_name"], **HUAWEI_COLUMNS},
    "h3c": H3C_COLUMNS,
    "juniper": JUNIPER_COLUMNS,
    None: {**ENTITY_COLUMNS, **SENSOR_COLUMNS},
}
DBM, WATTS = 14, 6  # entity sensor data types
# sensor names: "Gi1/0/1 Receive Power Sensor" (Cisco), "DOM RX Power Sensor for Ethernet5"
RX_WORDS = re.compile(r"\b(receive|rx)\b", re.IGNORECASE)
TX_WORDS = re.compile(r"\b(transmit|tx)\b", re.IGNORECASE)
PORT_AFTER_FOR = re.compile(r"\bfor\s+(\S+)\s*$")


def optics_samples(
    make: SampleMaker, vendor: str | None, columns: Columns, ports: Mapping[str, str]
) -> list[Sample]:
    """`ports`: ifIndex -> interface name of this poll (to name and index each optic)."""
    by_name = {name.casefold(): index for index, name in ports.items()}
    if vendor == "huawei":
        return list(_huawei(make, columns, by_name))
    if vendor == "h3c":
        return list(_by_ifindex(make, columns, ports, "h3copt", H3C_UNITS))
    if vendor == "juniper":
        return list(_by_ifindex(make, columns, ports, "jnxdom", JUNIPER_UNITS))
    return list(_sensors(make, columns, by_name))


def dbm(milliwatts: float) -> float:
    return 10 * math.log10(milliwatts) if milliwatts > 0 else -40.0


def _hundredths(value: int) -> float:
    return value / 100


def _h3c_dbm(value: int) -> float | None:
    return None if value == H3C_INVALID else value / 100


def _h3c_threshold(value: int) -> float | None:
    return None if value in (0, H3C_INVALID) else dbm(value / 10_000)


def _h3c_temperature(value: int) -> float | None:
    return None if value == H3C_INVALID else float(value)


def _h3c_millidegrees(value: int) -> float | None:
    return None if value == H3C_INVALID else value / 1000


def _degrees(value: int) -> float:
    return float(value)


# field -> (metric, reading in its unit, threshold in its unit)
H3C_UNITS = {
    "rx": (names.OPTIC_RX_DBM, _h3c_dbm, _h3c_threshold),
    "tx": (names.OPTIC_TX_DBM, _h3c_dbm, _h3c_threshold),
    "temperature": (names.OPTIC_TEMPERATURE, _h3c_temperature, _h3c_millidegrees),
}
JUNIPER_UNITS = {
    "rx": (names.OPTIC_RX_DBM, _hundredths, _hundredths),
    "tx": (names.OPTIC_TX_DBM, _hundredths, _hundredths),
    "temperature": (names.OPTIC_TEMPERATURE, _degrees, _degrees),
}


def _sample(make, metric, value, interface, index, thresholds) -> Sample:
    labels = {"interface": interface, "index": index or ""}
    labels.update({k: f"{v:.2f}" for k, v in thresholds.items()})
    unit = names.UNITS[metric]
    return make(metric, round(value, 2) + 0.0, unit, **labels)  # + 0.0: no "-0.0 dBm"


def _by_ifindex(make, columns: Columns, ports, prefix: str, units) -> Iterator[Sample]:
    for field, (metric, reading, threshold) in units.items():
        for index, raw in columns.get(f"{prefix}_{field}", {}).items():
            value = reading(raw) if isinstance(raw, int) else None
            if value is None:
                continue
            limits = {}
            for level in LEVELS:
                limit = columns.get(f"{prefix}_{field}_{level}", {}).get(index)
                converted = threshold(limit) if isinstance(limit, int) else None
                if converted is not None:
                    limits[level] = converted
            if value == 0 and limits and not any(limits.values()):
                continue  # all zero: a module without diagnostics
            name = ports.get(index, f"ifIndex {index}")
            yield _sample(make, metric, value, name, index if index in ports else "", limits)


def _huawei(make, columns: Columns, by_name: Mapping[str, str]) -> Iterator[Sample]:
    """-1 = no reading (no module, or one without diagnostics)."""
    entities = {i: text(v) for i, v in columns.get("ent_name", {}).items()}
    for direction, metric in (("rx", names.OPTIC_RX_DBM), ("tx", names.OPTIC_TX_DBM)):
        for index, raw in columns.get(f"hwopt_{direction}", {}).items():
            if not isinstance(raw, int) or raw < 0:
                continue
            limits = {}
            for level in LEVELS:
                limit = columns.get(f"hwopt_{direction}_{level}", {}).get(index)
                if isinstance(limit, int) and limit != -1:
                    limits[level] = limit / 100
            name = entities.get(index) or f"entity {index}"
            port = by_name.get(name.casefold(), "")
            yield _sample(make, metric, dbm(raw / 1000), name, port, limits)
    for index, raw in columns.get("hwopt_temperature", {}).items():
        if isinstance(raw, int) and raw > HUAWEI_NO_TEMPERATURE:
            name = entities.get(index) or f"entity {index}"
            port = by_name.get(name.casefold(), "")
            yield _sample(make, names.OPTIC_TEMPERATURE, raw, name, port, {})


def _sensor_metric(kind: object, name: str) -> str | None:
    """The optics metric of a transceiver's sensor, from its data type and name."""
    if kind == CELSIUS:
        return names.OPTIC_TEMPERATURE if TRANSCEIVER_SENSOR.search(name) else None
    if kind not in (DBM, WATTS) or (kind == WATTS and "dom" not in name.casefold()):
        return None
    if RX_WORDS.search(name):
        return names.OPTIC_RX_DBM
    return names.OPTIC_TX_DBM if TX_WORDS.search(name) else None


def _sensors(make, columns: Columns, by_name: Mapping[str, str]) -> Iterator[Sample]:
    """ENTITY-SENSOR (Arista: watts) and CISCO-ENTITY-SENSOR (dBm) optical power sensors;
    the port comes from the sensor's name, so a sensor without a name is not judged."""
    entities = entity_names(columns)
    types, status = columns.get("sensor_type", {}), columns.get("sensor_status", {})
    for index, raw in columns.get("sensor_value", {}).items():
        kind, name = types.get(index), entities.get(index, "")
        if not isinstance(raw, int) or not name or status.get(index, SENSOR_OK) != SENSOR_OK:
            continue
        metric = _sensor_metric(kind, name)
        if metric is None:
            continue
        value = sensor_value(columns, index, raw)
        value = dbm(value * 1000) if kind == WATTS else value
        after_for = PORT_AFTER_FOR.search(name)
        port_name = after_for[1] if after_for else name.split()[0]
        limits = sensor_thresholds(columns, index) if kind != WATTS else {}
        port = by_name.get(port_name.casefold(), "")
        yield _sample(make, metric, value, port_name, port, limits)
