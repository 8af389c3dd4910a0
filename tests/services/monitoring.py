"""Real monitoring cores (Icinga 2, Nagios 4 from Debian) on private directories: validate a
configuration, or run the daemon until it has checked the given services and read back each
service's state and output from its perfdata file (every check result is written there).

Nothing touches /etc, /var or the packaged daemons (which scripts/install-services leaves
stopped): every path the core writes is under the test's directory, and it runs as the
current user.
"""

from __future__ import annotations

import grp
import os
import pwd
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.services import require_program

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0  # seconds a core may take to start and check every service on a busy machine


@dataclass(frozen=True)
class Result:
    """One check result as the core recorded it."""

    state: int
    output: str
    perfdata: str
    long_output: str = ""


def inspect_wrapper(directory: Path) -> Path:
    """An executable `inspect` that runs this checkout's CLI, as an installed one would, with
    a private home (no inventory or records of the user's)."""
    path = directory / "inspect"
    path.write_text(
        "#!/bin/sh\n"
        f"export PYTHONPATH='{ROOT}' HOME='{directory}' XDG_CONFIG_HOME='{directory}/config' "
        f"XDG_DATA_HOME='{directory}/data'\n"
        "unset INSPECT_INVENTORY INSPECT_DB\n"
        f"exec '{sys.executable}' -m cli \"$@\"\n"
    )
    path.chmod(0o755)
    return path


def _user() -> tuple[str, str]:
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


# --- Icinga 2 ------------------------------------------------------------------------------


def icinga2_args(directory: Path) -> list[str]:
    user, group = _user()
    dirs = {
        name: directory / name.lower() for name in ("DataDir", "LogDir", "CacheDir", "SpoolDir")
    }
    dirs["InitRunDir"] = directory / "run"
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    return [f"-DRunAsUser={user}", f"-DRunAsGroup={group}"] + [
        f"-D{name}={path}" for name, path in dirs.items()
    ]


def icinga2_validate(config: Path, directory: Path) -> subprocess.CompletedProcess:
    icinga2 = require_program("icinga2", "/usr/sbin/icinga2")
    return subprocess.run(
        [icinga2, "daemon", "-C", "-c", str(config), *icinga2_args(directory)],
        capture_output=True, text=True, timeout=120,
    )


def icinga2_results(config_text: str, services: set[str], directory: Path) -> dict[str, Result]:
    """Run icinga2 on `config_text` plus a checker and a perfdata writer until every service
    in `services` has a result."""
    icinga2 = require_program("icinga2", "/usr/sbin/icinga2")
    perf = directory / "perf"
    perf.mkdir(exist_ok=True)
    config = directory / "run.conf"
    config.write_text(
        config_text
        + '\nobject CheckerComponent "checker" { }\n'
        + 'object PerfdataWriter "results" {\n'
        + f'  service_perfdata_path = "{perf}/service"\n'
        + f'  service_temp_path = "{perf}/service.tmp"\n'
        + f'  host_perfdata_path = "{perf}/host"\n'
        + f'  host_temp_path = "{perf}/host.tmp"\n'
        + '  service_format_template = "$service.name$\\t$service.state_id$\\t'
        + '$service.output$\\t$service.perfdata$"\n'
        + "  rotation_interval = 1s\n}\n"
    )
    command = [icinga2, "daemon", "-c", str(config), *icinga2_args(directory)]
    return _run_until(command, lambda: _read(perf.glob("service*")), services, directory)


# --- Nagios 4 ------------------------------------------------------------------------------

NAGIOS_SITE = """\
define timeperiod {
    timeperiod_name 24x7
    alias           always
    monday 00:00-24:00
    tuesday 00:00-24:00
    wednesday 00:00-24:00
    thursday 00:00-24:00
    friday 00:00-24:00
    saturday 00:00-24:00
    sunday 00:00-24:00
}
define command {
    command_name notify-none
    command_line /bin/true
}
define contact {
    contact_name                  ops
    host_notifications_enabled    0
    service_notifications_enabled 0
    host_notification_period      24x7
    service_notification_period   24x7
    host_notification_options     n
    service_notification_options  n
    host_notification_commands    notify-none
    service_notification_commands notify-none
}
"""


