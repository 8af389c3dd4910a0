from datetime import timedelta

import pytest

from settings.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("26h", 93600), ("7d", 604800), ("2w", 1209600),
     ("1d12h", 129600), ("2h 30m", 9000), ("1.5h", 5400), ("15min", 900), (60, 60)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "text", ["", "4", "4x", "h", "0h", "-1h", "4h!", 0, "99999999999w", float("inf"), float("nan")]
)
def test_bad_durations(text):
    with pytest.raises(ValueError, match="duration such as"):
        parse_duration(text)
