"""The netfilter connection tracking table against its maximum: when it is full the kernel
drops new connections ('nf_conntrack: table full, dropping packet')."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from checks.summaries import fixed, share
from checks.threshold import ThresholdCheck
from core import names
from core.model import Finding, Sample, Target
from core.phrases import phrase
from core.status import Status


class ConntrackCheck(ThresholdCheck):
    """Without nf_conntrack loaded there is no table to fill: one OK finding says so."""

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        unloaded = any(s.metric == names.CONNTRACK_MAX and not s.value for s in samples)
        if unloaded and context.profile.thresholds_for(self.metric) is not None:
            yield Finding(target=target.name, check=self.name, subject="conntrack",
                          status=Status.OK, summary=phrase("nf_conntrack is not loaded"))
            return
        yield from super().evaluate(target, samples, context)


CONNTRACK_CHECK = ConntrackCheck(
    name=names.CHECK_CONNTRACK,
    metric=names.CONNTRACK_USED_PERCENT,
    subject=fixed("conntrack"),
    what=share(phrase("{entries} of {max} conntrack entries ({percent}%)"),
               entries=names.CONNTRACK_ENTRIES, max=names.CONNTRACK_MAX),
    hint=phrase(
        "See what fills it with `conntrack -S` and `conntrack -L | cut -d' ' -f1 | sort | "
        "uniq -c`; raise net.netfilter.nf_conntrack_max or shorten its timeouts."
    ),
    measured_by=(names.CONNTRACK_USED_PERCENT, names.CONNTRACK_MAX),
)
