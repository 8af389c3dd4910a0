"""Turn walked SNMP columns into Samples. Pure: plain ints and strings in, Samples out.

A walk result is `{column name: {row index: value}}` with the names of collectors.snmp_oids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from collectors.snmp_oids import HR_STORAGE_RAM
from core import names
from core.model import Sample

Columns = Mapping[str, Mapping[str, int | str]]

ADMIN_UP = 1
OPER_UP = 1
SYS_DESCR_MAX = 120
IF_SPEED_MAX = 4_294_967_295  # ifSpeed saturates here; ifHighSpeed (Mbit/s) takes over
_COUNTERS = (  # ifTable column -> metric
    ("in_errors", names.IF_IN_ERRORS),
    ("out_errors", names.IF_OUT_ERRORS),
    ("in_discards", names.IF_IN_DISCARDS),
    ("out_discards", names.IF_OUT_DISCARDS),
)
# net-snmp and Arista count page cache and buffers as used RAM; these rows say how much
RECLAIMABLE = ("Cached memory", "Memory buffers", "RAM (Buffers)", "RAM (Cache)")
NETSNMP_AVAILABLE = "Available memory"


def text(value: int | str | bytes) -> str:
    """Display text of an OCTET STRING: NUL padding dropped, undecodable bytes replaced."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "").strip()


class SampleMaker:
    """Stamps samples with the target and the time their values were read."""

    def __init__(self, target: str, at: datetime) -> None:
        self.target, self.at = target, at

    def __call__(self, metric: str, value: float, unit: str, **labels: str) -> Sample:
        return Sample(self.target, metric, float(value), unit, self.at, labels)

    def read_at(self, timestamp: float | None) -> SampleMaker:
        """The same maker, stamping when the response carrying the values arrived (epoch s):
        a walk of a slow agent takes seconds, and counter rates divide by these times."""
        if timestamp is None:
            return self
        return SampleMaker(self.target, datetime.fromtimestamp(timestamp, UTC))


def system_samples(make: SampleMaker, scalars: Mapping[str, int | str]) -> Iterator[Sample]:
    """sysUpTime in seconds, labelled with sysName, sysObjectID and the first line of sysDescr
    (model and software version) for the findings' evidence."""
    uptime = scalars.get("uptime")
    if isinstance(uptime, int):
        labels = {
            key: text(scalars[key]) for key in ("sys_name", "sys_object_id") if key in scalars
        }
        if "sys_descr" in scalars:
            lines = text(scalars["sys_descr"]).splitlines() or [""]
            labels["sys_descr"] = lines[0].strip()[:SYS_DESCR_MAX]
        yield make(names.SYSTEM_UPTIME, uptime / 100, "s", **labels)


def interface_samples(
    make: SampleMaker, columns: Columns, stamps: Mapping[str, Mapping[str, float]] | None = None
) -> Iterator[Sample]:
    """One set of if.* samples per ifTable row (counters raw; rates are the checks' job).
    `stamps` (same shape as columns) holds when each value arrived; a row takes its counters'."""
    stamps = stamps or {}
    rows = _row_indexes(columns, ("descr", "admin", "oper", "name"))
    if_names = _interface_names(columns, rows)
    for index in rows:
        row = {key: col[index] for key, col in columns.items() if index in col}
        arrived = (stamps.get(k, {}).get(index) for k in ("in_octets64", "in_octets32", "oper"))
        stamp = make.read_at(next((t for t in arrived if t is not None), None))
        labels = {"interface": if_names[index], "index": index, "alias": text(row.get("alias", ""))}
        if isinstance(row.get("admin"), int):
            yield stamp(names.IF_ADMIN_UP, row["admin"] == ADMIN_UP, "count", **labels)
        if isinstance(row.get("oper"), int):
            yield stamp(names.IF_OPER_UP, row["oper"] == OPER_UP, "count", **labels)
        speed = _speed(row)
        if speed is not None:
            yield stamp(names.IF_SPEED, speed, "bit/s", **labels)
        yield from _octets(stamp, row, labels)
        for counter, metric in _COUNTERS:
            if isinstance(row.get(counter), int):
                yield stamp(metric, row[counter], "count", **labels)


