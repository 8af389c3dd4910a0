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
# hardware and optics of switches and routers (docs/snmp.md): a component's state is 0 normal,
# 1 warning, 2 critical (the device's own word in label `state`); the patrol profile reads them
ENV_PSU_STATE = _metric("env.psu_state", "count")
ENV_FAN_STATE = _metric("env.fan_state", "count")
ENV_BOARD_STATE = _metric("env.board_state", "count")
ENV_TEMPERATURE = _metric("env.temperature", "C")
OPTIC_RX_DBM = _metric("optic.rx_dbm", "dBm")
OPTIC_TX_DBM = _metric("optic.tx_dbm", "dBm")
OPTIC_TEMPERATURE = _metric("optic.temperature", "C")
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
# switch patrol (docs/snmp.md "Patrol"): read only when the profile asks for their checks
IF_DUPLEX = _metric("if.duplex", "count")  # dot3StatsDuplexStatus: 1 unknown, 2 half, 3 full
IF_FCS_ERRORS = _metric("if.fcs_errors", "count")
IF_FCS_ERRORS_PER_SECOND = _metric("if.fcs_errors_per_second", "count")
IF_LAST_CHANGE = _metric("if.last_change", "s")  # device uptime at the last oper change
STP_TOPOLOGY_CHANGES = _metric("stp.topology_changes", "count")
BGP_PEER_STATE = _metric("bgp.peer_state", "count")  # 1 idle .. 6 established
OSPF_NEIGHBOR_STATE = _metric("ospf.neighbor_state", "count")  # 1 down .. 8 full
VRRP_STATE = _metric("vrrp.state", "count")  # 1 initialize, 2 backup, 3 master
CONFIG_RUNNING_CHANGED = _metric("config.running_changed", "s")  # device uptime at the change
CONFIG_STARTUP_CHANGED = _metric("config.startup_changed", "s")  # ... at the last save
# read over the CLI (vendors/patrol_facts.py)
DEVICE_NTP_SYNCHRONIZED = _metric("device.ntp_synchronized", "count")  # 1 yes, 0 no
LOG_BUFFER_LOGGED = _metric("log.buffer_logged", "count")  # messages logged since boot
LOG_SEVERE_ENTRIES = _metric("log.severe_entries", "count")  # severity <= 3, see its labels
IF_ERR_DISABLED = _metric("if.err_disabled", "count")  # 1 per err-disabled port
ERR_DISABLED_PORTS = _metric("device.err_disabled_ports", "count")
STACK_MEMBER_READY = _metric("stack.member_ready", "count")  # 1 ready, 0 not; label `state`
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
# log watch (docs/patrol.md), label `log` (a file path or `journal:UNIT`): matched lines this
# inspection, and the bytes left unread when the per-inspection budget ran out
LOGWATCH_CRITICAL_LINES = _metric("logwatch.critical_lines", "count")
LOGWATCH_WARNING_LINES = _metric("logwatch.warning_lines", "count")
LOGWATCH_BACKLOG = _metric("logwatch.backlog", "B")
# where the watch stopped reading (file inode + byte offset, or the journal's time): state kept
# in the records for the next inspection, never exported as a metric (STATE below)
LOGWATCH_INODE = _metric("logwatch.inode", "count")
LOGWATCH_OFFSET = _metric("logwatch.offset", "B")
LOGWATCH_JOURNAL_UNTIL = _metric("logwatch.journal_until", "s")
# disk health from smartctl, label `device`: 1 passed / 0 failed, sector counts, SSD wear
SMART_PASSED = _metric("smart.passed", "count")
SMART_REALLOCATED_SECTORS = _metric("smart.reallocated_sectors", "count")
SMART_PENDING_SECTORS = _metric("smart.pending_sectors", "count")
SMART_MEDIA_ERRORS = _metric("smart.media_errors", "count")
SMART_WEAR_PERCENT = _metric("smart.wear_percent", "%")
# Linux software RAID from /proc/mdstat: arrays found; per `array`, members missing and the
# progress of a resync/recovery while one runs
RAID_ARRAYS = _metric("raid.arrays", "count")
RAID_MISSING_MEMBERS = _metric("raid.missing_members", "count")
RAID_SYNC_PERCENT = _metric("raid.sync_percent", "%")  # only while a resync/recovery runs

