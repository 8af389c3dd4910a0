"""`inspect check`'s answer in the Nagios plugin format, which Icinga 2, Nagios and Zabbix read:

    OPSINSPECT DISK CRITICAL - /var 93.1% used (critical > 90%) | '/var'=93.1%;80;90;0;100
    OK: / 41.2% used (warning > 80%)

The first line holds the findings of the worst status and the perfdata of every finding with a
value; each other finding is one long-output line. `|` only ever separates perfdata (in text it
becomes `¦`) and every line is one line, so collectors/plugin_output.py parses it back exactly.
The texts are in the chosen language (`--lang`); the prefix, check name, status keywords and
perfdata are the protocol, which monitoring cores parse, so they stay as they are.
"""

from __future__ import annotations

from cli.render import visible
from collectors.plugin_output import perf_item
from core.catalog import ENGLISH, Language
from core.model import Finding
from core.phrases import phrase
from flows.check import CheckResult

PREFIX = "OPSINSPECT"


def plugin_answer(result: CheckResult, lang: Language = ENGLISH) -> str:
    status = result.status
    head = [f for f in result.findings if f.status == status]
    rest = [f for f in result.findings if f.status != status]
    text = ", ".join(_line(f, lang) for f in head) or lang.text(phrase("no finding"))
    perf = " ".join(
        perf_item(f.subject, f.value, f.unit, _limits(f, result))
        for f in result.findings
        if f.value is not None and f.check == result.check
    )
    first = f"{PREFIX} {result.check.upper()} {status.name} - {text}"
    lines = [f"{first} | {perf}" if perf else first]
    lines += [f"{f.status.name}: {_line(f, lang)}" for f in rest]
    return "\n".join(lines)


def _line(finding: Finding, lang: Language) -> str:
    return visible(" ".join(lang.text(finding.summary).split()).replace("|", "¦"))


def _limits(finding: Finding, result: CheckResult) -> dict[str, str]:
    limits = {"min": "0", "max": "100"} if finding.unit == "%" else {}
    thresholds = result.thresholds
    if thresholds is not None and thresholds.warning is not None:
        limits["warn"] = thresholds.warning.text
    if thresholds is not None and thresholds.critical is not None:
        limits["crit"] = thresholds.critical.text
    return limits