def nagios_main(directory: Path, cfg_files: list[Path], user3: Path) -> Path:
    """A nagios.cfg whose every path is under `directory`; $USER3$ is where `inspect` is."""
    var = directory / "var"
    (var / "rw").mkdir(parents=True, exist_ok=True)
    (var / "spool").mkdir(exist_ok=True)
    (directory / "resource.cfg").write_text(f"$USER3$={user3}\n")
    user, group = _user()
    lines = [
        f"log_file={var}/nagios.log",
        *(f"cfg_file={path}" for path in cfg_files),
        f"resource_file={directory}/resource.cfg",
        f"status_file={var}/status.dat",
        f"temp_file={var}/nagios.tmp",
        f"temp_path={var}",
        f"lock_file={var}/nagios.lock",
        f"check_result_path={var}/spool",
        f"command_file={var}/rw/nagios.cmd",
        f"query_socket={var}/rw/nagios.qh",
        f"state_retention_file={var}/retention.dat",
        f"object_cache_file={var}/objects.cache",
        f"precached_object_file={var}/objects.precache",
        f"nagios_user={user}",
        f"nagios_group={group}",
        "check_external_commands=1",
        "execute_host_checks=0",
        "process_performance_data=1",
        f"service_perfdata_file={var}/service-perfdata",
        "service_perfdata_file_template=$SERVICEDESC$\\t$SERVICESTATEID$\\t$SERVICEOUTPUT$\\t"
        "$SERVICEPERFDATA$\\t$LONGSERVICEOUTPUT$",
        "service_perfdata_file_mode=a",
        "illegal_macro_output_chars=`~$&|'\"<>",  # as Debian's nagios.cfg
    ]
    main = directory / "nagios.cfg"
    main.write_text("\n".join(lines) + "\n")
    return main


def nagios_validate(main: Path) -> subprocess.CompletedProcess:
    nagios = require_program("nagios4", "/usr/sbin/nagios4")
    return subprocess.run([nagios, "-v", str(main)], capture_output=True, text=True, timeout=120)


def nagios_results(main: Path, host: str, services: set[str]) -> dict[str, Result]:
    """Run nagios4 in the foreground, force a check of each service through its command
    file at once (no waiting for its schedule) and read the results."""
    nagios = require_program("nagios4", "/usr/sbin/nagios4")
    var = main.parent / "var"
    pipe = var / "rw" / "nagios.cmd"

    def force() -> None:
        now = int(time.time())
        with open(pipe, "w") as commands:
            for service in sorted(services):
                commands.write(f"[{now}] SCHEDULE_FORCED_SVC_CHECK;{host};{service};{now}\n")

    return _run_until(
        [nagios, str(main)], lambda: _read([var / "service-perfdata"]), services,
        main.parent, started=lambda: pipe.exists(), on_start=force,
    )


# --- both ----------------------------------------------------------------------------------


def _run_until(command, read, services, directory: Path, started=None, on_start=None):
    log = open(directory / "daemon.log", "w")  # noqa: SIM115 - closed below
    daemon = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + WAIT
    try:
        if started is not None:
            while not started():
                _alive(daemon, directory, deadline)
                time.sleep(0.1)
            on_start()
        while True:
            results = read()
            if services <= set(results):
                return results
            _alive(daemon, directory, deadline)
            time.sleep(0.2)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
        log.close()


def _alive(daemon: subprocess.Popen, directory: Path, deadline: float) -> None:
    if daemon.poll() is not None or time.monotonic() > deadline:
        tail = (directory / "daemon.log").read_text()[-2000:]
        raise AssertionError(f"{daemon.args[0]} gave no results in time (exit {daemon.poll()})"
                             f":\n{tail}")


def _read(paths) -> dict[str, Result]:
    """service -> its latest result, from tab-separated perfdata lines."""
    results: dict[str, Result] = {}
    for path in sorted(paths):
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) >= 4 and fields[1].isdigit():
                long_output = fields[4] if len(fields) > 4 else ""
                results[fields[0]] = Result(int(fields[1]), fields[2], fields[3], long_output)
    return results
