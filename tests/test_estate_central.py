"""The estate end to end (docs/central.md, Tests): records on PostgreSQL, two `inspect serve`
processes on them, a private Redis, two zones with two `inspect worker` processes each, the
server's own `inspect agent` inspecting the zone targets on schedule, and ten pushing agents,
each with its own data directory, SQLite records and a token scoped to its own target.

A worker of dc-a is killed with SIGKILL while it holds a task; both servers are stopped while
the agents keep running; one pushing agent is killed with SIGKILL mid-run in the outage; the
servers and that agent start again. Every pushing agent's done slot has its run on the server
exactly once, every zone run holds every zone target once and no `no poller`, and no ticket
is open twice."""

from __future__ import annotations

import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from agent.central import RUN, SUFFIX
from records import console, open_store
from records.plan import DONE, MISSED, RUNNING, Plan
from records.tickets import list_tickets
from tests.services import wait_until
from tests.test_agent_central import STRICT, Server, _status
from tests.test_agent_process import AgentProcess, entries
from tests.test_central_servers import AgentProcess as ServerAgent
from tests.test_tickets_concurrency import fresh_database
from tests.test_zones import Worker, _app

PUSHED = tuple(f"push-{n}" for n in range(10))
ZONED = ("a-local", "a-ssh", "a-slow", "b-local", "b-switch")
ZONE_EVERY, PUSH_EVERY, PUSH_SPLAY = 15, 15, 14  # seconds; the splay spreads the ten agents
DEADLINE = 10  # central.deadline: a redelivered task's result has 15 s to spare on a busy box
REDIS_DB = 62  # a database of the session's Redis of its own (test_zones counts up from 1)
COMMUNITY = "ESTATE_SWITCH_COMMUNITY"  # only dc-b's workers have it
STOP = ("--stop-timeout", "150")  # SIGTERM lets a run in hand finish, however loaded the machine


def _server_inventory(broker: str, sshd, tarpit, snmpsim) -> str:
    """The server's inventory, read by both servers, the server's agent and every worker:
    a-slow's SSH meets the tarpit, so a worker holds its task for the whole deadline."""

    def zoned(zone: str, **keys: object) -> dict:
        return {"address": "127.0.0.1", "zone": zone, "groups": ["zoned"], **keys}

    hosts = {
        "a-local": zoned("dc-a", address="localhost"),
        "a-ssh": zoned("dc-a", ssh=sshd.inventory_ssh()),
        "a-slow": zoned("dc-a", ssh=sshd.inventory_ssh(port=tarpit.port)),
        "b-local": zoned("dc-b", address="localhost"),
        "b-switch": zoned("dc-b", kind="switch",
                          snmp={"port": snmpsim.port, "community": f"env:{COMMUNITY}"}),
        **{name: {"address": "127.0.0.1", "groups": ["pushed"]} for name in PUSHED},
    }
    return yaml.safe_dump({
        "central": {"broker": broker, "deadline": f"{DEADLINE}s"},
        "groups": {"zoned": {}, "pushed": {}},
        "hosts": hosts,
        "schedules": {"zones": {"every": f"{ZONE_EVERY}s", "groups": ["zoned"]}},
        "tickets": {"open_after": 1},
    }, sort_keys=False)


def _pushing_inventory(home: Path, name: str, url: str, token: str) -> Path:
    """One agent's own host, CRITICAL by the strict profile (so the server opens tickets)."""
    token_file = home / "central.token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    path = home / "inventory.yaml"
    path.write_text(yaml.safe_dump({
        "hosts": {name: {"address": "127.0.0.1", "profile": "strict"}},
        **yaml.safe_load(STRICT),
        "schedules": {name: {"every": f"{PUSH_EVERY}s", "splay": f"{PUSH_SPLAY}s"}},
        "central": {"url": url, "token": f"file:{token_file}",
                    "outbox_dir": str(home / "outbox"), "timeout": "10s"},
    }))
    return path


def _holds(worker: Worker, app, target: str) -> bool:
    return any(t["kwargs"]["target"] == target for t in worker.active(app))