def _interface_names(columns: Columns, rows: list[str]) -> dict[str, str]:
    """ifName, else ifDescr; a name two rows share gets its ifIndex, so subjects stay unique."""
    names = {
        i: text(columns.get("name", {}).get(i, ""))
        or text(columns.get("descr", {}).get(i, ""))
        or f"ifIndex {i}"
        for i in rows
    }
    counts = Counter(names.values())
    return {i: f"{n} #{i}" if counts[n] > 1 else n for i, n in names.items()}


def _row_indexes(columns: Columns, keys: tuple[str, ...]) -> list[str]:
    found = {index for key in keys for index in columns.get(key, {})}
    return sorted(found, key=lambda i: tuple(int(p) for p in i.split(".")))


def _speed(row: Mapping[str, int | str]) -> float | None:
    speed, high = row.get("speed"), row.get("high_speed")
    if isinstance(speed, int) and 0 < speed < IF_SPEED_MAX:
        return float(speed)
    if isinstance(high, int) and high > 0:
        return high * 1e6
    return float(speed) if isinstance(speed, int) else None


def _octets(make: SampleMaker, row: Mapping, labels: dict[str, str]) -> Iterator[Sample]:
    """64-bit HC counters where the row has them, else 32-bit marked `bits: "32"` (wraps)."""
    for direction, metric in (("in", names.IF_IN_OCTETS), ("out", names.IF_OUT_OCTETS)):
        wide, narrow = row.get(f"{direction}_octets64"), row.get(f"{direction}_octets32")
        if isinstance(wide, int):
            yield make(metric, wide, "B", **labels)
        elif isinstance(narrow, int):
            yield make(metric, narrow, "B", **labels, bits="32")


def vendor_samples(
    make: SampleMaker, vendor: str | None, columns: Columns, names: Mapping[str, str]
) -> list[Sample]:
    """device.cpu_percent / device.memory_used_percent from the vendor's own tables."""
    if vendor == "cisco":
        return [*_cisco_cpu(make, columns), *_cisco_memory(make, columns)]
    if vendor in ("huawei", "h3c"):
        return list(_entity_usage(make, columns, names))
    if vendor == "juniper":
        return list(_juniper_usage(make, columns))
    return []


JNX_ROUTING_ENGINE = "9"  # jnxContentsContainerIndex of the routing engines


