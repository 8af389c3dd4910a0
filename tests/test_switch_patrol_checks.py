"""The switch patrol checks, table-driven on hand-made samples: the edges the recordings do
not reach (boot-time config load, 2-Way, an admin-stopped peer, a restart between runs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checks import REGISTRY, CheckContext
from core import names
from core.model import Sample, Target
from core.status import Status
from settings.profiles import PATROL

T0 = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=4)
TARGET = Target("sw1", kind="switch")


def sample(metric: str, value: float, at: datetime = LATER, **labels: str) -> Sample:
    return Sample("sw1", metric, value, names.UNITS[metric], at, labels)


def uptime(seconds: float, at: datetime = LATER) -> Sample:
    return sample(names.SYSTEM_UPTIME, seconds, at)


def port(name: str, oper: int, at: datetime = LATER, **metrics: float) -> list[Sample]:
    labels = {"interface": name, "index": "1", "alias": ""}
    return [sample(names.IF_OPER_UP, oper, at, **labels),
            *(sample(m, v, at, **labels) for m, v in metrics.items())]


def judge(check: str, samples, previous=()):
    context = CheckContext(PATROL, previous, ())
    return [(f.subject, f.status) for f in REGISTRY[check].evaluate(TARGET, samples, context)]


BGP, OSPF, VRRP = names.BGP_PEER_STATE, names.OSPF_NEIGHBOR_STATE, names.VRRP_STATE
CASES = [
    # (check, now, previous, expected [(subject, status)])
    ("ospf 2-way is stable", names.CHECK_OSPF,
     [sample(OSPF, 4, neighbor="10.0.0.2", router_id="2.2.2.2")], [],
     [("OSPF 10.0.0.2 (router ID 2.2.2.2)", Status.OK)]),
    ("ospf exchange first seen", names.CHECK_OSPF,
     [sample(OSPF, 6, neighbor="10.0.0.2", router_id="2.2.2.2")], [],
     [("OSPF 10.0.0.2 (router ID 2.2.2.2)", Status.WARNING)]),
    ("bgp admin stop is no fault", names.CHECK_BGP,
     [sample(BGP, 1, peer="192.0.2.1", remote_as="65001", admin="stop")], [],
     [("BGP 192.0.2.1 (AS 65001)", Status.OK)]),
    ("bgp down after established", names.CHECK_BGP,
     [sample(BGP, 3, peer="192.0.2.1", remote_as="65001")],
     [sample(BGP, 6, T0, peer="192.0.2.1", remote_as="65001")],
     [("BGP 192.0.2.1 (AS 65001)", Status.CRITICAL)]),
    ("vrrp initialize", names.CHECK_VRRP,
     [sample(VRRP, 1, interface="Vlan10", vrid="10")], [],
     [("VRRP 10 on Vlan10", Status.WARNING)]),
    ("config loaded at boot", names.CHECK_CONFIG_UNSAVED,
     [uptime(9000), sample(names.CONFIG_RUNNING_CHANGED, 600),
      sample(names.CONFIG_STARTUP_CHANGED, 0)], [],
     [("configuration", Status.OK)]),
    ("config changed after boot, never saved", names.CHECK_CONFIG_UNSAVED,
     [uptime(9000), sample(names.CONFIG_RUNNING_CHANGED, 601),
      sample(names.CONFIG_STARTUP_CHANGED, 0)], [],
     [("configuration", Status.WARNING)]),
    ("config saved after the change", names.CHECK_CONFIG_UNSAVED,
     [uptime(9000), sample(names.CONFIG_RUNNING_CHANGED, 5000),
      sample(names.CONFIG_STARTUP_CHANGED, 5001)], [],
     [("configuration", Status.OK)]),
    ("flap: same state, last change moved", names.CHECK_IF_FLAP,
     [uptime(20000), *port("Gi0/1", 1, **{names.IF_LAST_CHANGE: 19000})],
     [uptime(5600, T0), *port("Gi0/1", 1, T0, **{names.IF_LAST_CHANGE: 100})],
     [("Gi0/1", Status.WARNING)]),
    ("flap: state changed is the interface check's", names.CHECK_IF_FLAP,
     [uptime(20000), *port("Gi0/1", 0, **{names.IF_LAST_CHANGE: 19000})],
     [uptime(5600, T0), *port("Gi0/1", 1, T0, **{names.IF_LAST_CHANGE: 100})],
     [("ports", Status.OK)]),
    ("flap: restart between the runs", names.CHECK_IF_FLAP,
     [uptime(300), *port("Gi0/1", 1, **{names.IF_LAST_CHANGE: 200})],
     [uptime(5600, T0), *port("Gi0/1", 1, T0, **{names.IF_LAST_CHANGE: 100})],
     [("ports", Status.OK)]),
    ("stp: counter went down (restart)", names.CHECK_STP,
     [sample(names.STP_TOPOLOGY_CHANGES, 2)], [sample(names.STP_TOPOLOGY_CHANGES, 40, T0)],
     [("spanning tree", Status.OK)]),
    ("stp: no change", names.CHECK_STP,
     [sample(names.STP_TOPOLOGY_CHANGES, 40)], [sample(names.STP_TOPOLOGY_CHANGES, 40, T0)],
     [("spanning tree", Status.OK)]),
    ("duplex: half on a down port is not judged", names.CHECK_IF_DUPLEX,
     [*port("Gi0/1", 0, **{names.IF_DUPLEX: 2}), *port("Gi0/2", 1, **{names.IF_DUPLEX: 3})], [],
     [("ports", Status.OK)]),
    ("log: nothing new", names.CHECK_DEVICE_LOG,
     [sample(names.LOG_SEVERE_ENTRIES, 0, since="last inspection")], [],
     [("log buffer", Status.OK)]),
    ("ntp unsynchronised", names.CHECK_NTP,
     [sample(names.DEVICE_NTP_SYNCHRONIZED, 0)], [], [("ntp", Status.WARNING)]),
]


@pytest.mark.parametrize(("check", "now", "previous", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_patrol_check_edges(check, now, previous, expected):
    assert judge(check, now, previous) == expected


def test_the_last_peer_gone_is_an_alert_not_silence():
    """An empty peer table after a run that had peers: each is reported gone."""
    before = [uptime(5600, T0), sample(BGP, 6, T0, peer="192.0.2.1", remote_as="65001")]
    assert judge(names.CHECK_BGP, [uptime(20000)], before) == [
        ("BGP 192.0.2.1 (AS 65001)", Status.WARNING)]


def test_no_table_now_or_before_is_not_measured():
    context = CheckContext(PATROL, (), (), missing={BGP: "the device answers no bgpPeerTable"})
    (finding,) = REGISTRY[names.CHECK_BGP].evaluate(TARGET, [uptime(20000)], context)
    assert (finding.status, str(finding.summary)) == (
        Status.UNKNOWN, "not measured: the device answers no bgpPeerTable")
