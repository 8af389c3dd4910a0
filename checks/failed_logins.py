"""Failed logins since the target's last inspection (lastb, or sshd's lines in the journal):
many mean someone is guessing passwords."""

from __future__ import annotations

from checks.security_common import CountCheck
from core import names
from core.phrases import phrase

FAILED_LOGINS_CHECK = CountCheck(
    name=names.CHECK_FAILED_LOGINS,
    metric=names.SECURITY_FAILED_LOGINS,
    summary=phrase("{count} failed logins since the last inspection ({clause})"),
    hint=phrase(
        "See who and from where: `lastb -w | head -50`; block repeated sources "
        "(fail2ban, firewall) and make sure password login is off where keys suffice."
    ),
)
