"""Monitoring plugins: one finding per configured plugin, with the plugin's own verdict.

The plugin judged itself (its exit code); this check only turns that into a Finding and says
"not measured" for a configured plugin that gave nothing (e.g. on a target inspected over SSH).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import as_phrase, phrase
from core.status import Status
from settings.profiles import Profile

HINT = phrase(
    "The plugin {name} reported a problem: run its command by hand on the target to see the "
    "full answer, and see the plugin's --help for its thresholds."
)
NOT_RUN_HINT = phrase(
    "The profile asks for plugin {name} but it gave no answer: see docs/plugins.md for where "
    "plugins run, or remove it from the target's profile."
)


class PluginCheck:
    name: ClassVar[str] = names.CHECK_PLUGIN
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.PLUGIN_STATUS,)

    def configured(self, profile: Profile) -> bool:
        return bool(profile.plugins)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        answers = {s.label("plugin"): s for s in samples if s.metric == names.PLUGIN_STATUS}
        why = context.missing.get(names.PLUGIN_STATUS, phrase("it gave no answer"))
        for rule in context.profile.plugins:
            answer = answers.get(rule.name)
            if answer is None:
                yield Finding.not_measured(
                    target.name, self.name, rule.name, why, NOT_RUN_HINT.fill(name=rule.name)
                )
                continue
            status = Status(int(answer.value))
            text = context.texts.get((self.name, rule.name), {})
            yield Finding(
                target=target.name,
                check=self.name,
                subject=rule.name,
                status=status,
                summary=as_phrase(text["summary"])
                if "summary" in text
                else phrase("{plugin}: exit code {code}", plugin=rule.name, code=int(status)),
                value=answer.value,
                unit="count",
                threshold=phrase("exit code 0"),
                hint="" if status == Status.OK else HINT.fill(name=rule.name),
                evidence={"output": text["output"]} if text.get("output") else {},
            )
