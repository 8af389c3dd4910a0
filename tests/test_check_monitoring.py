"""`inspect check` in real monitoring cores: the shipped contrib configurations validate with
icinga2 and nagios4, and each core runs the real command and records the state and output a
Nagios plugin must give (OK, WARNING, CRITICAL, UNKNOWN), which our own plugin parser reads
back."""

from __future__ import annotations

from pathlib import Path

from collectors import plugin_output
from core import names
from tests.services.monitoring import (
    NAGIOS_SITE,
    ROOT,
    icinga2_results,
    icinga2_validate,
    inspect_wrapper,
    nagios_main,
    nagios_results,
    nagios_validate,
)

ICINGA2_CONF = ROOT / "contrib" / "icinga2" / "opsinspect.conf"
NAGIOS_CFG = ROOT / "contrib" / "nagios" / "opsinspect.cfg"

# thresholds that force each status on any machine: `@0:100` alerts on every percentage
FORCED = {
    "forced-ok": (0, ("100", "100")),
    "forced-warning": (1, ("@0:100", "100")),
    "forced-critical": (2, ("100", "@0:100")),
}


def icinga2_site(bin_path: Path, extra: str = "") -> str:
    return (
        f'const OpsinspectBin = "{bin_path}"\n'
        "include <itl>\n"
        f'include "{ICINGA2_CONF}"\n'
        'object Host "here" { check_command = "dummy"; vars.opsinspect = true }\n'
        'object Host "sw1" { check_command = "dummy"; vars.opsinspect_target = "sw1" }\n'
        + extra
    )


def test_the_shipped_icinga2_config_validates(tmp_path):
    config = tmp_path / "icinga2.conf"
    config.write_text(icinga2_site(Path("/usr/local/bin/inspect")))
    done = icinga2_validate(config, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Instantiated 4 Services" in done.stdout  # disk, memory, load here; interfaces on sw1
    assert "Finished validating the configuration" in done.stdout


def test_icinga2_validation_is_real(tmp_path):
    """The same check refuses a mistake, so a pass above means something."""
    config = tmp_path / "icinga2.conf"
    no_host = 'object Service "s" { check_command = "opsinspect" }\n'
    config.write_text(icinga2_site(Path("/x"), no_host))
    done = icinga2_validate(config, tmp_path)
    assert done.returncode != 0
    assert "host_name" in done.stdout + done.stderr


def _service(name: str, check: str, warning: str, critical: str, subject: str = "/") -> str:
    return (
        f'apply Service "{name}" {{\n'
        '  check_command = "opsinspect"\n'
        f'  vars.opsinspect_check = "{check}"\n'
        f'  vars.opsinspect_subjects = ["{subject}"]\n'
        f'  vars.opsinspect_warning = "{warning}"\n'
        f'  vars.opsinspect_critical = "{critical}"\n'
        "  check_interval = 1s\n"
        '  assign where host.name == "checked"\n}\n'
    )


def test_icinga2_runs_inspect_check_and_records_each_state(tmp_path):
    extra = 'object Host "checked" { check_command = "dummy" }\n'
    for name, (_state, (warning, critical)) in FORCED.items():
        extra += _service(name, "disk", warning, critical)
    extra += _service("no-such-mount", "disk", "80", "90", subject="/no/such/mount")
    extra += _service("bad-range", "disk", "eighty", "90")
    config = icinga2_site(inspect_wrapper(tmp_path), extra)
    results = icinga2_results(config, {*FORCED, "no-such-mount", "bad-range"}, tmp_path)

    for name, (state, _) in FORCED.items():
        result = results[name]
        assert result.state == state, result
        word = ("OK", "WARNING", "CRITICAL")[state]
        assert result.output.startswith(f"OPSINSPECT DISK {word} - /")
        # icinga2 normalises the perfdata it stores; our parser reads it either way
        (perf,) = plugin_output.perfdata(result.perfdata)
        assert (perf.label, perf.metric) == ("/", names.PLUGIN_PERCENT)
        assert 0 < perf.value < 100
        assert perf.limits == {"warn": FORCED[name][1][0], "crit": FORCED[name][1][1],
                               "min": "0", "max": "100"}
    assert results["no-such-mount"].state == 3
    assert "no disk finding on /no/such/mount" in results["no-such-mount"].output
    assert results["bad-range"].state == 3  # a usage error: exit 3, the one line on stderr
    assert "inspect: error: check: Invalid value for '-w' / '--warning'" in results[
        "bad-range"].output


def nagios_site(tmp_path: Path, forced: str = "") -> list[Path]:
    site = tmp_path / "site.cfg"
    hosts = "".join(
        "define host {\n"
        f"    host_name {name}\n    address 127.0.0.1\n    hostgroups {group}\n"
        "    max_check_attempts 1\n    check_period 24x7\n    contacts ops\n"
        "    notification_period 24x7\n}\n"
        for name, group in (("localhost", "opsinspect-hosts"), ("sw1", "opsinspect-switches"))
    )
    site.write_text(NAGIOS_SITE + hosts + forced)
    return [NAGIOS_CFG, site]


def test_the_shipped_nagios_config_validates(tmp_path):
    main = nagios_main(tmp_path, nagios_site(tmp_path), Path("/usr/local/bin"))
    done = nagios_validate(main)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Total Errors:   0" in done.stdout
    assert "Total Warnings: 0" in done.stdout
    assert "Checked 3 services" in done.stdout


def test_nagios_validation_is_real(tmp_path):
    broken = "define service {\n    use opsinspect-service\n    host_name localhost\n" \
             "    service_description broken\n    check_command check_opsinspect_nosuch\n}\n"
    main = nagios_main(tmp_path, nagios_site(tmp_path, broken), Path("/usr/local/bin"))
    done = nagios_validate(main)
    assert done.returncode != 0
    assert "check_opsinspect_nosuch" in done.stdout


def test_nagios_runs_inspect_check_and_records_each_state(tmp_path):
    forced = "".join(
        "define service {\n    use opsinspect-service\n    host_name localhost\n"
        f"    service_description {name}\n    check_command check_opsinspect!disk!{w}!{c}\n}}\n"
        for name, (_state, (w, c)) in FORCED.items()
    )
    forced += ("define service {\n    use opsinspect-service\n    host_name localhost\n"
               "    service_description unknown-check\n"
               "    check_command check_opsinspect_default!nosuch\n}\n")
    inspect_wrapper(tmp_path)
    main = nagios_main(tmp_path, nagios_site(tmp_path, forced), tmp_path)
    results = nagios_results(main, "localhost", {*FORCED, "unknown-check"})

    for name, (state, (warning, critical)) in FORCED.items():
        result = results[name]
        assert result.state == state, result
        answer = plugin_output.parse(f"{result.output} | {result.perfdata}")
        assert answer.summary.startswith(f"OPSINSPECT DISK {('OK', 'WARNING', 'CRITICAL')[state]}")
        assert answer.perfdata, result  # every filesystem of this machine, each a percentage
        for perf in answer.perfdata:
            assert perf.metric == names.PLUGIN_PERCENT
            assert perf.limits["warn"] == warning and perf.limits["crit"] == critical
    assert results["unknown-check"].state == 3
    assert "unknown check 'nosuch'" in results["unknown-check"].output
