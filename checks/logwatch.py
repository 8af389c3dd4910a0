"""Log watch: the lines a log gained since the last inspection, judged once each.

The collector (collectors/probes_logwatch.py) counts the lines matching the profile's
critical and warning patterns and keeps the first ones; this check sets the counts against
`logwatch.critical_lines` / `logwatch.warning_lines` thresholds (default: any line alerts)
and shows the lines as evidence. A finding lasts as long as new matching lines appear: the
next inspection without one is OK again (as with check_logfiles).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.threshold import describe, judge
from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status, worst
from settings.profiles import Profile


class LogWatchCheck:
    name: ClassVar[str] = names.CHECK_LOGWATCH
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (
        names.LOGWATCH_CRITICAL_LINES,
        names.LOGWATCH_WARNING_LINES,
    )

    def configured(self, profile: Profile) -> bool:
        return bool(profile.logwatch)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        read = {
            (s.metric, s.label("log")): s.value
            for s in samples
            if s.metric in (*self.inputs, names.LOGWATCH_BACKLOG)
        }
        for rule in context.profile.logwatch:
            text = context.texts.get((self.name, rule.subject), {})
            critical = read.get((names.LOGWATCH_CRITICAL_LINES, rule.subject))
            warning = read.get((names.LOGWATCH_WARNING_LINES, rule.subject))
            if critical is None or warning is None:
                why = text.get("why") or context.missing.get(
                    names.LOGWATCH_CRITICAL_LINES, "the log was not read"
                )
                yield Finding.not_measured(
                    target.name, self.name, rule.subject, why,
                    phrase("Make the log readable by the inspecting user, or correct its "
                           "path in the profile's logwatch rules."),
                )
                continue
            yield self.finding(target, rule.subject, critical, warning, context.profile, read,
                               text)

    def finding(self, target: Target, subject: str, critical: float, warning: float,
                profile: Profile, read: dict, text: dict) -> Finding:
        verdicts = []
        words = []
        for metric, count in (
            (names.LOGWATCH_CRITICAL_LINES, critical),
            (names.LOGWATCH_WARNING_LINES, warning),
        ):
            thresholds = profile.thresholds_for(metric)
            if thresholds is None:
                words.append("-")
                continue
            verdicts.append(judge(count, thresholds)[0])
            words.append(describe(thresholds, "count"))
        status = worst(verdicts)
        backlog = read.get((names.LOGWATCH_BACKLOG, subject), 0.0)
        summary = phrase(
            "{critical} critical and {warning} warning lines since the last inspection",
            critical=int(critical), warning=int(warning),
        )
        if backlog:
            summary = phrase("{counts}; {backlog} bytes left to read next time",
                             counts=summary, backlog=int(backlog))
        lines = [line for line in text.get("lines", "").split("\n") if line]
        evidence: dict = {"lines": lines} if lines else {}
        if text.get("note"):
            evidence["note"] = text["note"]
        return Finding(
            target=target.name,
            check=self.name,
            subject=subject,
            status=status,
            summary=summary,
            value=critical + warning,
            unit="count",
            threshold=phrase("critical lines: {critical}; warning lines: {warning}",
                             critical=words[0], warning=words[1]),
            hint=phrase(
                "Read the matched lines (evidence) and the log around them on the target, "
                "and fix the cause; each line is judged once, so the next inspection is OK "
                "unless new ones appear."
            ) if status != Status.OK else "",
            evidence=evidence,
        )
