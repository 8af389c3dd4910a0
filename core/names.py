"""The one catalogue of metric and check names.

Collectors emit, checks judge, profiles set thresholds on, reports and tickets look up and
exporters send these names; each is written here once and imported everywhere else, so a
misspelt name is an import or attribute error instead of a lookup that silently finds
nothing (tests/test_names.py holds the product code to that).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.phrases import Phrase, phrase

_units: dict[str, str] = {}
_checks: list[str] = []
_titles: dict[str, Phrase] = {}


def _metric(name: str, unit: str) -> str:
    _units[name] = unit
    return name


def _check(name: str, title: Phrase | None = None) -> str:
    """`title`: the item's name on the patrol sheet (巡检表), in catalogue order."""
    _checks.append(name)
    if title is not None:
        _titles[name] = title
    return name


# Metrics, in base units (B, s, %, bit/s, count).
CPU_USED_PERCENT = _metric("cpu.used_percent", "%")
CPU_CORE_USED_PERCENT = _metric("cpu.core_used_percent", "%")
CPU_IOWAIT_PERCENT = _metric("cpu.iowait_percent", "%")
CPU_COUNT = _metric("cpu.count", "count")
LOAD_1 = _metric("load.1", "count")
LOAD_5 = _metric("load.5", "count")
LOAD_15 = _metric("load.15", "count")
LOAD_PER_CORE = _metric("load.per_core", "count")
MEMORY_TOTAL = _metric("memory.total", "B")
MEMORY_AVAILABLE = _metric("memory.available", "B")
MEMORY_USED_PERCENT = _metric("memory.used_percent", "%")
SWAP_TOTAL = _metric("swap.total", "B")
SWAP_USED = _metric("swap.used", "B")
SWAP_USED_PERCENT = _metric("swap.used_percent", "%")
DISK_TOTAL = _metric("disk.total", "B")
DISK_USED = _metric("disk.used", "B")
DISK_FREE = _metric("disk.free", "B")
DISK_USED_PERCENT = _metric("disk.used_percent", "%")
DISK_INODES_TOTAL = _metric("disk.inodes_total", "count")
DISK_INODES_USED_PERCENT = _metric("disk.inodes_used_percent", "%")
DISKIO_READ_BYTES = _metric("diskio.read_bytes", "B")
DISKIO_WRITE_BYTES = _metric("diskio.write_bytes", "B")
DISKIO_READS = _metric("diskio.reads", "count")
DISKIO_WRITES = _metric("diskio.writes", "count")
NET_BYTES_RECV = _metric("net.bytes_recv", "B")
NET_BYTES_SENT = _metric("net.bytes_sent", "B")
NET_ERRORS = _metric("net.errors", "count")
NET_DROPS = _metric("net.drops", "count")
PORT_LISTENING = _metric("port.listening", "count")
PORT_LISTENERS = _metric("port.listeners", "count")
PROCESS_COUNT = _metric("process.count", "count")
PROCESS_RSS = _metric("process.rss", "B")
PROCESS_CPU_SECONDS = _metric("process.cpu_seconds", "s")
PROCESS_ZOMBIES = _metric("process.zombies", "count")
SYSTEM_ZOMBIES = _metric("system.zombies", "count")
SYSTEM_BOOT_TIME = _metric("system.boot_time", "s")
SYSTEM_UPTIME = _metric("system.uptime", "s")
DEVICE_CPU_PERCENT = _metric("device.cpu_percent", "%")
DEVICE_MEMORY_USED_PERCENT = _metric("device.memory_used_percent", "%")
IF_ADMIN_UP = _metric("if.admin_up", "count")
IF_OPER_UP = _metric("if.oper_up", "count")
IF_SPEED = _metric("if.speed", "bit/s")
IF_IN_OCTETS = _metric("if.in_octets", "B")
IF_OUT_OCTETS = _metric("if.out_octets", "B")
IF_IN_ERRORS = _metric("if.in_errors", "count")
IF_OUT_ERRORS = _metric("if.out_errors", "count")
IF_IN_DISCARDS = _metric("if.in_discards", "count")
IF_OUT_DISCARDS = _metric("if.out_discards", "count")
# computed by the rate checks from two runs' counters; thresholds are set on them
IF_UTILIZATION_PERCENT = _metric("if.utilization_percent", "%")
IF_ERRORS_PER_SECOND = _metric("if.errors_per_second", "count")
IF_DISCARDS_PER_SECOND = _metric("if.discards_per_second", "count")
# monitoring plugins (docs/plugins.md): the exit code, and perfdata by its unit of measure
PLUGIN_STATUS = _metric("plugin.status", "count")
PLUGIN_SECONDS = _metric("plugin.seconds", "s")
PLUGIN_PERCENT = _metric("plugin.percent", "%")
PLUGIN_BYTES = _metric("plugin.bytes", "B")
PLUGIN_VALUE = _metric("plugin.value", "count")  # no unit, a counter (`c`) or an unknown one
# database servers (docs/databases.md): PostgreSQL and MySQL/MariaDB read alike
DB_START_TIME = _metric("db.start_time", "s")  # epoch seconds; labels engine and version
DB_UPTIME = _metric("db.uptime", "s")
DB_CONNECTIONS = _metric("db.connections", "count")
DB_MAX_CONNECTIONS = _metric("db.max_connections", "count")
DB_CONNECTIONS_PERCENT = _metric("db.connections_percent", "%")
DB_CACHE_REQUESTS = _metric("db.cache_requests", "count")  # cumulative page/block reads asked
DB_CACHE_MISSES = _metric("db.cache_misses", "count")  # cumulative: of those, read from disk
DB_REPLICA = _metric("db.replica", "count")  # 1: the server replicates from another
DB_REPLICATION_RUNNING = _metric("db.replication_running", "count")  # 1 receiving and applying
DB_REPLICATION_LAG = _metric("db.replication_lag", "s")
DB_LONGEST_TRANSACTION = _metric("db.longest_transaction", "s")
DB_LONGEST_LOCK_WAIT = _metric("db.longest_lock_wait", "s")
DB_LOCK_WAITS = _metric("db.lock_waits", "count")
DB_DEADLOCKS = _metric("db.deadlocks", "count")  # cumulative since the server's stats began
DB_SIZE = _metric("db.size", "B")  # one per database, label `database`
DB_BACKUP_LAST_GOOD = _metric("db.backup_last_good", "s")  # epoch seconds; 0 = none recorded
# computed by the database checks from two runs; thresholds are set on them
DB_CACHE_HIT_PERCENT = _metric("db.cache_hit_percent", "%")
DB_NEW_DEADLOCKS = _metric("db.new_deadlocks", "count")
DB_GROWTH_PERCENT_PER_DAY = _metric("db.growth_percent_per_day", "%")

