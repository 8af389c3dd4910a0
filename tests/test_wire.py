"""The run's JSON form (flows/wire.py) gives back the same run, phrases and all, and names the
field of a document that does not fit."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.model import Finding, InspectionRun, Sample
from core.phrases import Phrase, phrase, verbatim
from core.status import Status
from flows.wire import WireError, run_from_json, run_to_json

AT = datetime(2026, 12, 7, 8, 0, 0, 123456, tzinfo=UTC)
SHANGHAI = timezone(timedelta(hours=8))


def _run(**changes) -> InspectionRun:
    nested = phrase("{state} on {port}", state=phrase("down"), port="Gi0/1 «uplink»")
    fields = {
        "id": "3f9a6c0011223344",
        "trigger": "schedule",
        "operator": "agent",
        "started_at": AT,
        "finished_at": AT.astimezone(SHANGHAI) + timedelta(seconds=2.5),
        "targets": ("web01", "db01"),
        "findings": (
            Finding("web01", "disk", "/var", Status.CRITICAL,
                    phrase("{mount} {used} used", mount="/var", used="93.1%"), value=93.1,
                    unit="%", threshold=phrase("critical above {limit}", limit=90),
                    hint=nested, evidence={"free": [1, 2], "note": None, "ratio": 0.1}),
            Finding("db01", "plugin", "", Status.UNKNOWN, "plain legacy text", value=None),
            Finding("db01", "raw", "x", Status.OK, verbatim("设备输出 {not a field}")),
        ),
        "samples": (
            Sample("web01", "disk.used_percent", 93.1, "%", AT, {"mount": "/var"}),
            Sample("web01", "net.rx", 1e-310, "B", AT),
            Sample("db01", "cpu.load", float("inf"), "", AT.astimezone(SHANGHAI)),
        ),
    }
    return InspectionRun(**{**fields, **changes})


@pytest.mark.parametrize("run", [_run(), _run(findings=(), samples=(), targets=())])
def test_a_run_survives_the_wire_exactly(run):
    back = run_from_json(json.loads(json.dumps(run_to_json(run))))
    assert back == run
    assert back.findings and back.findings[0].hint.render() == "down on Gi0/1 «uplink»" \
        or not run.findings
    assert [type(f.summary) for f in back.findings] == [type(f.summary) for f in run.findings]


def test_nan_survives_the_wire():
    run = _run(samples=(Sample("web01", "x", float("nan"), "", AT),))
    back = run_from_json(json.loads(json.dumps(run_to_json(run))))
    assert math.isnan(back.samples[0].value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=99), "version: expected 1"),
        (lambda d: d.update(id=5), "id: expected text"),
        (lambda d: d.update(started_at="yesterday"), "started_at: expected an ISO 8601 time"),
        (lambda d: d.update(started_at="2026-12-07T08:00:00"), "with its UTC offset"),
        (lambda d: d.update(targets="web01"), "targets: expected a list"),
        (lambda d: d["findings"][0].update(status=7), "findings[0].status"),
        (lambda d: d["findings"][0].update(summary=3), "findings[0].summary"),
        (lambda d: d["findings"][0].update(value="93"), "findings[0].value"),
        (lambda d: d["samples"][1].update(value=True), "samples[1].value"),
        (lambda d: d["samples"][0].update(labels={"mount": 1}), "samples[0].labels"),
    ],
)
def test_a_document_that_does_not_fit_names_the_field(change, message):
    document = run_to_json(_run())
    change(document)
    with pytest.raises(WireError, match=message.replace("[", r"\[").replace("]", r"\]")):
        run_from_json(document)


def test_not_an_object_is_refused():
    with pytest.raises(WireError, match="JSON object"):
        run_from_json([1, 2])


# Any run the store can hold survives the wire: JSON-like evidence, nested phrases, any time
# zone offset, any finite or infinite float (NaN is covered above: it equals nothing).
_floats = st.floats(allow_nan=False)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _floats | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_phrases = st.recursive(
    st.builds(lambda t, v: Phrase(t, tuple(v.items())), st.text(),
              st.dictionaries(st.text(min_size=1), st.text() | st.integers() | _floats,
                              max_size=3)),
    lambda inner: st.builds(lambda t, k, p: Phrase(t, ((k, p),)), st.text(),
                            st.text(min_size=1), inner),
    max_leaves=4,
)
_zones = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-12 * 60, 14 * 60))
_times = st.datetimes(timezones=_zones)
_findings = st.builds(
    Finding, target=st.text(), check=st.text(), subject=st.text(),
    status=st.sampled_from(list(Status)), summary=st.text() | _phrases,
    value=st.none() | _floats, unit=st.text(), threshold=st.text() | _phrases,
    hint=st.text() | _phrases, evidence=st.dictionaries(st.text(), _json, max_size=3),
)
_samples = st.builds(
    Sample, target=st.text(), metric=st.text(), value=_floats, unit=st.text(), at=_times,
    labels=st.dictionaries(st.text(), st.text(), max_size=3),
)


@settings(derandomize=True, max_examples=200, deadline=None, database=None)
@given(
    st.builds(
        InspectionRun, id=st.text(min_size=1), trigger=st.text(), operator=st.text(),
        started_at=_times, finished_at=_times, targets=st.lists(st.text()).map(tuple),
        findings=st.lists(_findings, max_size=4).map(tuple),
        samples=st.lists(_samples, max_size=4).map(tuple),
    )
)
@example(_run())
@example(_run(findings=(), samples=(), targets=()))
def test_any_run_survives_the_wire(run):
    assert run_from_json(json.loads(json.dumps(run_to_json(run)))) == run