def _juniper_usage(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    """CPU and memory (jnxOperatingBuffer) of each routing engine, standby included."""
    descr = columns.get("jnx_descr", {})
    for column, metric, label in (
        ("jnx_cpu", names.DEVICE_CPU_PERCENT, "cpu"),
        ("jnx_buffer", names.DEVICE_MEMORY_USED_PERCENT, "memory"),
    ):
        for index, usage in columns.get(column, {}).items():
            if index.split(".", 1)[0] == JNX_ROUTING_ENGINE and isinstance(usage, int):
                yield make(metric, usage, "%", **{label: text(descr.get(index, "")) or index})


def _cisco_cpu(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    """cpmCPUTotal5minRev (the 5-minute average), falling back to the deprecated 5min."""
    loads = columns.get("cpm_5min_rev") or columns.get("cpm_5min") or {}
    for index, load in loads.items():
        if isinstance(load, int):
            labels = {"cpu": f"CPU {index}"} if len(loads) > 1 else {}  # stacks: one per member
            yield make(names.DEVICE_CPU_PERCENT, load, "%", **labels)


def _cisco_memory(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    """cempMemPool where the platform has it (HC counters first), else ciscoMemoryPool."""
    if columns.get("cemp_used") or columns.get("cemp_hc_used"):
        prefix, used_hc, free_hc = "cemp", columns.get("cemp_hc_used"), columns.get("cemp_hc_free")
    else:
        prefix, used_hc, free_hc = "mempool", None, None
    used_col, free_col = columns.get(f"{prefix}_used", {}), columns.get(f"{prefix}_free", {})
    pool_names = columns.get(f"{prefix}_name", {})
    if not used_col and not used_hc:
        yield from _cpm_memory(make, columns)
    for index in _row_indexes(columns, (f"{prefix}_used", f"{prefix}_hc_used")):
        used = (used_hc or {}).get(index) or used_col.get(index)
        free = (free_hc or {}).get(index) or free_col.get(index)
        if not isinstance(used, int) or not isinstance(free, int) or used + free <= 0:
            continue
        pool = text(pool_names.get(index, "")) or index
        yield make(names.DEVICE_MEMORY_USED_PERCENT, 100 * used / (used + free), "%", memory=pool)


def _cpm_memory(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    """NX-OS: the memory of each CPU from cpmCPUTotalTable (KB used and free)."""
    used_col, free_col = columns.get("cpm_memory_used", {}), columns.get("cpm_memory_free", {})
    for index, used in used_col.items():
        free = free_col.get(index)
        if isinstance(used, int) and isinstance(free, int) and used + free > 0:
            labels = {"memory": f"CPU {index}"} if len(used_col) > 1 else {}
            yield make(names.DEVICE_MEMORY_USED_PERCENT, 100 * used / (used + free), "%", **labels)


def _entity_usage(make: SampleMaker, columns: Columns, entities: Mapping[str, str]) -> Iterator:
    """Huawei/H3C per-entity usage; boards that report 0 have no CPU of their own."""
    for column, metric, label in (
        ("entity_cpu", names.DEVICE_CPU_PERCENT, "cpu"),
        ("entity_mem", names.DEVICE_MEMORY_USED_PERCENT, "memory"),
    ):
        for index, usage in columns.get(column, {}).items():
            if isinstance(usage, int) and usage > 0:
                yield make(metric, usage, "%", **{label: _entity_label(index, entities)})


def _entity_label(index: str, names: Mapping[str, str]) -> str:
    """entPhysicalName, made unique with the index where two boards share a name."""
    name = names.get(index)
    if not name:
        return index
    return name if list(names.values()).count(name) == 1 else f"{name} #{index}"


def entity_indexes(columns: Columns) -> list[str]:
    """The entities worth naming: the ones that report a non-zero CPU or memory usage."""
    found = {
        index
        for column in ("entity_cpu", "entity_mem")
        for index, usage in columns.get(column, {}).items()
        if isinstance(usage, int) and usage > 0
    }
    return sorted(found, key=int)


def host_resources_samples(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    """hrProcessorLoad averaged over processors, and RAM from hrStorage."""
    loads = [v for v in columns.get("hr_cpu_load", {}).values() if isinstance(v, int)]
    if loads:
        yield make(names.DEVICE_CPU_PERCENT, sum(loads) / len(loads), "%")
    yield from _hr_memory(make, columns)


def _hr_memory(make: SampleMaker, columns: Columns) -> Iterator[Sample]:
    """RAM rows of hrStorage; on net-snmp, minus what the kernel can reclaim at once."""
    types = columns.get("hr_storage_type", {})
    size, used, units = (columns.get(f"hr_storage_{k}", {}) for k in ("size", "used", "units"))
    descr = {i: text(v) for i, v in columns.get("hr_storage_descr", {}).items()}

    def nbytes(column: Mapping[str, int | str], index: str) -> int | None:
        value, unit = column.get(index), units.get(index, 1)
        return value * unit if isinstance(value, int) and isinstance(unit, int) else None

    # net-snmp >= 5.8 reports MemAvailable as the *size* of "Available memory"
    available = next((nbytes(size, i) for i, d in descr.items() if d == NETSNMP_AVAILABLE), None)
    reclaimable = sum(nbytes(used, i) or 0 for i, d in descr.items() if d in RECLAIMABLE)
    rams = [
        i
        for i, kind in types.items()
        if text(kind) == HR_STORAGE_RAM and descr.get(i) not in RECLAIMABLE
    ]
    for index in rams:
        total, busy = nbytes(size, index), nbytes(used, index)
        if total is None or busy is None or total <= 0:
            continue
        busy = total - available if available is not None else max(0, busy - reclaimable)
        labels = {"memory": descr.get(index) or index} if len(rams) > 1 else {}
        yield make(names.DEVICE_MEMORY_USED_PERCENT, 100 * busy / total, "%", **labels)
