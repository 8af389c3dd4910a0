"""Whatever a target prints, the log watch, SMART and mdstat parsers give samples and notes,
never an exception: the probe output is the target's text, and a hostile or broken host must
not cost the rest of its inspection."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from collectors import probes_hardware, probes_logwatch
from collectors.probe_model import ProbeInput
from collectors.session import Session
from core.model import Missing, Sample
from settings.profiles import HardwareRule, LogRule, Profile

AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
PROFILE = Profile(
    logwatch=(LogRule("/var/log/a", path="/var/log/a", warning=("e",)),
              LogRule("journal:x", journal="x", critical=("c",))),
    hardware=HardwareRule(smart=True, raid=True),
)
LINES = st.lists(
    st.one_of(
        st.sampled_from(["@@log 0", "@@log 1", "@@stat 5 10", "@@current", "@@rotated",
                         "@@part 0 10 10", "@@done 3", "@@window 1 2", "@@present", "@@device /d",
                         "md0 : active raid1 a[0]", "   [2/1] [U_]", "  resync = 1.5%", "{", "}"]),
        st.text(max_size=40),
    ),
    max_size=30,
).map("\n".join)


def parse_all(text: str) -> list:
    session = Session(profile=PROFILE)

    def make(metric, value, unit, **labels):
        return Sample("t", metric, float(value), unit, AT, labels)

    found = ProbeInput(text, make, PROFILE, session, AT)
    return [
        *probes_logwatch.parse(found),
        *probes_hardware.smart_parse(found),
        *probes_hardware.raid_parse(found),
    ]


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(LINES)
@example("@@log 0\n@@stat x y\n@@current\n@@part a b c\n@@done")
@example("@@log 1\n@@window 5\n@@done 99999999999999999999")
@example("@@device\n{\"smart_status\": {\"passed\": \"yes\"}}")
@example("@@present\nmd0 : inactive\n   [0/0] []")
@example('@@device /d\n{"smart_status": {"passed": true}, "ata_smart_attributes": [1], '
         '"nvme_smart_health_information_log": [], "smartctl": "x"}')
@example('@@device /d\n{"smart_status": {"passed": true}, "ata_smart_attributes": '
         '{"table": [{"id": 5, "raw": [1]}]}}')
@example('@@device /d\n{"smartctl": {"messages": 5}}')
def test_any_answer_parses_into_samples_and_notes(text):
    assert all(isinstance(item, Sample | Missing) for item in parse_all(text))