@pytest.mark.slow
def test_an_estate_in_two_zones_with_ten_pushing_agents_loses_and_doubles_nothing(
    tmp_path, postgres_url, redis_server, sshd_server, tarpit, snmpsim
):
    db = fresh_database(postgres_url)
    text = _server_inventory(redis_server.url(REDIS_DB), sshd_server, tarpit, snmpsim)
    servers = [Server(tmp_path / f"server-{n}", db, text) for n in range(2)]
    migrated = servers[0].cli("token", "list")  # creates and migrates the records first
    assert migrated.returncode == 0, migrated.stderr
    inventory = servers[0].inventory
    store = open_store(db)
    zone_plan = Plan(store.engine)
    workers: list[Worker] = []
    agents: list[AgentProcess] = []
    zone_agent = None
    app = _app(inventory)
    began = time.monotonic()

    def zone_slots(state: str | None = None):
        now = datetime.now(UTC)
        found = zone_plan.between(now - timedelta(hours=1), now + timedelta(hours=1))
        return [e for e in found if e.job == "zones" and state in (None, e.state)]

    def at_server() -> dict[str, set[str]]:
        found: dict[str, set[str]] = {name: set() for name in PUSHED}
        for run in store.list_runs(limit=100_000):
            if len(run.targets) == 1 and run.targets[0] in found:
                found[run.targets[0]].add(run.id)
        return found

    try:
        for zone in ("dc-a", "dc-a", "dc-b", "dc-b"):
            env = {COMMUNITY: "cisco-catalyst-c3560"} if zone == "dc-b" else {}
            log = tmp_path / f"worker-{len(workers)}-{zone}.log"
            workers.append(Worker(inventory, zone, log, **env))
        for server in servers:
            server.start()
        with ThreadPoolExecutor(3) as pool:
            tokens = list(pool.map(
                lambda name: servers[0].token(name, "--role", "agent", "--targets", name), PUSHED))
        for worker in workers:
            worker.wait_ready(app)
        zone_agent = ServerAgent(tmp_path / "server-agent", inventory, db)
        homes = [tmp_path / name for name in PUSHED]
        paths = []
        for n, (home, name, token) in enumerate(zip(homes, PUSHED, tokens, strict=True)):
            home.mkdir()
            paths.append(_pushing_inventory(home, name, servers[n % 2].url, token))
            agents.append(AgentProcess(home, paths[-1], *STOP))

        # a couple of cycles: every agent reported, the zones were inspected twice
        wait_until(lambda: all(at_server().values()) and len(zone_slots(DONE)) >= 2, 300,
                   "a run of every agent at the server and two zone runs")

        # SIGKILL the dc-a worker that holds a-slow (the tarpit keeps it for the deadline)
        holder: list[Worker] = []
        wait_until(lambda: holder.extend(w for w in workers[:2] if _holds(w, app, "a-slow"))
                   or holder, 180, "a dc-a worker to hold a-slow")
        [hit] = zone_slots(RUNNING)
        holder[0].process.send_signal(signal.SIGKILL)
        holder[0].process.wait()

        # both servers away while the agents run; one agent killed mid-run meanwhile
        for server in servers:
            server.stop()
        outage = time.monotonic()
        before = {n: len(entries(a, DONE)) for n, a in enumerate(agents)}
        wait_until(lambda: all(len(entries(a, DONE)) > before[n] for n, a in enumerate(agents)),
                   300, "a run of every agent in the outage")
        assert all(list((home / "outbox").glob(f"[0-9]*.{RUN}{SUFFIX}")) for home in homes)
        running: list = []
        wait_until(lambda: running.extend(entries(agents[0], RUNNING)) or running, 120,
                   "push-0 to be mid-run")
        agents[0].signal(signal.SIGKILL)
        agents[0].wait()
        killed = running[0]
        for server in servers:
            server.start()
        outage = time.monotonic() - outage
        restarted = datetime.now(UTC)
        agents[0] = AgentProcess(homes[0], paths[0], *STOP)

        # event-driven drain: every outbox empty (what `inspect agent status` counts; it is
        # asked for every agent once they are stopped), the restarted agent running again
        def backlog() -> list[str]:
            return [h.name for h in homes if list((h / "outbox").glob(f"[0-9]*{SUFFIX}"))]

        wait_until(lambda: not backlog(), 300, "every agent's outbox to drain")
        wait_until(lambda: any(e.slot_at > restarted for e in entries(agents[0], DONE)), 300,
                   "a run of the restarted agent")
        wait_until(lambda: [e for e in zone_slots() if e.slot_at == hit.slot_at][0].state
                   != RUNNING, 120, "the zone run the dead worker was in")
        for agent in [*agents, zone_agent]:
            agent.process.send_signal(signal.SIGTERM)
        for agent in [*agents, zone_agent]:
            assert agent.process.wait(180) == 0, agent.stderr()[-2000:]
    finally:
        for agent in agents:
            agent.stop()
        if zone_agent:
            zone_agent.stop()
        for worker in workers:
            worker.stop()
        for server in servers:
            server.stop()
        app.close()

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(_status, agents, paths))
    assert all((s["items"], s["refused"], s["dropped"]) == (0, 0, 0) for s in statuses), statuses

    # pushing agents: each done slot's run at the server once; nothing else but the run of
    # the slot push-0 was killed in (written to its outbox before the kill: at least once)
    stored = at_server()
    reported = Counter(e.subject for e in console.audit_log(store.engine, 100_000)
                       if e.action == "run_report")
    assert reported and max(reported.values()) == 1, reported.most_common(3)
    assert set(reported) == set().union(*stored.values())
    for n, (agent, name) in enumerate(zip(agents, PUSHED, strict=True)):
        done = {e.run_id for e in entries(agent, DONE)}
        assert done <= stored[name], (name, done - stored[name])
        assert stored[name] - done <= ({killed.run_id} if n == 0 else set()), name
        assert "Traceback" not in agent.stderr(), agent.stderr()[-2000:]
    assert [e.state for e in entries(agents[0]) if e.slot_at == killed.slot_at] in (
        [DONE], [MISSED])

    # ... and its plan: every slot the agent settled is on the server as the agent has it,
    # under its token's name (the assessment's completion rate counts them)
    now = datetime.now(UTC)
    everyone = Plan(store.engine).between(now - timedelta(hours=1), now + timedelta(hours=1))
    for agent, name in zip(agents, PUSHED, strict=True):
        mine = {(e.job, e.slot_at, e.state, e.run_id) for e in entries(agent)
                if e.state in (DONE, MISSED)}
        theirs = {(e.job, e.slot_at, e.state, e.run_id) for e in everyone
                  if e.agent == f"token:{name}" and e.state in (DONE, MISSED)}
        assert mine and mine == theirs, (name, mine ^ theirs)

    # the server's agent: every zone run has every zone target once, none without a poller
    slots = zone_slots()
    done = [e for e in slots if e.state == DONE]
    assert hit.run_id in {e.run_id for e in done}
    zone_runs = {r.id for r in store.list_runs(limit=100_000) if set(r.targets) <= set(ZONED)}
    assert zone_runs == {e.run_id for e in done}
    for slot in done:
        run = store.get_run(slot.run_id)
        assert sorted(run.targets) == sorted(ZONED), run.targets
        assert {f.target for f in run.findings} == set(ZONED), slot
        prints = Counter((f.target, f.check, f.subject) for f in run.findings)
        assert max(prints.values()) == 1, prints.most_common(3)
        lost = [f for f in run.findings if "no poller" in str(f.summary)]
        assert not lost, (slot, slot.run_id == hit.run_id, run.started_at, run.finished_at, lost)

    # tickets: at most one active ticket per finding, and one for each pushing agent's disk
    active = [t for t in list_tickets(store.engine) if t.active]
    assert max(Counter(t.fingerprint for t in active).values()) == 1
    assert set(PUSHED) <= {t.target for t in active}
    store.engine.dispose()
    print(
        f"\nestate: runs at the server per agent "
        f"{ {name: len(stored[name]) for name in PUSHED} }; zone runs {len(done)} "
        f"({sum(e.state == MISSED for e in slots)} slots missed), each with all "
        f"{len(ZONED)} zone targets once, 0 no poller; servers away {outage:.0f} s; "
        f"{len(active)} active tickets, none twice; {time.monotonic() - began:.0f} s"
    )
