"""HTML to PDF with headless Chromium: the browser the report was designed in also prints it.

Chromium runs with a fresh throw-away profile and every background service off, so printing
never phones home, never touches the user's browser profile and works offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from core.errors import UserError
from core.phrases import phrase

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_SECONDS = 120


def chromium() -> str:
    """INSPECT_CHROMIUM if set, else the first Chromium-family browser on PATH."""
    configured = os.environ.get("INSPECT_CHROMIUM")
    found = (
        shutil.which(configured)
        if configured
        else next((path for path in map(shutil.which, CANDIDATES) if path), None)
    )
    if not found:
        wanted = configured or " or ".join(CANDIDATES)
        raise UserError(
            phrase(
                "PDF output needs Chromium ({wanted} not found); install it (apt install "
                "chromium) or set INSPECT_CHROMIUM, or use --format html and print from a browser",
                wanted=wanted,
            )
        )
    return found


def html_to_pdf(html: str) -> bytes:
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="inspect-pdf-") as work:
        page, pdf = Path(work, "report.html"), Path(work, "report.pdf")
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            *QUIET_FLAGS,
            f"--user-data-dir={Path(work, 'profile')}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise UserError(
                phrase(
                    "Chromium ({browser}) did not print the report within {seconds} s",
                    browser=browser,
                    seconds=TIMEOUT_SECONDS,
                )
            ) from None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise UserError(
                phrase(
                    "Chromium ({browser}) could not print the report: {reason}",
                    browser=browser,
                    reason=reason,
                )
            )
        return pdf.read_bytes()