# Checks: a Finding's and a ticket's `check` (a profile disables one by this name).
CHECK_CPU = _check("cpu", phrase("CPU usage"))
CHECK_LOAD = _check("load", phrase("System load"))
CHECK_MEMORY = _check("memory", phrase("Memory usage"))
CHECK_SWAP = _check("swap", phrase("Swap usage"))
CHECK_DISK = _check("disk", phrase("Filesystem space"))
CHECK_INODES = _check("inodes", phrase("Filesystem inodes"))
CHECK_ZOMBIES = _check("zombies", phrase("Zombie processes"))
CHECK_PROCESS = _check("process", phrase("Key processes"))
CHECK_PORT = _check("port", phrase("Listening ports"))
CHECK_REBOOT = _check("reboot", phrase("Uptime and restarts"))
CHECK_DEVICE_CPU = _check("device_cpu", phrase("Device CPU usage"))
CHECK_DEVICE_MEMORY = _check("device_memory", phrase("Device memory usage"))
CHECK_DEVICE_RESTART = _check("device_restart", phrase("Device restarts"))
CHECK_INTERFACE = _check("interface", phrase("Interface status"))
CHECK_IF_UTILIZATION = _check("if_utilization", phrase("Interface utilisation"))
CHECK_IF_ERRORS = _check("if_errors", phrase("Interface errors"))
CHECK_IF_DISCARDS = _check("if_discards", phrase("Interface discards"))
# database and configuration backups: one ticket rule fits both
CHECK_BACKUP = _check("backup", phrase("Backups"))
CHECK_CONFIG_CHANGE = _check("config_change", phrase("Configuration changes"))
CHECK_PLUGIN = _check("plugin", phrase("Monitoring plugins"))
CHECK_DB_RESTART = _check("db_restart", phrase("Database uptime and restarts"))
CHECK_DB_CONNECTIONS = _check("db_connections", phrase("Database connections"))
CHECK_DB_CACHE_HIT = _check("db_cache_hit", phrase("Database cache hit ratio"))
CHECK_DB_REPLICATION = _check("db_replication", phrase("Replication state and lag"))
CHECK_DB_LONG_TRANSACTION = _check("db_long_transaction", phrase("Long-running transactions"))
CHECK_DB_LOCK_WAIT = _check("db_lock_wait", phrase("Lock waits"))
CHECK_DB_DEADLOCKS = _check("db_deadlocks", phrase("Deadlocks"))
CHECK_DB_GROWTH = _check("db_growth", phrase("Database size and growth"))
CHECK_DB_BACKUP = _check("db_backup", phrase("Last good database backup"))
# written by the runner, not by a check: the target or a collector could not be inspected, or
# the inspection itself failed; when they fail, silence about the other checks proves nothing
CHECK_REACHABILITY = _check("reachability", phrase("Reachability"))
CHECK_COLLECTOR = _check("collector", phrase("Data collection"))
CHECK_INSPECTION = _check("inspection", phrase("Inspection"))

UNITS: Mapping[str, str] = MappingProxyType(_units)  # metric -> its unit
METRICS = frozenset(_units)
CHECKS = frozenset(_checks)
# check -> its patrol sheet item, in the order the sheet lists them
TITLES: Mapping[str, Phrase] = MappingProxyType(_titles)
