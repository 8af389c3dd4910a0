import math

import pytest

from settings.thresholds import Range

# Nagios plugin development guidelines, "threshold and ranges" table
CASES = [
    ("10", [(-1, True), (0, False), (10, False), (10.1, True)]),
    ("10:", [(9.9, True), (10, False), (1e9, False)]),
    ("~:10", [(-1e9, False), (10, False), (11, True)]),
    ("10:20", [(9, True), (10, False), (20, False), (21, True)]),
    ("@10:20", [(9, False), (10, True), (20, True), (21, False)]),
    ("1:", [(0, True), (1, False), (5, False)]),
]


@pytest.mark.parametrize(("spec", "expectations"), CASES)
def test_range_alerts_like_nagios(spec, expectations):
    rng = Range.parse(spec)
    for value, alerts in expectations:
        assert rng.alerts(value) is alerts, (spec, value)


@pytest.mark.parametrize(
    ("spec", "unit", "text"),
    [
        ("90", "%", "> 90%"),
        ("1:", "count", "< 1"),
        ("2:5", "", "outside 2..5"),
        ("@2:5", "s", "inside 2..5 s"),
    ],
)
def test_range_describes_when_it_alerts(spec, unit, text):
    assert str(Range.parse(spec).describe(unit)) == text


@pytest.mark.parametrize("spec", ["", "abc", "5:1", "1:x"])
def test_bad_range_is_rejected(spec):
    with pytest.raises(ValueError):
        Range.parse(spec)


def test_open_start_is_minus_infinity():
    assert Range.parse("~:3").start == -math.inf
