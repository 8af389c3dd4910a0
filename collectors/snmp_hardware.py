"""The patrol sheet's hardware items of a switch: environment and optics, walked only when the
profile asks for a check that needs them (polling cost: the standard profile walks none of this).

One GETBULK loop over the union of the wanted vendor columns; what no table answers becomes a
note, so the check says "not measured: <why>" instead of staying silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from collectors.snmp_agent import Agent
from collectors.snmp_decode import SampleMaker
from collectors.snmp_env import VENDOR_ENV_COLUMNS, environment_samples
from collectors.snmp_optics import VENDOR_OPTICS_COLUMNS, optics_samples
from core import names
from core.model import Missing, Sample
from core.phrases import phrase
from settings.profiles import Profile, asks

REPETITIONS = 10  # rows per GETBULK: ~20 columns side by side stay well inside a UDP datagram
# check -> the metrics it judges and what they are, for the note when nothing answers
ENV_CHECKS = {
    names.CHECK_DEVICE_PSU: (names.ENV_PSU_STATE, phrase("power supply status")),
    names.CHECK_DEVICE_FAN: (names.ENV_FAN_STATE, phrase("fan status")),
    names.CHECK_DEVICE_BOARD: (names.ENV_BOARD_STATE, phrase("board status")),
    names.CHECK_DEVICE_TEMPERATURE: (names.ENV_TEMPERATURE, phrase("chassis temperature")),
}
OPTICS_METRICS = (names.OPTIC_RX_DBM, names.OPTIC_TX_DBM, names.OPTIC_TEMPERATURE)
TABLES = {
    "cisco": "CISCO-ENVMON-MIB, CISCO-ENTITY-SENSOR-MIB, ENTITY-MIB",
    "huawei": "HUAWEI-ENTITY-EXTENT-MIB, ENTITY-MIB",
    "h3c": "HH3C-ENTITY-EXT-MIB, HH3C-TRANSCEIVER-INFO-MIB, ENTITY-MIB",
    "juniper": "JUNIPER-MIB jnxOperatingTable, JUNIPER-DOM-MIB",
}
GENERIC_TABLES = "ENTITY-SENSOR-MIB, ENTITY-MIB"


def wanted(profile: Profile, vendor: str | None) -> dict[str, str]:
    """The columns the profile's enabled hardware checks need on this vendor."""
    columns: dict[str, str] = {}
    if any(asks(profile, check) for check in ENV_CHECKS):
        columns.update(VENDOR_ENV_COLUMNS.get(vendor, VENDOR_ENV_COLUMNS[None]))
    if asks(profile, names.CHECK_OPTICS):
        columns.update(VENDOR_OPTICS_COLUMNS.get(vendor, VENDOR_OPTICS_COLUMNS[None]))
    return columns


async def hardware_samples(
    agent: Agent,
    make: SampleMaker,
    vendor: str | None,
    profile: Profile,
    interfaces: Sequence[Sample],
) -> list[Sample | Missing]:
    columns = wanted(profile, vendor)
    if not columns:
        return []
    walked, _ = await agent.walk(columns, REPETITIONS)
    found: list[Sample | Missing] = []
    asked = {metric for check, (metric, _) in ENV_CHECKS.items() if asks(profile, check)}
    found += [s for s in environment_samples(make, vendor, walked) if s.metric in asked]
    if asks(profile, names.CHECK_OPTICS):
        found += optics_samples(make, vendor, walked, ports(interfaces))
    return [*found, *notes(profile, vendor, {s.metric for s in found})]


def ports(interfaces: Sequence[Sample]) -> Mapping[str, str]:
    """ifIndex -> interface name, as the interface samples of this poll have them."""
    return {s.label("index"): s.label("interface") for s in interfaces if s.label("index")}


def notes(profile: Profile, vendor: str | None, got: set[str]) -> list[Missing]:
    tables = TABLES.get(vendor or "", GENERIC_TABLES)
    found = [
        Missing(metric, phrase("the device answers no {what} in the tables we read ({tables})",
                               what=what, tables=tables))
        for check, (metric, what) in ENV_CHECKS.items()
        if asks(profile, check) and metric not in got
    ]
    if asks(profile, names.CHECK_OPTICS) and got.isdisjoint(OPTICS_METRICS):
        why = phrase("no transceiver reports its readings with its port in the tables we read "
                     "({tables})", tables=tables)
        found += [Missing(metric, why) for metric in OPTICS_METRICS]
    return found
