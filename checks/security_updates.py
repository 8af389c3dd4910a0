"""Pending security updates, counted from the package indexes already on the host (apt's
-security origins, dnf/yum security advisories); refreshing them is the policy's choice."""

from __future__ import annotations

from checks.security_common import CountCheck
from core import names
from core.phrases import phrase


def _evidence(sample, context) -> dict:
    manager = sample.label("manager")
    packages = context.texts.get((names.CHECK_SECURITY_UPDATES, manager), {}).get("packages", "")
    return {"manager": manager, "packages": packages.split()}


SECURITY_UPDATES_CHECK = CountCheck(
    name=names.CHECK_SECURITY_UPDATES,
    metric=names.SECURITY_PENDING_UPDATES,
    summary=phrase("{count} security updates pending ({manager}; {clause})"),
    labels=("manager",),
    hint=phrase(
        "Plan the updates in a change window (`apt-get upgrade` / `dnf upgrade "
        "--security`); the packages are listed in the evidence."
    ),
    evidence=_evidence,
)
