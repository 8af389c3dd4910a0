"""Who may do what in the console: one table, read by pages and API alike.

Roles are ranked; each action names the least role allowed to do it, so a higher role can do
everything a lower one can (duty < engineer < manager < admin). `agent` is apart, for an
agent's token (`inspect token create --role agent`): it reports runs (with its backups and
plan) and may do nothing else,
not even read, so a stolen agent token shows nobody the estate."""

from __future__ import annotations

ROLES = ("duty", "engineer", "manager", "admin")
AGENT = "agent"
AGENT_ACTIONS = frozenset({"report_runs"})
TOKEN_ROLES = (*ROLES, AGENT)

# action -> the least role allowed
LEAST_ROLE: dict[str, str] = {
    "view": "duty",
    "ack": "duty",
    "comment": "duty",
    "handover": "duty",
    "fault_report": "duty",
    "assign": "engineer",
    "start": "engineer",
    "resolve": "engineer",
    "reopen": "engineer",
    "run_inspection": "engineer",
    "report_runs": "engineer",  # an engineer's script may report runs too
    "backups": "engineer",
    "close": "manager",
    "publish_assessment": "manager",
    "manual_score": "manager",
    "users": "admin",
    "tokens": "admin",
    "audit": "admin",
}


def allowed(role: str, action: str) -> bool:
    if role == AGENT:
        return action in AGENT_ACTIONS
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(LEAST_ROLE[action])
