"""Pure decoding of walked SNMP columns into samples (no agent needed)."""

from datetime import UTC, datetime

import pytest

from collectors import snmp_decode as decode
from collectors.snmp_oids import HR_STORAGE_RAM, vendor_of

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def make():
    return decode.SampleMaker("sw1", AT)


@pytest.mark.parametrize(
    ("row", "speed"),
    [
        ({"speed": 100_000_000, "high_speed": 100}, 1e8),
        ({"speed": 4_294_967_295, "high_speed": 10_000}, 1e10),  # ifSpeed saturated
        ({"speed": 0, "high_speed": 40_000}, 4e10),
        ({"speed": 0}, 0.0),
        ({}, None),
    ],
)
def test_interface_speed(row, speed):
    columns = {"descr": {"1": b"Gi0/1"}, **{k: {"1": v} for k, v in row.items()}}
    found = [s.value for s in decode.interface_samples(make(), columns) if s.metric == "if.speed"]
    assert found == ([] if speed is None else [speed])


def test_interface_names_labels_and_counter_width():
    columns = {
        "descr": {"1": b"GigabitEthernet0/1", "2": b"Null0", "3": b"vlan", "4": b"vlan"},
        "name": {"1": b"Gi0/1", "2": b""},
        "alias": {"1": b"uplink \xe6\xa0\xb8\xe5\xbf\x83\x00"},
        "oper": {"1": 1, "2": 2, "3": 1, "4": 2},
        "in_octets64": {"1": 10},
        "in_octets32": {"1": 5, "2": 7},
    }
    samples = list(decode.interface_samples(make(), columns))
    octets = {s.label("interface"): s for s in samples if s.metric == "if.in_octets"}
    assert octets["Gi0/1"].value == 10 and octets["Gi0/1"].label("bits") == ""
    assert octets["Null0"].value == 7 and octets["Null0"].label("bits") == "32"
    assert octets["Gi0/1"].labels["alias"] == "uplink 核心"
    assert {s.label("index") for s in samples} == {"1", "2", "3", "4"}
    assert {s.label("interface") for s in samples} == {"Gi0/1", "Null0", "vlan #3", "vlan #4"}


def test_entity_boards_sharing_a_name_get_distinct_labels():
    columns = {"entity_cpu": {"10": 5, "11": 0, "12": 7}, "entity_mem": {"10": 40, "12": 30}}
    names = {"10": "Board 0", "12": "Board 0"}
    assert decode.entity_indexes(columns) == ["10", "12"]
    cpu = [
        s.label("cpu")
        for s in decode.vendor_samples(make(), "h3c", columns, names)
        if s.metric == "device.cpu_percent"
    ]
    assert cpu == ["Board 0 #10", "Board 0 #12"]


def hr(rows):
    """rows: (index, type, descr, units, size, used)"""
    keys = ("type", "descr", "units", "size", "used")
    return {f"hr_storage_{key}": {r[0]: r[i + 1] for r in rows} for i, key in enumerate(keys)}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # net-snmp 5.9: MemAvailable is the size of "Available memory"
        (
            [
                ("1", HR_STORAGE_RAM, b"Physical memory", 1024, 1000, 900),
                ("11", "1.3.6.1.2.1.25.2.1.1", b"Available memory", 1024, 600, 0),
            ],
            40.0,
        ),
        # older net-snmp: subtract buffers and cache
        (
            [
                ("1", HR_STORAGE_RAM, b"Physical memory", 1024, 1000, 900),
                ("6", "1.3.6.1.2.1.25.2.1.1", b"Memory buffers", 1024, 1000, 100),
                ("7", "1.3.6.1.2.1.25.2.1.1", b"Cached memory", 1024, 300, 300),
            ],
            50.0,
        ),
        # Arista: buffers and cache are RAM rows of their own
        (
            [
                ("1", HR_STORAGE_RAM, b"RAM", 1024, 1000, 800),
                ("2", HR_STORAGE_RAM, b"RAM (Buffers)", 1024, 1000, 100),
                ("3", HR_STORAGE_RAM, b"RAM (Cache)", 1024, 1000, 200),
            ],
            50.0,
        ),
    ],
)
def test_host_resources_memory(rows, expected):
    samples = list(decode.host_resources_samples(make(), hr(rows)))
    assert [(s.metric, s.value) for s in samples] == [("device.memory_used_percent", expected)]


@pytest.mark.parametrize(
    ("oid", "vendor"),
    [
        ("1.3.6.1.4.1.9.1.617", "cisco"),
        ("1.3.6.1.4.1.2011.2.23.276", "huawei"),
        ("1.3.6.1.4.1.25506.1.578", "h3c"),
        ("1.3.6.1.4.1.30065.1.3011", None),
        ("", None),
    ],
)
def test_vendor_from_sys_object_id(oid, vendor):
    assert vendor_of(oid) == vendor


def test_each_row_is_stamped_when_its_counters_arrived():
    columns = {"descr": {"1": b"a", "2": b"b"}, "oper": {"1": 1, "2": 1}, "in_octets64": {"1": 5}}
    stamps = {"oper": {"1": 100.0, "2": 200.0}, "in_octets64": {"1": 150.0}}
    samples = list(decode.interface_samples(make(), columns, stamps))
    at = {(s.label("interface"), s.metric): s.at.timestamp() for s in samples}
    assert at[("a", "if.in_octets")] == at[("a", "if.oper_up")] == 150.0
    assert at[("b", "if.oper_up")] == 200.0


def test_plain_values_from_pysnmp_types():
    from pysnmp.proto import rfc1902, rfc1905

    from collectors.snmp_agent import python_value

    assert python_value(rfc1902.Counter64(2**64 - 1)) == 2**64 - 1
    assert python_value(rfc1902.OctetString(b"Gi0/1")) == b"Gi0/1"
    assert python_value(rfc1902.ObjectIdentifier("1.3.6.1.4.1.9")) == "1.3.6.1.4.1.9"
    for marker in (rfc1905.noSuchInstance, rfc1905.noSuchObject, rfc1905.endOfMibView):
        assert python_value(marker) is None  # pyasn1's Null is an OctetString: not b""
