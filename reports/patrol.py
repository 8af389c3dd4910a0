"""The patrol sheet (巡检表): a target's latest inspection of the day, one row per item.

Why one row per item rather than per finding: the sheet is what duty staff read and sign, so
an item with 52 healthy ports is one line "52 checked, all normal", while each abnormal
subject is named in its row. Items come in the catalogue's order (core.names.TITLES), with
what made the inspection itself incomplete (reachability, collection) first, so a signer sees
first whether the rest of the sheet can be trusted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from core import names
from core.model import Finding
from core.phrases import Phrase, phrase
from core.status import Status, worst
from records.store import RunHeader
from reports.model import PatrolSheet, SheetRow

# What says whether the rest of a sheet was measured at all: listed first.
FIRST = (names.CHECK_REACHABILITY, names.CHECK_COLLECTOR, names.CHECK_INSPECTION)
# More problem lines than this in one row are counted, not listed.
RESULTS_SHOWN = 8


def patrol_sheets(
    findings: Iterable[Finding], latest: Mapping[str, RunHeader]
) -> tuple[PatrolSheet, ...]:
    by_target: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_target[finding.target].append(finding)
    sheets = []
    for target in sorted(latest):
        run = latest[target]
        rows = _rows(by_target.get(target, []))
        sheets.append(
            PatrolSheet(
                target=target,
                run_id=run.id,
                operator=run.operator,
                checked_at=run.started_at,
                status=worst(Status[r.status] for r in rows).name,
                rows=rows,
            )
        )
    return tuple(sheets)


def _order(check: str) -> tuple[int, int, str]:
    catalogue = list(names.TITLES)
    if check in FIRST:
        return (0, FIRST.index(check), check)
    if check in names.TITLES:
        return (1, catalogue.index(check), check)
    return (2, 0, check)


def _rows(findings: list[Finding]) -> tuple[SheetRow, ...]:
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)
    return tuple(_row(check, by_check[check]) for check in sorted(by_check, key=_order))


def _row(check: str, findings: list[Finding]) -> SheetRow:
    ordered = sorted(findings, key=lambda f: (-f.status.severity, f.subject))
    bad = [f for f in ordered if f.status != Status.OK]
    results: list[str | Phrase]
    if bad:
        results = [_named(f) for f in bad[:RESULTS_SHOWN]]
        if len(bad) > RESULTS_SHOWN:
            results.append(phrase("and {count} more", count=len(bad) - RESULTS_SHOWN))
    elif len(ordered) == 1:
        results = [ordered[0].summary]
    else:
        results = [phrase("{count} checked, all normal", count=len(ordered))]
    standard = next((f.threshold for f in ordered if f.threshold), "")
    return SheetRow(
        check=check,
        item=names.TITLES.get(check, check),
        standard=standard,
        results=tuple(results),
        hint=bad[0].hint if bad else "",
        status=ordered[0].status.name,
        subjects=len(ordered),
        problems=len(bad),
    )


def _named(finding: Finding) -> str | Phrase:
    """A problem line names its subject unless the summary is about the item as a whole."""
    if finding.subject in (finding.check, "") or finding.subject in str(finding.summary):
        return finding.summary
    return phrase("{subject}: {summary}", subject=finding.subject, summary=finding.summary)
