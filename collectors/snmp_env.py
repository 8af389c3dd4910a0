"""Power supplies, fans, boards and temperatures of switches and routers, from the tables each
vendor publishes them in. Pure: walked columns in, Samples out (collectors.snmp_decode shapes).

A component's state sample is 0 normal, 1 warning, 2 critical, 3 unknown, with the device's
own word in label `state`; absent components (an empty PSU slot) give no sample. Temperatures
carry the device's own thresholds where it publishes them (labels `warning_high`,
`critical_high`), so the check judges against those before the profile's defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from collectors.snmp_decode import Columns, SampleMaker, text
from core import names
from core.model import Sample

NORMAL, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3

_ENT = "1.3.6.1.2.1.47.1.1.1.1."
_SENSOR = "1.3.6.1.2.1.99.1.1.1."
_ENVMON = "1.3.6.1.4.1.9.9.13.1."
_CSENSOR = "1.3.6.1.4.1.9.9.91.1.1.1.1."
_CTHRESHOLD = "1.3.6.1.4.1.9.9.91.1.2.1.1."
_HW = "1.3.6.1.4.1.2011.5.25.31.1.1."
_H3C = "1.3.6.1.4.1.25506.2.6.1.1.1.1."
_JNX = "1.3.6.1.4.1.2636.3.1.13.1."

# ENTITY-MIB: what an entity is and what it is called (class 6 powerSupply, 7 fan, 9 module)
ENTITY_COLUMNS = {"ent_descr": _ENT + "2", "ent_class": _ENT + "5", "ent_name": _ENT + "7"}
# entPhysicalDescr only where names are empty (Arista): one column less on big chassis
NAMED_ENTITY_COLUMNS = {k: v for k, v in ENTITY_COLUMNS.items() if k != "ent_descr"}
ENT_CLASS_KIND = {6: names.ENV_PSU_STATE, 7: names.ENV_FAN_STATE, 9: names.ENV_BOARD_STATE}
# ENTITY-SENSOR-MIB entPhySensorTable; CISCO-ENTITY-SENSOR-MIB has the same columns + thresholds
SENSOR_COLUMNS = {
    "sensor_type": _SENSOR + "1",
    "sensor_scale": _SENSOR + "2",
    "sensor_precision": _SENSOR + "3",
    "sensor_value": _SENSOR + "4",
    "sensor_status": _SENSOR + "5",
}
CISCO_SENSOR_COLUMNS = {
    "sensor_type": _CSENSOR + "1",
    "sensor_scale": _CSENSOR + "2",
    "sensor_precision": _CSENSOR + "3",
    "sensor_value": _CSENSOR + "4",
    "sensor_status": _CSENSOR + "5",
    "threshold_severity": _CTHRESHOLD + "2",
    "threshold_relation": _CTHRESHOLD + "3",
    "threshold_value": _CTHRESHOLD + "4",
}
# CISCO-ENVMON-MIB status tables
ENVMON_COLUMNS = {
    "envmon_temp_descr": _ENVMON + "3.1.2",
    "envmon_temp_value": _ENVMON + "3.1.3",
    "envmon_temp_threshold": _ENVMON + "3.1.4",
    "envmon_temp_state": _ENVMON + "3.1.6",
    "envmon_fan_descr": _ENVMON + "4.1.2",
    "envmon_fan_state": _ENVMON + "4.1.3",
    "envmon_psu_descr": _ENVMON + "5.1.2",
    "envmon_psu_state": _ENVMON + "5.1.3",
}
# HUAWEI-ENTITY-EXTENT-MIB hwEntityStateTable and hwFanStatusTable
HUAWEI_COLUMNS = {
    "hw_oper": _HW + "1.1.2",
    "hw_temperature": _HW + "1.1.11",
    "hw_temperature_threshold": _HW + "1.1.12",
    "hw_fan_present": _HW + "10.1.6",
    "hw_fan_state": _HW + "10.1.7",
}
# HH3C-ENTITY-EXT-MIB hh3cEntityExtStateTable
H3C_COLUMNS = {
    "h3c_oper": _H3C + "3",
    "h3c_temperature": _H3C + "12",
    "h3c_temperature_threshold": _H3C + "13",
    "h3c_error": _H3C + "19",
    "h3c_critical_temperature": _H3C + "22",
}
# JUNIPER-MIB jnxOperatingTable (index: container.L1.L2.L3)
JUNIPER_COLUMNS = {
    "jnx_descr": _JNX + "5",
    "jnx_state": _JNX + "6",
    "jnx_temperature": _JNX + "7",
}

# per vendor (collectors.snmp_oids.vendor_of), the tables read; anything else: ENTITY-SENSOR
VENDOR_ENV_COLUMNS: Mapping[str | None, Mapping[str, str]] = {
    "cisco": {**NAMED_ENTITY_COLUMNS, **ENVMON_COLUMNS, **CISCO_SENSOR_COLUMNS},
    "huawei": {**NAMED_ENTITY_COLUMNS, **HUAWEI_COLUMNS},
    "h3c": {**NAMED_ENTITY_COLUMNS, **H3C_COLUMNS},
    "juniper": JUNIPER_COLUMNS,
    None: {**ENTITY_COLUMNS, **SENSOR_COLUMNS},
}

# CISCO-ENVMON-MIB CiscoEnvMonState
ENVMON_STATES = {
    1: ("normal", NORMAL),
    2: ("warning", WARNING),
    3: ("critical", CRITICAL),
    4: ("shutdown", CRITICAL),
    6: ("notFunctioning", CRITICAL),
}  # 5 notPresent: an empty slot
# HUAWEI hwEntityOperStatus
HUAWEI_OPER = {
    2: ("disabled", CRITICAL),
    3: ("enabled", NORMAL),
    4: ("offline", CRITICAL),
    11: ("up", NORMAL),
    12: ("down", CRITICAL),
    13: ("connect", NORMAL),
    15: ("protocolUp", NORMAL),
    16: ("linkUp", NORMAL),
    17: ("linkDown", CRITICAL),
}  # 1 notSupported
HUAWEI_FAN = {1: ("normal", NORMAL), 2: ("abnormal", CRITICAL)}
# HH3C hh3cEntityExtErrorStatus (4 entityAbsent: an empty slot; 1 notSupported: see oper)
H3C_ERRORS = {
    2: ("normal", NORMAL),
    3: ("postFailure", CRITICAL),
    11: ("poeError", WARNING),
    21: ("stackError", CRITICAL),
    22: ("stackPortBlocked", WARNING),
    23: ("stackPortFailed", CRITICAL),
    31: ("sfpRecvError", WARNING),
    32: ("sfpSendError", WARNING),
    33: ("sfpBothError", WARNING),
    41: ("fanError", CRITICAL),
    51: ("psuError", CRITICAL),
    61: ("rpsError", CRITICAL),
    71: ("moduleFaulty", CRITICAL),
    81: ("sensorError", WARNING),
    91: ("hardwareFaulty", CRITICAL),
}
H3C_OPER = {2: ("disabled", CRITICAL), 3: ("enabled", NORMAL), 4: ("dangerous", CRITICAL)}
H3C_NO_READING = 65535
# JUNIPER-MIB jnxOperatingState (1 unknown: no sample)
JUNIPER_STATES = {
    2: ("running", NORMAL),
    3: ("ready", NORMAL),
    4: ("reset", WARNING),
    5: ("runningAtFullSpeed", WARNING),
    6: ("down", CRITICAL),
    7: ("standby", NORMAL),
}
# jnxContentsContainerIndex -> kind: 2 power supplies (PEM), 4 fans, the rest boards
JUNIPER_KINDS = {2: names.ENV_PSU_STATE, 4: names.ENV_FAN_STATE}
JUNIPER_BOARDS = {7, 8, 9, 10, 12, 20}  # FPC, PIC, Routing Engine, FPM, CB, MIC
# ENTITY-SENSOR-MIB EntitySensorDataType / status
CELSIUS, RPM = 8, 10
SENSOR_OK = 1
# a fan speed sensor's status is the fan's: unavailable says nothing either way
FAN_SENSOR_STATES = {
    1: ("ok", NORMAL),
    2: ("unavailable", UNKNOWN),
    3: ("nonoperational", CRITICAL),
}
# a transceiver's own sensor ("Gi1/0/1 Module Temperature Sensor", "DOM Temperature Sensor for
# Ethernet5"): judged by the optics check, not as the chassis temperature
TRANSCEIVER_SENSOR = re.compile(r"\b(dom|transceiver|module temperature)\b", re.IGNORECASE)
# CISCO-ENTITY-SENSOR-MIB thresholds: severity 1 other, 10 minor, 20 major, 30 critical;
# relation 1 lessThan, 2 lessOrEqual, 3 greaterThan, 4 greaterOrEqual
SEVERITY = {10: "warning", 20: "critical", 30: "critical"}
SEVERITY_OTHER = 1
RELATION = {1: "low", 2: "low", 3: "high", 4: "high"}


def environment_samples(make: SampleMaker, vendor: str | None, columns: Columns) -> list[Sample]:
    """Every environment sample the vendor's tables hold."""
    entities = entity_names(columns)
    found: list[Sample] = []
    if vendor == "cisco":
        found += _envmon(make, columns)
        found += sensor_temperatures(make, columns, entities)
    elif vendor == "huawei":
        found += _huawei(make, columns, entities)
    elif vendor == "h3c":
        found += _h3c(make, columns, entities)
    elif vendor == "juniper":
        found += _juniper(make, columns)
    else:
        found += sensor_temperatures(make, columns, entities)
        found += _sensor_fans(make, columns, entities)
    return found