# System health on the patrol sheet (docs/patrol.md), read by collectors/probes_system.py
FS_READ_ONLY = _metric("fs.read_only", "count")  # 1: read-only although /etc/fstab wants rw
TIME_SYNCHRONISED = _metric("time.synchronised", "count")  # 1 yes, 0 no (label: daemon)
TIME_SYNC_OFFSET = _metric("time.sync_offset", "s")  # |offset| the time daemon reports
TIME_CLOCK_OFFSET = _metric("time.clock_offset", "s")  # |target clock - inspecting host's|
SYSTEMD_FAILED_UNITS = _metric("systemd.failed_units", "count")
SYSTEMD_UNIT_FAILED = _metric("systemd.unit_failed", "count")  # one per failed unit (label name)
KERNEL_EVENTS = _metric("kernel.events", "count")  # since the last inspection (label: kind)
FILES_OPEN = _metric("files.open", "count")
FILES_MAX = _metric("files.max", "count")
FILES_OPEN_PERCENT = _metric("files.open_percent", "%")
PIDS_USED = _metric("pids.used", "count")
PIDS_MAX = _metric("pids.max", "count")
PIDS_USED_PERCENT = _metric("pids.used_percent", "%")
TCP_CLOSE_WAIT = _metric("tcp.close_wait", "count")
TCP_TIME_WAIT = _metric("tcp.time_wait", "count")
CONNTRACK_ENTRIES = _metric("conntrack.entries", "count")
CONNTRACK_MAX = _metric("conntrack.max", "count")  # 0: nf_conntrack is not loaded
CONNTRACK_USED_PERCENT = _metric("conntrack.used_percent", "%")
REBOOT_REQUIRED = _metric("system.reboot_required", "count")  # 1 yes, 0 no (label: source)
# rates between the two reads around the CPU interval (collectors/io_rates.py)
DISKIO_UTIL_PERCENT = _metric("diskio.util_percent", "%")  # time the device was busy
DISKIO_AWAIT = _metric("diskio.await", "s")  # mean time per completed request (only with I/O)
DISKIO_READ_RATE = _metric("diskio.read_bytes_per_second", "B/s")
DISKIO_WRITE_RATE = _metric("diskio.write_bytes_per_second", "B/s")
NET_ERRORS_RATE = _metric("net.errors_per_second", "count")
NET_DROPS_RATE = _metric("net.drops_per_second", "count")
PROCESSES_BLOCKED = _metric("system.processes_blocked", "count")  # in D state (uninterruptible)
# security baseline (collectors/probes_accounts.py, probes_security.py): per account, option, tool
SECURITY_ACCOUNTS = _metric("security.accounts", "count")  # /etc/passwd entries read
SECURITY_UID0 = _metric("security.uid0", "count")  # {account}: an account with UID 0
SECURITY_SHADOW_ACCOUNTS = _metric("security.shadow_accounts", "count")  # /etc/shadow read
SECURITY_PASSWORD_EMPTY = _metric("security.password_empty", "count")  # {account}
SECURITY_PASSWORD_MAX_AGE = _metric("security.password_max_age", "s")  # {account}, usable ones
SECURITY_LAST_LOGIN = _metric("security.last_login", "s")  # {account}: epoch, 0 = never
SECURITY_ACCOUNT_EXPIRES = _metric("security.account_expires", "s")  # {account}: epoch
SECURITY_SSHD_OPTION = _metric("security.sshd_option", "count")  # {option, setting} of sshd -T
SECURITY_FAILED_LOGINS = _metric("security.failed_logins", "count")  # since the last run
SECURITY_SUDOERS_FILES = _metric("security.sudoers_files", "count")  # sudoers files read
SECURITY_SUDO_NOPASSWD_ALL = _metric("security.sudo_nopasswd_all", "count")  # {who, file}
SECURITY_PENDING_UPDATES = _metric("security.pending_updates", "count")  # {manager}
SECURITY_FIREWALL_ACTIVE = _metric("security.firewall_active", "count")  # {tool}: 1 or 0
SECURITY_MAC_MODE = _metric("security.mac_mode", "count")  # {system}: 2 enforcing, 1, 0

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
CHECK_DEVICE_PSU = _check("device_psu", phrase("Power supplies"))
CHECK_DEVICE_FAN = _check("device_fan", phrase("Fans"))
CHECK_DEVICE_BOARD = _check("device_board", phrase("Boards and modules"))
CHECK_DEVICE_TEMPERATURE = _check("device_temperature", phrase("Temperatures"))
CHECK_OPTICS = _check("optics", phrase("Optical transceivers"))
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
CHECK_READ_ONLY_FS = _check("read_only_fs", phrase("Read-only filesystems"))
CHECK_TIME_SYNC = _check("time_sync", phrase("Time synchronisation"))
CHECK_TIME_OFFSET = _check("time_offset", phrase("Time offset"))
CHECK_CLOCK_OFFSET = _check("clock_offset", phrase("Clock against the inspecting host"))
CHECK_FAILED_UNITS = _check("failed_units", phrase("Failed systemd units"))
CHECK_KERNEL_EVENTS = _check("kernel_events", phrase("Kernel errors"))
CHECK_OPEN_FILES = _check("open_files", phrase("Open file handles"))
CHECK_PIDS = _check("pids", phrase("Process IDs"))
CHECK_TCP_CLOSE_WAIT = _check("tcp_close_wait", phrase("TCP CLOSE_WAIT"))
CHECK_TCP_TIME_WAIT = _check("tcp_time_wait", phrase("TCP TIME_WAIT"))
CHECK_CONNTRACK = _check("conntrack", phrase("Connection tracking table"))
CHECK_REBOOT_REQUIRED = _check("reboot_required", phrase("Reboot required"))
CHECK_BLOCKED_PROCESSES = _check("blocked_processes", phrase("Processes in D state"))
CHECK_PROCESS_CPU = _check("process_cpu", phrase("Process CPU"))
CHECK_PROCESS_MEMORY = _check("process_memory", phrase("Process memory"))
CHECK_DISK_BUSY = _check("disk_busy", phrase("Disk I/O"))
CHECK_DISK_AWAIT = _check("disk_await", phrase("Disk latency"))
CHECK_NET_ERRORS = _check("net_errors", phrase("Network errors"))
CHECK_NET_DROPS = _check("net_drops", phrase("Network drops"))
CHECK_LOGWATCH = _check("logwatch", phrase("Log watch"))
CHECK_SMART = _check("smart", phrase("Disk health (SMART)"))
CHECK_RAID = _check("raid", phrase("Software RAID"))
# the security baseline (docs/inventory.md, "Security baseline")
CHECK_UID0 = _check("uid0_account", phrase("Accounts with UID 0"))
CHECK_EMPTY_PASSWORD = _check("empty_password", phrase("Accounts with an empty password"))
CHECK_PASSWORD_AGE = _check("password_max_age", phrase("Password maximum age"))
CHECK_STALE_ACCOUNT = _check("stale_account", phrase("Accounts never logged in or expired"))
CHECK_SSHD = _check("sshd_setting", phrase("sshd settings"))
CHECK_FAILED_LOGINS = _check("failed_logins", phrase("Failed logins since the last inspection"))
CHECK_SUDO_NOPASSWD = _check("sudo_nopasswd", phrase("sudo NOPASSWD: ALL rules"))
CHECK_SECURITY_UPDATES = _check("security_updates", phrase("Pending security updates"))
CHECK_FIREWALL = _check("firewall", phrase("Firewall active"))
CHECK_MAC = _check("mac_mode", phrase("SELinux / AppArmor mode"))
CHECK_UNEXPECTED_PORT = _check("unexpected_port", phrase("Unexpected listening ports"))
CHECK_IF_DUPLEX = _check("if_duplex", phrase("Port duplex"))
CHECK_IF_FCS = _check("if_fcs_errors", phrase("Port FCS/CRC errors"))
CHECK_IF_FLAP = _check("if_flap", phrase("Port flaps since the last inspection"))
CHECK_STP = _check("stp_changes", phrase("Spanning-tree topology changes"))
CHECK_BGP = _check("bgp_peers", phrase("BGP peers"))
CHECK_OSPF = _check("ospf_neighbors", phrase("OSPF neighbours"))
CHECK_VRRP = _check("vrrp_master", phrase("VRRP/HSRP master"))
CHECK_CONFIG_UNSAVED = _check("config_unsaved", phrase("Unsaved configuration"))
CHECK_NTP = _check("ntp_sync", phrase("Device clock synchronised (NTP)"))
CHECK_DEVICE_LOG = _check("device_log", phrase("Device log errors since the last inspection"))
CHECK_ERR_DISABLED = _check("err_disabled", phrase("Err-disabled ports"))
CHECK_STACK = _check("stack_members", phrase("Stack members"))
# written by the runner, not by a check: the target or a collector could not be inspected, or
# the inspection itself failed; when they fail, silence about the other checks proves nothing
CHECK_REACHABILITY = _check("reachability", phrase("Reachability"))
CHECK_COLLECTOR = _check("collector", phrase("Data collection"))
CHECK_INSPECTION = _check("inspection", phrase("Inspection"))

# Samples that are a collector's memory between inspections, not measurements: stored with the
# run (the next one reads them as `previous`) but never exported to the metrics database.
STATE = frozenset({LOGWATCH_INODE, LOGWATCH_OFFSET, LOGWATCH_JOURNAL_UNTIL})

# Sample label of the interface counters a collector read at the start of a profile's in-run
# rate window (Profile.rate_window); the same counters unlabelled are the window's end
LABEL_POLL, POLL_WINDOW_START = "poll", "window_start"

UNITS: Mapping[str, str] = MappingProxyType(_units)  # metric -> its unit
METRICS = frozenset(_units)
CHECKS = frozenset(_checks)
# check -> its patrol sheet item, in the order the sheet lists them
TITLES: Mapping[str, Phrase] = MappingProxyType(_titles)
