"""A monitoring plugin's answer, parsed as the Nagios plugin API defines it, from real outputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.plugin_output import LONG_OUTPUT_CHARS, SUMMARY_CHARS, parse, status_of
from core import names
from core.status import Status

GIB = 1024**3

# (plugin output, summary, long output, [(label, metric, value in base unit, limits)])
CASES = [
    (  # check_disk 2.3.3
        "DISK OK - free space: / 78852MiB (75% inode=97%);| "
        "/=26260537344B;216442024755;243497277849;0;270552530944\n",
        "DISK OK - free space: / 78852MiB (75% inode=97%);",
        "",
        [("/", names.PLUGIN_BYTES, 26260537344.0,
          {"warn": "216442024755", "crit": "243497277849", "min": "0", "max": "270552530944"})],
    ),
    (  # check_procs: no unit, empty warn and crit
        "PROCS OK: 114 processes | procs=114;;;0;\n",
        "PROCS OK: 114 processes",
        "",
        [("procs", names.PLUGIN_VALUE, 114.0, {"min": "0"})],
    ),
    (  # check_http: two items, seconds and bytes
        "HTTP OK: HTTP/1.0 200 OK - 16877 bytes in 0.004 second response time "
        "|time=0.003802s;;;0.000000;10.000000 size=16877B;;;0;\n",
        "HTTP OK: HTTP/1.0 200 OK - 16877 bytes in 0.004 second response time",
        "",
        [("time", names.PLUGIN_SECONDS, 0.003802, {"min": "0.000000", "max": "10.000000"}),
         ("size", names.PLUGIN_BYTES, 16877.0, {"min": "0"})],
    ),
    (  # check_ping: milliseconds and percent
        "PING OK - Packet loss = 0%, RTA = 0.05 ms|rta=0.052000ms;100.000000;500.000000;0.000000 "
        "pl=0%;20;60;0\n",
        "PING OK - Packet loss = 0%, RTA = 0.05 ms",
        "",
        [("rta", names.PLUGIN_SECONDS, 0.000052,
          {"warn": "100.000000", "crit": "500.000000", "min": "0.000000"}),
         ("pl", names.PLUGIN_PERCENT, 0.0, {"warn": "20", "crit": "60", "min": "0"})],
    ),
    (  # the plugin API's multi-line example: perfdata after `|` on a later line, then lines
        "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
        "/ 15272 MB (77%);\n"
        "/boot 68 MB (69%);\n"
        "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
        "/home=69357MB;253404;253409;0;253414 \n"
        "/var/log=818MB;970;975;0;980\n",
        "DISK OK - free space: / 3326 MB (56%);",
        "/ 15272 MB (77%);\n/boot 68 MB (69%);\n/var/log 819 MB (84%); ",
        [("/", names.PLUGIN_BYTES, 2643.0 * 1024**2,
          {"warn": "5948", "crit": "5958", "min": "0", "max": "5968"}),
         ("/boot", names.PLUGIN_BYTES, 68.0 * 1024**2,
          {"warn": "88", "crit": "93", "min": "0", "max": "98"}),
         ("/home", names.PLUGIN_BYTES, 69357.0 * 1024**2,
          {"warn": "253404", "crit": "253409", "min": "0", "max": "253414"}),
         ("/var/log", names.PLUGIN_BYTES, 818.0 * 1024**2,
          {"warn": "970", "crit": "975", "min": "0", "max": "980"})],
    ),
    (  # check_nt style: quoted labels with spaces and a quote, a GB value, a counter
        "c:\\ - total: 100.00 Gb | 'C:\\ Used Space'=10.5GB;80;90;0;100 "
        "'it''s'=3c 'odd label'=U;1;2 size=2kB newer=1.5GiB\n",
        "c:\\ - total: 100.00 Gb",
        "",
        [("C:\\ Used Space", names.PLUGIN_BYTES, 10.5 * GIB,
          {"warn": "80", "crit": "90", "min": "0", "max": "100"}),
         ("it's", names.PLUGIN_VALUE, 3.0, {}),
         ("size", names.PLUGIN_BYTES, 2048.0, {}),
         ("newer", names.PLUGIN_BYTES, 1.5 * GIB, {})],
    ),
    (  # error text on stdout and stderr, no perfdata
        "check_load: Could not parse arguments\nUsage:\ncheck_load [-r] -w WLOAD1 -c CLOAD1\n",
        "check_load: Could not parse arguments",
        "Usage:\ncheck_load [-r] -w WLOAD1 -c CLOAD1",
        [],
    ),
    (  # garbage perfdata is skipped, not guessed: a bad number, an unknown unit, no `=`
        "OK | a=1x2 b=5parsecs c= =4 d e=1e3ms\n",
        "OK",
        "",
        [("e", names.PLUGIN_SECONDS, 1.0, {})],
    ),
    ("", "", "", []),
]


@pytest.mark.parametrize(("output", "summary", "long_output", "perf"), CASES)
def test_real_plugin_outputs_parse(output, summary, long_output, perf):
    answer = parse(output)
    assert str(answer.summary) == summary
    assert answer.long_output == long_output
    got = [(p.label, p.metric, p.value, p.limits) for p in answer.perfdata]
    assert [(label, metric, limits) for label, metric, _, limits in got] == [
        (label, metric, limits) for label, metric, _, limits in perf
    ]
    assert [v for *_, v, _ in got] == pytest.approx([v for *_, v, _ in perf])
    assert all(p.unit == names.UNITS[p.metric] for p in answer.perfdata)


def test_control_characters_are_escaped_and_text_capped():
    answer = parse("OK \x1b[31mred\x07" + "x" * 1000 + "\nline\twith tab\x1b]0;\n" + "y" * 9000)
    assert str(answer.summary).startswith("OK \\x1b[31mred\\x07xx")
    assert len(str(answer.summary)) == SUMMARY_CHARS
    assert answer.long_output.startswith("line\twith tab\\x1b]0;\nyyy")
    assert len(answer.long_output) == LONG_OUTPUT_CHARS


@pytest.mark.parametrize(
    ("code", "status"),
    [(0, Status.OK), (1, Status.WARNING), (2, Status.CRITICAL), (3, Status.UNKNOWN),
     (4, Status.UNKNOWN), (127, Status.UNKNOWN), (-9, Status.UNKNOWN)],
)
def test_exit_codes_outside_0_to_3_are_unknown(code, status):
    assert status_of(code) == status


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab'= ;|%.-1\n\x1b\x00"), max_size=200))
def test_any_output_parses_without_error_into_bounded_printable_text(output):
    answer = parse(output)
    assert len(str(answer.summary)) <= SUMMARY_CHARS and "\n" not in str(answer.summary)
    assert len(answer.long_output) <= LONG_OUTPUT_CHARS
    assert "\x1b" not in str(answer.summary) + answer.long_output
    assert all(p.unit == names.UNITS[p.metric] for p in answer.perfdata)
