"""The switch patrol's SNMP tables: ports beyond up/down, protocols, saved configuration.

Each group names the profile keys that want it (settings.profiles.PATROL_THRESHOLDS), so the
collector asks for a table only when a check that reads it is asked for: the standard profile
polls exactly what it did before. Decoding is pure (plain values in, Samples out); a wanted
group the device does not answer becomes a Missing note, so its check says "not measured: why".
OIDs are numeric (no MIB files); the MIB object names are in the comments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from collectors.snmp_decode import Columns, SampleMaker, text
from core import names
from core.model import Missing, Sample
from core.phrases import Phrase, phrase
from settings.profiles import Profile, asks
from vendors.patrol_facts import CLI_ITEMS

_DOT3 = "1.3.6.1.2.1.10.7.2.1."  # EtherLike-MIB dot3StatsEntry, indexed by ifIndex
_BGP_PEER = "1.3.6.1.2.1.15.3.1."  # BGP4-MIB bgpPeerEntry, indexed by the peer address
_OSPF_NBR = "1.3.6.1.2.1.14.10.1."  # OSPF-MIB ospfNbrEntry: ospfNbrIpAddr.ospfNbrAddressLessIndex
_VRRP_OPER = "1.3.6.1.2.1.68.1.3.1."  # VRRP-MIB vrrpOperEntry: ifIndex.vrrpOperVrId
_HSRP = "1.3.6.1.4.1.9.9.106.1.2.1.1."  # CISCO-HSRP-MIB cHsrpGrpEntry: ifIndex.group
_CCM = "1.3.6.1.4.1.9.9.43.1.1."  # CISCO-CONFIG-MAN-MIB ccmHistory scalars (sysUpTime ticks)

CCM_RUNNING_CHANGED = _CCM + "1.0"  # ccmHistoryRunningLastChanged
CCM_STARTUP_CHANGED = _CCM + "3.0"  # ccmHistoryStartupLastChanged
STP_TOP_CHANGES = "1.3.6.1.2.1.17.2.4.0"  # BRIDGE-MIB dot1dStpTopChanges (Counter32)

Scalars = Mapping[str, int | str | bytes]
IfNames = Mapping[str, tuple[str, str]]  # ifIndex -> (interface name, alias)


@dataclass(frozen=True)
class Group:
    """`keys`: profile keys that want it. `columns`/`scalars`: what to read. `decode`: the
    samples. `absent`: (metric, why) noted when the device answers none of it."""

    keys: tuple[str, ...]
    columns: Mapping[str, str]
    scalars: tuple[str, ...]
    decode: Callable[[SampleMaker, Columns, Scalars, IfNames], Iterator[Sample]]
    absent: tuple[str, Phrase]


def _per_port(
    make: SampleMaker, column: Mapping[str, int | str], metric: str, unit: str,
    ports: IfNames, scale: float = 1.0,
) -> Iterator[Sample]:
    for index, value in column.items():
        if isinstance(value, int) and index in ports:
            name, alias = ports[index]
            yield make(metric, value * scale, unit, interface=name, index=index, alias=alias)


def _duplex(make: SampleMaker, columns: Columns, _s: Scalars, ports: IfNames) -> Iterator:
    yield from _per_port(make, columns.get("dot3_duplex", {}), names.IF_DUPLEX, "count", ports)


def _fcs(make: SampleMaker, columns: Columns, _s: Scalars, ports: IfNames) -> Iterator:
    yield from _per_port(make, columns.get("dot3_fcs", {}), names.IF_FCS_ERRORS, "count", ports)


def _last_change(make: SampleMaker, columns: Columns, _s: Scalars, ports: IfNames) -> Iterator:
    column = columns.get("if_last_change", {})
    yield from _per_port(make, column, names.IF_LAST_CHANGE, "s", ports, scale=0.01)


def _stp(make: SampleMaker, _c: Columns, scalars: Scalars, _p: IfNames) -> Iterator[Sample]:
    changes = scalars.get(STP_TOP_CHANGES)
    if isinstance(changes, int):
        yield make(names.STP_TOPOLOGY_CHANGES, changes, "count")


def _bgp(make: SampleMaker, columns: Columns, _s: Scalars, _p: IfNames) -> Iterator[Sample]:
    remote_as = columns.get("bgp_remote_as", {})
    admin = columns.get("bgp_admin", {})
    for peer, state in columns.get("bgp_state", {}).items():
        if isinstance(state, int):
            labels = {"peer": peer, "remote_as": str(remote_as.get(peer, ""))}
            if admin.get(peer) == 1:  # bgpPeerAdminStatus stop(1): shut down on purpose
                labels["admin"] = "stop"
            yield make(names.BGP_PEER_STATE, state, "count", **labels)


def _ospf(make: SampleMaker, columns: Columns, _s: Scalars, _p: IfNames) -> Iterator[Sample]:
    router_ids = columns.get("ospf_rtr_id", {})
    for index, state in columns.get("ospf_state", {}).items():
        if isinstance(state, int):
            address = ".".join(index.split(".")[:4])
            rid = router_ids.get(index)
            router = _ip(rid) if isinstance(rid, bytes) else ""
            yield make(
                names.OSPF_NEIGHBOR_STATE, state, "count", neighbor=address, router_id=router
            )


def _vrrp(make: SampleMaker, columns: Columns, _s: Scalars, ports: IfNames) -> Iterator[Sample]:
    for index, state in columns.get("vrrp_state", {}).items():
        if_index, _, vrid = index.partition(".")
        if isinstance(state, int):
            name = ports.get(if_index, (f"ifIndex {if_index}", ""))[0]
            yield make(names.VRRP_STATE, state, "count", interface=name, vrid=vrid)


# cHsrpGrpStandbyState -> vrrpOperState's numbers (3 master, 2 backup, 1 not serving), so one
# check judges both; the HSRP word itself is kept in the `state` label
HSRP_AS_VRRP = {1: 1, 2: 1, 3: 2, 4: 1, 5: 2, 6: 3}
HSRP_STATES = {1: "initial", 2: "learn", 3: "listen", 4: "speak", 5: "standby", 6: "active"}


def _hsrp(make: SampleMaker, columns: Columns, _s: Scalars, ports: IfNames) -> Iterator[Sample]:
    for index, state in columns.get("hsrp_state", {}).items():
        if_index, _, group = index.partition(".")
        if isinstance(state, int) and state in HSRP_AS_VRRP:
            name = ports.get(if_index, (f"ifIndex {if_index}", ""))[0]
            yield make(names.VRRP_STATE, HSRP_AS_VRRP[state], "count", interface=name,
                       vrid=group, protocol="HSRP", state=HSRP_STATES[state])


def _redundancy(make: SampleMaker, columns: Columns, s: Scalars, ports: IfNames) -> Iterator:
    yield from _vrrp(make, columns, s, ports)
    yield from _hsrp(make, columns, s, ports)


def _config(make: SampleMaker, _c: Columns, scalars: Scalars, _p: IfNames) -> Iterator[Sample]:
    running, startup = scalars.get(CCM_RUNNING_CHANGED), scalars.get(CCM_STARTUP_CHANGED)
    if isinstance(running, int) and isinstance(startup, int):
        yield make(names.CONFIG_RUNNING_CHANGED, running / 100, "s")
        yield make(names.CONFIG_STARTUP_CHANGED, startup / 100, "s")


def _ip(raw: bytes) -> str:
    return ".".join(str(b) for b in raw) if len(raw) == 4 else text(raw)


GROUPS: tuple[Group, ...] = (
    Group(
        (names.CHECK_IF_DUPLEX,),
        {"dot3_duplex": _DOT3 + "19"},  # dot3StatsDuplexStatus
        (),
        _duplex,
        (names.IF_DUPLEX, phrase("the device answers no EtherLike-MIB dot3StatsDuplexStatus")),
    ),
    Group(
        (names.IF_FCS_ERRORS_PER_SECOND,),
        {"dot3_fcs": _DOT3 + "3"},  # dot3StatsFCSErrors
        (),
        _fcs,
        (names.IF_FCS_ERRORS, phrase("the device answers no EtherLike-MIB dot3StatsFCSErrors")),
    ),
    Group(
        (names.CHECK_IF_FLAP,),
        {"if_last_change": "1.3.6.1.2.1.2.2.1.9"},  # ifLastChange
        (),
        _last_change,
        (names.IF_LAST_CHANGE, phrase("the device answers no IF-MIB ifLastChange")),
    ),
    Group(
        (names.STP_TOPOLOGY_CHANGES,),
        {},
        (STP_TOP_CHANGES,),
        _stp,
        (names.STP_TOPOLOGY_CHANGES, phrase("the device answers no BRIDGE-MIB dot1dStpTopChanges "
                "(no spanning tree, or per-VLAN STP that IOS shows only with community@vlan)")),
    ),
    Group(
        (names.CHECK_BGP,),
        {
            "bgp_state": _BGP_PEER + "2",  # bgpPeerState
            "bgp_admin": _BGP_PEER + "3",  # bgpPeerAdminStatus
            "bgp_remote_as": _BGP_PEER + "9",  # bgpPeerRemoteAs
        },
        (),
        _bgp,
        (names.BGP_PEER_STATE,
         phrase("the device answers no BGP4-MIB bgpPeerTable (no BGP peers)")),
    ),
    Group(
        (names.CHECK_OSPF,),
        {
            "ospf_rtr_id": _OSPF_NBR + "3",  # ospfNbrRtrId
            "ospf_state": _OSPF_NBR + "6",  # ospfNbrState
        },
        (),
        _ospf,
        (names.OSPF_NEIGHBOR_STATE, phrase("the device answers no OSPF-MIB ospfNbrTable "
         "(no OSPF neighbours)")),
    ),
    Group(
        (names.CHECK_VRRP,),
        {
            "vrrp_state": _VRRP_OPER + "3",  # vrrpOperState
            "hsrp_state": _HSRP + "15",  # cHsrpGrpStandbyState
        },
        (),
        _redundancy,
        (names.VRRP_STATE, phrase("the device answers no VRRP-MIB vrrpOperTable or CISCO-HSRP-MIB "
         "cHsrpGrpTable (no virtual routers)")),
    ),
    Group(
        (names.CHECK_CONFIG_UNSAVED,),
        {},
        (CCM_RUNNING_CHANGED, CCM_STARTUP_CHANGED),
        _config,
        (names.CONFIG_RUNNING_CHANGED,
         phrase("the device answers no CISCO-CONFIG-MAN-MIB ccmHistory "
                "(other vendors: the CLI)")),
    ),
)


def wanted(profile: Profile) -> tuple[Group, ...]:
    return tuple(g for g in GROUPS if any(asks(profile, key) for key in g.keys))


def columns(groups: tuple[Group, ...]) -> dict[str, str]:
    return {name: oid for g in groups for name, oid in g.columns.items()}


def scalars(groups: tuple[Group, ...]) -> tuple[str, ...]:
    return tuple(oid for g in groups for oid in g.scalars)


def samples(
    make: SampleMaker, groups: tuple[Group, ...], walked: Columns, got: Scalars, ports: IfNames,
    stamps: Mapping[str, Mapping[str, float]] | None = None,
) -> list[Sample | Missing]:
    """The wanted groups' samples, and a note for each group the device did not answer.
    A port's counter is stamped when its value arrived (`stamps`, as the walk gave them):
    rates divide by these times."""
    found: list[Sample | Missing] = []
    for group in groups:
        decoded = list(group.decode(make, walked, got, ports))
        arrived = (stamps or {}).get(next(iter(group.columns), ""), {})
        found.extend(_stamped(s, arrived) for s in decoded)
        if not decoded:
            found.append(Missing(*group.absent))
    return found


def _stamped(sample: Sample, arrived: Mapping[str, float]) -> Sample:
    at = arrived.get(sample.label("index"))
    return sample if at is None else replace(sample, at=datetime.fromtimestamp(at, UTC))


def cli_only(profile: Profile) -> list[Missing]:
    """The asked-for items SNMP has no answer for: their checks say where they are read."""
    return [
        Missing(metric, phrase("read over the CLI only: give the target the netcli collector"))
        for key, metric in CLI_ITEMS.items()
        if asks(profile, key)
    ]


def interface_names(if_samples: list[Sample]) -> dict[str, tuple[str, str]]:
    """ifIndex -> (name, alias) as the interface samples labelled them."""
    return {
        s.label("index"): (s.label("interface"), s.label("alias"))
        for s in if_samples
        if s.metric == names.IF_OPER_UP
    }
