"""Byte sizes read the same in `inspect backup list/show` and in the daily report."""

import pytest

from core.sizes import byte_size


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (2048, "2.0 KiB"),
        (3 * 1024**2 // 2, "1.5 MiB"),
        (5 * 1024**3, "5.0 GiB"),
        (2 * 1024**4, "2.0 TiB"),
        (3000 * 1024**4, "3000.0 TiB"),
    ],
)
def test_byte_size(size, shown):
    assert byte_size(size) == shown
