"""Every way a target can fail to be inspected: the one table of summaries and hints.

A collector raises `CollectError(reason, detail)` with a reason from this table; the runner
turns it into one finding whose summary is `reason: detail` and whose hint is the row's. The
detail says what happened in plain words (never an exception's class name or repr, never a
secret); the hint says what to do about this kind of failure, whichever protocol met it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.phrases import Phrase, phrase
from core.status import Status


@dataclass(frozen=True)
class Failure:
    """`label`: the reason in words, the summary's prefix (its key is the reason's id)."""

    label: Phrase
    hint: Phrase
    status: Status = Status.UNKNOWN


FAILURES: dict[str, Failure] = {
    "refused": Failure(
        phrase("refused"),
        phrase(
            "Nothing accepts connections on that port: check that the service runs on the target "
            "and listens on the port the inventory names (`nc -vz ADDRESS PORT` from this host)."
        ),
    ),
    "unreachable": Failure(
        phrase("unreachable"),
        phrase(
            "Check the name resolves and the address answers from this host (`ping ADDRESS`, "
            "`nc -vz ADDRESS PORT`); then routing and firewalls on the way."
        ),
    ),
    "timeout": Failure(
        phrase("timeout"),
        phrase(
            "The target accepted or dropped the connection but did not answer in time: check its "
            "load and the service on it, and firewall rules that drop silently."
        ),
    ),
    "auth failed": Failure(
        phrase("auth failed"),
        phrase(
            "Check the username and the credential reference in the inventory, and whether the "
            "account is locked or the key is authorised on the target; for SNMP, that the "
            "community or v3 keys and protocols match the device's."
        ),
    ),
    "encrypted key": Failure(
        phrase("encrypted key"),
        phrase(
            "The key file is protected by a passphrase: give its reference as `passphrase:` in "
            "the target's ssh: or cli: section (env:NAME, file:PATH), or load the key into "
            "ssh-agent (use_agent: true)."
        ),
    ),
    "host key unknown": Failure(
        phrase("host key unknown"),
        phrase(
            "Compare the fingerprint with the one the host's owner gives you "
            "(`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host), then add the key to "
            "known_hosts; or set host_key_policy: tofu (in its ssh: or cli: section) to trust keys "
            "on first use."
        ),
    ),
    "host key changed": Failure(
        phrase("host key changed"),
        phrase(
            "Do not accept blindly: confirm with the target's owner that the host was reinstalled, "
            "then replace its entry in known_hosts."
        ),
        Status.CRITICAL,  # may be an attack in progress: it must not look like a dead host
    ),
    "v3 mismatch": Failure(
        phrase("v3 mismatch"),
        phrase(
            "The agent does not accept these SNMPv3 settings: compare snmp.username, "
            "auth_protocol, priv_protocol and whether priv_key is set with the device's v3 user "
            "(its security level must match: authPriv needs both keys)."
        ),
    ),
    "unexpected answer": Failure(
        phrase("unexpected answer"),
        phrase(
            "Something answered that does not speak the expected protocol: check that the port in "
            "the inventory reaches the device's SSH or SNMP service, not another program or proxy."
        ),
    ),
    "command refused": Failure(
        phrase("command refused"),
        phrase(
            "The account logged in but may not run what the inspection needs: on a server, "
            "/bin/sh must exist and the account's shell must allow commands (no nologin, "
            "ForceCommand or restricted shell); on a network device, give the account a privilege "
            "level that may run show/display commands, or set cli.secret for enable mode."
        ),
    ),
    "connection lost": Failure(
        phrase("connection lost"),
        phrase(
            "The target closed the connection after accepting it: a connection limit under load "
            "(sshd MaxStartups; retried), access rules (AllowUsers, TCP wrappers), a firewall's "
            "idle timeout or the service restarting; the target's logs say which."
        ),
    ),
    "protocol error": Failure(
        phrase("protocol error"),
        phrase(
            "The exchange broke off at the step the summary names: connect by hand with the same "
            "protocol (`ssh -vvv -p PORT USER@ADDRESS`, `snmpget -v2c -c COMMUNITY ADDRESS "
            "1.3.6.1.2.1.1.3.0`) and see where it stops."
        ),
    ),
    "answer too large": Failure(
        phrase("answer too large"),
        phrase(
            "The target sent more than its `answer_limit_mb` (inventory, default 16 MiB) in one "
            "session and was cut off: run the same command by hand and see what it prints; raise "
            "the setting for that target only if such an answer is real."
        ),
    ),
    "no poller": Failure(
        phrase("no poller"),
        phrase(
            "No worker of the target's zone took its task before the deadline: start one on a "
            "host in that zone (`inspect worker --zone ZONE`), check that it reaches the broker "
            "named in the inventory's central: section, and see its log (docs/central.md)."
        ),
    ),
    "configuration": Failure(
        phrase("configuration"),
        phrase(
            "Fix the target's settings in the inventory (`inspect inventory validate` checks "
            "them) or the credential its reference points to."
        ),
    ),
    "internal error": Failure(
        phrase("internal error"),
        phrase(
            "This is a defect in opsinspect, not a problem of the target: report it with the "
            "finding's evidence (`inspect run -f json` shows it)."
        ),
    ),
}
