"""Byte counts as people read them (binary units), the same in the CLI and in reports."""


def byte_size(size: int) -> str:
    """`512 B`, `2.0 KiB`, `1.5 MiB` ... up to TiB."""
    value, unit = float(size), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
