"""A disk filesystem mounted read-only that /etc/fstab wants writable: the kernel remounts ext4
read-only after an error, and every write on it fails from then on."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase


def _what(sample, _samples, _context):
    mount = sample.label("mount", "?")
    if sample.label("mode") == "ro":
        return phrase("{mount} is read-only, which /etc/fstab does not ask for", mount=mount)
    if sample.label("mode") == "ro-fstab":
        return phrase("{mount} is read-only as /etc/fstab asks", mount=mount)
    return phrase("{mount} is writable", mount=mount)


READ_ONLY_FS_CHECK = ThresholdCheck(
    name=names.CHECK_READ_ONLY_FS,
    metric=names.FS_READ_ONLY,
    subject=lambda sample: sample.label("mount", "?"),
    what=_what,
    hint=phrase(
        "Find why it went read-only: `dmesg | grep -iE 'ext4|xfs|i/o error'`; check the disk "
        "(`smartctl -a`), run fsck at a maintenance window, then `mount -o remount,rw`."
    ),
)