def entity_names(columns: Columns) -> dict[str, str]:
    """entPhysicalName (else entPhysicalDescr: Arista leaves names empty), unique per index."""
    named = {
        index: text(columns.get("ent_name", {}).get(index, "")) or text(descr)
        for index, descr in columns.get("ent_descr", {}).items()
    }
    for index, name in columns.get("ent_name", {}).items():
        named.setdefault(index, text(name))
    return unique(named)


def unique(named: Mapping[str, str]) -> dict[str, str]:
    """Names two indexes share get ' #index', so every subject stays one component."""
    counts: dict[str, int] = {}
    for name in named.values():
        counts[name] = counts.get(name, 0) + 1
    return {i: f"{n} #{i}" if counts[n] > 1 else n for i, n in named.items() if n}


def _state(make: SampleMaker, metric: str, name: str, word: str, level: int) -> Sample:
    return make(metric, level, "count", name=name, state=word)


def _envmon(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    for kind, metric in (("psu", names.ENV_PSU_STATE), ("fan", names.ENV_FAN_STATE)):
        descr = columns.get(f"envmon_{kind}_descr", {})
        for index, code in columns.get(f"envmon_{kind}_state", {}).items():
            if code in ENVMON_STATES:
                word, level = ENVMON_STATES[code]
                name = text(descr.get(index, "")) or f"{kind} {index}"
                yield _state(make, metric, name, word, level)
    descr = columns.get("envmon_temp_descr", {})
    limits = columns.get("envmon_temp_threshold", {})
    states = columns.get("envmon_temp_state", {})
    for index, value in columns.get("envmon_temp_value", {}).items():
        if not isinstance(value, int) or states.get(index) == 5:  # notPresent
            continue
        labels = {"name": text(descr.get(index, "")) or f"temperature {index}"}
        if isinstance(limits.get(index), int) and limits[index] > 0:
            labels["critical_high"] = str(limits[index])  # the device shuts down above it
        if states.get(index) in ENVMON_STATES:
            labels["state"] = ENVMON_STATES[states[index]][0]
        yield make(names.ENV_TEMPERATURE, value, "C", **labels)


def sensor_value(columns: Columns, index: str, value: int) -> float:
    """entPhySensorValue in units: scale (9 = units, 8 = milli, ...) and precision digits."""
    scale = columns.get("sensor_scale", {}).get(index, 9)
    precision = columns.get("sensor_precision", {}).get(index, 0)
    scale = scale if isinstance(scale, int) else 9
    precision = precision if isinstance(precision, int) else 0
    return value * 10.0 ** (3 * (scale - 9)) / 10.0**precision


def sensor_thresholds(columns: Columns, index: str) -> dict[str, float]:
    """CISCO-ENTITY-SENSOR thresholds of one sensor in its units (`critical_high`, ...).
    Severity minor is a warning, major and critical are critical; NX-OS marks its four
    transceiver thresholds severity "other": there the outer pair is the alarm, the inner
    pair the warning."""
    found: dict[str, float] = {}
    unmarked: list[float] = []
    relations, values = columns.get("threshold_relation", {}), columns.get("threshold_value", {})
    for key, severity in columns.get("threshold_severity", {}).items():
        sensor, _, _ = key.rpartition(".")
        if sensor != index or not isinstance(values.get(key), int):
            continue
        value = sensor_value(columns, index, values[key])
        level, side = SEVERITY.get(severity), RELATION.get(relations.get(key))
        if severity == SEVERITY_OTHER:
            unmarked.append(value)
        elif level and side:
            name = f"{level}_{side}"
            pick = max if side == "low" else min  # the first one crossed
            found[name] = pick(found.get(name, value), value)
    if len(unmarked) == 4 and not found:
        low_alarm, low_warning, high_warning, high_alarm = sorted(unmarked)
        found = {
            "critical_low": low_alarm,
            "warning_low": low_warning,
            "warning_high": high_warning,
            "critical_high": high_alarm,
        }
    return found


def sensor_temperatures(
    make: SampleMaker, columns: Columns, entities: Mapping[str, str]
) -> Iterator[Sample]:
    types, status = columns.get("sensor_type", {}), columns.get("sensor_status", {})
    for index, value in columns.get("sensor_value", {}).items():
        if types.get(index) != CELSIUS or not isinstance(value, int):
            continue
        if status.get(index, SENSOR_OK) != SENSOR_OK:
            continue  # unavailable: no reading to judge
        name = entities.get(index) or f"sensor {index}"
        if TRANSCEIVER_SENSOR.search(name):
            continue
        limits = sensor_thresholds(columns, index)
        labels = {"name": name, **{k: f"{v:g}" for k, v in limits.items() if "high" in k}}
        yield make(names.ENV_TEMPERATURE, sensor_value(columns, index, value), "C", **labels)


def _sensor_fans(
    make: SampleMaker, columns: Columns, entities: Mapping[str, str]
) -> Iterator[Sample]:
    """ENTITY-SENSOR fan speed sensors: their operational status is the fan's."""
    types = columns.get("sensor_type", {})
    for index, code in columns.get("sensor_status", {}).items():
        if types.get(index) != RPM or code not in FAN_SENSOR_STATES:
            continue
        word, level = FAN_SENSOR_STATES[code]
        name = entities.get(index) or f"fan sensor {index}"
        yield _state(make, names.ENV_FAN_STATE, name, word, level)


def _by_class(columns: Columns) -> dict[str, str]:
    """Entity index -> state metric, for power supplies, fans and boards."""
    return {
        index: ENT_CLASS_KIND[cls]
        for index, cls in columns.get("ent_class", {}).items()
        if cls in ENT_CLASS_KIND
    }


def _huawei(make: SampleMaker, columns: Columns, entities: Mapping[str, str]) -> Iterator:
    fans = columns.get("hw_fan_state", {})
    present = columns.get("hw_fan_present", {})
    for index, code in fans.items():
        if present.get(index) == 1 and code in HUAWEI_FAN:
            slot, _, fan = index.partition(".")
            yield _state(make, names.ENV_FAN_STATE, f"FAN {slot}/{fan}", *HUAWEI_FAN[code])
    kinds = _by_class(columns)
    for index, code in columns.get("hw_oper", {}).items():
        metric = kinds.get(index)
        if metric and code in HUAWEI_OPER and not (fans and metric == names.ENV_FAN_STATE):
            name = entities.get(index) or index
            yield _state(make, metric, name, *HUAWEI_OPER[code])
    limits = columns.get("hw_temperature_threshold", {})
    for index, value in columns.get("hw_temperature", {}).items():
        if isinstance(value, int) and value > 0 and index in kinds:
            labels = {"name": entities.get(index) or index}
            if isinstance(limits.get(index), int) and limits[index] > 0:
                labels["warning_high"] = str(limits[index])  # the device's alarm threshold
            yield make(names.ENV_TEMPERATURE, value, "C", **labels)


def _h3c(make: SampleMaker, columns: Columns, entities: Mapping[str, str]) -> Iterator:
    kinds = _by_class(columns)
    opers = columns.get("h3c_oper", {})
    for index, metric in kinds.items():
        error, oper = columns.get("h3c_error", {}).get(index), opers.get(index)
        state = H3C_ERRORS.get(error) if isinstance(error, int) else None
        if state is None and error in (None, 1):  # error status not supported: oper status
            state = H3C_OPER.get(oper) if isinstance(oper, int) else None
        if state:
            yield _state(make, metric, entities.get(index) or index, *state)
    warn = columns.get("h3c_temperature_threshold", {})
    crit = columns.get("h3c_critical_temperature", {})
    for index, value in columns.get("h3c_temperature", {}).items():
        if not isinstance(value, int) or value in (0, H3C_NO_READING) or index not in kinds:
            continue
        labels = {"name": entities.get(index) or index}
        for key, column in (("warning_high", warn), ("critical_high", crit)):
            limit = column.get(index)
            if isinstance(limit, int) and 0 < limit < H3C_NO_READING:
                labels[key] = str(limit)
        yield make(names.ENV_TEMPERATURE, value, "C", **labels)


def _juniper(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    descr = columns.get("jnx_descr", {})
    named = unique({i: text(d) for i, d in descr.items()})
    for index, code in columns.get("jnx_state", {}).items():
        container = int(index.split(".", 1)[0])
        metric = JUNIPER_KINDS.get(container)
        if metric is None and container in JUNIPER_BOARDS:
            metric = names.ENV_BOARD_STATE
        if metric and code in JUNIPER_STATES:
            yield _state(make, metric, named.get(index, index), *JUNIPER_STATES[code])
    for index, value in columns.get("jnx_temperature", {}).items():
        if isinstance(value, int) and value > 0:  # 0: the component has no sensor
            yield make(names.ENV_TEMPERATURE, value, "C", name=named.get(index, index))
