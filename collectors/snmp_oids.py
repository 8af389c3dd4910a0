"""Numeric OIDs the SNMP collector reads (no MIB files: Debian ships none, and lookups cost)."""

from __future__ import annotations

# SNMPv2-MIB system group and IF-MIB ifNumber, fetched with one GET
SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
IF_NUMBER = "1.3.6.1.2.1.2.1.0"
# HOST-RESOURCES hrSystemUptime: the host's uptime, where sysUpTime is only the SNMP agent's
# (net-snmp restarted by a package upgrade is not a device restart)
HR_SYSTEM_UPTIME = "1.3.6.1.2.1.25.1.1.0"
SCALARS = (SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME, IF_NUMBER, HR_SYSTEM_UPTIME)

_IF = "1.3.6.1.2.1.2.2.1."
_IFX = "1.3.6.1.2.1.31.1.1.1."

# IF-MIB columns: only the ones the samples need (walking whole tables costs 2-3x)
IF_COLUMNS = {
    "descr": _IF + "2",
    "speed": _IF + "5",
    "admin": _IF + "7",
    "oper": _IF + "8",
    "in_octets32": _IF + "10",
    "in_discards": _IF + "13",
    "in_errors": _IF + "14",
    "out_octets32": _IF + "16",
    "out_discards": _IF + "19",
    "out_errors": _IF + "20",
    "name": _IFX + "1",
    "in_octets64": _IFX + "6",
    "out_octets64": _IFX + "10",
    "high_speed": _IFX + "15",
    "alias": _IFX + "18",
}

# HOST-RESOURCES-MIB: the fallback when no vendor CPU/memory table answers
HR_COLUMNS = {
    "hr_cpu_load": "1.3.6.1.2.1.25.3.3.1.2",
    "hr_storage_type": "1.3.6.1.2.1.25.2.3.1.2",
    "hr_storage_descr": "1.3.6.1.2.1.25.2.3.1.3",
    "hr_storage_units": "1.3.6.1.2.1.25.2.3.1.4",
    "hr_storage_size": "1.3.6.1.2.1.25.2.3.1.5",
    "hr_storage_used": "1.3.6.1.2.1.25.2.3.1.6",
}
HR_STORAGE_RAM = "1.3.6.1.2.1.25.2.1.2"

_CPM = "1.3.6.1.4.1.9.9.109.1.1.1.1."
_CMP = "1.3.6.1.4.1.9.9.48.1.1.1."
_CEMP = "1.3.6.1.4.1.9.9.221.1.1.1.1."
_HW = "1.3.6.1.4.1.2011.5.25.31.1.1.1.1."
_H3C = "1.3.6.1.4.1.25506.2.6.1.1.1.1."
_JNX = "1.3.6.1.4.1.2636.3.1.13.1."

# vendor tables by the enterprise number in sysObjectID (1.3.6.1.4.1.<n>...)
VENDOR_COLUMNS = {
    "cisco": {
        "cpm_5min_rev": _CPM + "8",
        "cpm_5min": _CPM + "5",
        # NX-OS has no memory pool tables: cpmCPUMemoryUsed/Free (KB) of each CPU instead
        "cpm_memory_used": _CPM + "12",
        "cpm_memory_free": _CPM + "13",
        "mempool_name": _CMP + "2",
        "mempool_used": _CMP + "5",
        "mempool_free": _CMP + "6",
        "cemp_name": _CEMP + "3",
        "cemp_used": _CEMP + "7",
        "cemp_free": _CEMP + "8",
        "cemp_hc_used": _CEMP + "18",
        "cemp_hc_free": _CEMP + "20",
    },
    "huawei": {"entity_cpu": _HW + "5", "entity_mem": _HW + "7"},
    "h3c": {"entity_cpu": _H3C + "6", "entity_mem": _H3C + "8"},
    # JUNIPER-MIB jnxOperatingTable: descr, CPU and buffer (memory) % of every FRU
    "juniper": {"jnx_descr": _JNX + "5", "jnx_cpu": _JNX + "8", "jnx_buffer": _JNX + "11"},
}
ENTERPRISES = {"9": "cisco", "2011": "huawei", "25506": "h3c", "2636": "juniper"}

# ENTITY-MIB entPhysicalName: names the Huawei/H3C entities in the labels
ENT_PHYSICAL_NAME = "1.3.6.1.2.1.47.1.1.1.1.7"


def vendor_of(sys_object_id: str) -> str | None:
    prefix = "1.3.6.1.4.1."
    if not sys_object_id.startswith(prefix):
        return None
    return ENTERPRISES.get(sys_object_id[len(prefix) :].split(".", 1)[0])
