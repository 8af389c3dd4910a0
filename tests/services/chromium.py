"""A real headless Chromium for the test session, driven over the DevTools protocol on a pipe.

`--remote-debugging-pipe` speaks CDP on fds 3 (commands in) and 4 (replies out) as NUL-ended
JSON, so no port, websocket library or driver binary is needed. Each page load records console
errors, uncaught exceptions, browser log errors and every request URL.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reports.pdf import QUIET_FLAGS
from tests.services import require_program

TIMEOUT = 60.0


@dataclass
class PageLoad:
    """What happened while one page loaded, and what it looked like."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    text: str = ""
    charts: int = 0
    screenshot: bytes = b""


class Browser:
    def __init__(self, executable: str, profile: Path) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_pipes() -> None:  # runs in the child: CDP expects fds 3 and 4
            # move both ends out of the way first: a pipe may itself sit on fd 3 or 4
            high_in = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.log = profile / "chromium.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    executable,
                    *QUIET_FLAGS,
                    "--hide-scrollbars",
                    f"--user-data-dir={profile / 'profile'}",
                    "--remote-debugging-pipe",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                close_fds=False,  # our own fds are non-inheritable (PEP 446); 3 and 4 are not
                preexec_fn=wire_pipes,
            )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._next_id = 0
        self._inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._from_browser, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for message in messages:
                self._inbox.put(json.loads(message))

    def call(self, method: str, events: list[dict], session: str | None = None, **params) -> dict:
        """Send one command and wait for its reply; events seen meanwhile go to `events`."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._inbox.get(timeout=TIMEOUT)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"CDP {method}: {reply['error']}")
                return reply.get("result", {})
            events.append(reply)

    def wait_for(self, event: str, events: list[dict], session: str) -> None:
        while not any(e.get("method") == event and e.get("sessionId") == session for e in events):
            events.append(self._inbox.get(timeout=TIMEOUT))

    def load(self, page: Path, width: int = 1200) -> PageLoad:
        """Open a file in a fresh tab, wait for its load event, then read and photograph it."""
        events: list[dict] = []
        target = self.call("Target.createTarget", events, url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", events, targetId=target, flatten=True)[
            "sessionId"
        ]
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", events, session)
            self.call(
                "Emulation.setDeviceMetricsOverride",
                events,
                session,
                width=width,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            self.call("Page.navigate", events, session, url=page.as_uri())
            self.wait_for("Page.loadEventFired", events, session)
            result = PageLoad()
            result.text = self._evaluate("document.body.innerText", events, session)
            result.charts = self._evaluate(
                "[...document.querySelectorAll('svg.chart')]"
                ".filter(e => e.getBoundingClientRect().width > 0).length",
                events,
                session,
            )
            metrics = self.call("Page.getLayoutMetrics", events, session)["cssContentSize"]
            shot = self.call(
                "Page.captureScreenshot",
                events,
                session,
                format="png",
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": metrics["height"], "scale": 1},
            )
            result.screenshot = base64.b64decode(shot["data"])
            _collect(result, [e for e in events if e.get("sessionId") == session])
            return result
        finally:
            self.call("Target.closeTarget", events, targetId=target)

    def tab(self, width: int = 1280, height: int = 900) -> Tab:
        """A fresh tab to drive like a user: go to pages, fill forms, click, photograph."""
        return Tab(self, width, height)

    def _evaluate(self, expression: str, events: list[dict], session: str) -> Any:
        reply = self.call(
            "Runtime.evaluate", events, session, expression=expression, returnByValue=True
        )
        return reply["result"].get("value")

    def close(self) -> None:
        try:
            self.call("Browser.close", [])
        except (RuntimeError, queue.Empty, OSError):
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        os.close(self._to_browser)


def _collect(result: PageLoad, events: list[dict]) -> None:
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            result.console_errors.append(
                " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            result.console_errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            result.console_errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            result.requests.append(params["request"]["url"])


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_program("chromium", "chromium-browser")


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless Chromium for the whole session; every load gets its own tab."""
    work = Path(tempfile.mkdtemp(prefix="opsinspect-chromium-"))
    started = Browser(chromium_path, work)
    try:
        yield started
    finally:
        started.close()
        shutil.rmtree(work, ignore_errors=True)


class Tab:
    """One browser tab driven over CDP: navigation waits for the load event; `click` on a
    button that submits a form waits for the page it leads to. Cookies are the browser's."""

    def __init__(self, browser: Browser, width: int, height: int) -> None:
        self.browser = browser
        self.events: list[dict] = []
        self.target = browser.call("Target.createTarget", self.events, url="about:blank")[
            "targetId"
        ]
        self.session = browser.call(
            "Target.attachToTarget", self.events, targetId=self.target, flatten=True
        )["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self._call(f"{domain}.enable")
        self.resize(width, height)

    def _call(self, method: str, **params) -> dict:
        return self.browser.call(method, self.events, self.session, **params)

    def resize(self, width: int, height: int = 900) -> None:
        self.width = width
        self._call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                   deviceScaleFactor=1, mobile=width < 600)

    def _loaded_after(self, mark: int) -> None:
        while not any(
            e.get("method") == "Page.loadEventFired" and e.get("sessionId") == self.session
            for e in self.events[mark:]
        ):
            self.events.append(self.browser._inbox.get(timeout=TIMEOUT))

    def goto(self, url: str) -> None:
        mark = len(self.events)
        self._call("Page.navigate", url=url)
        self._loaded_after(mark)

    def evaluate(self, expression: str) -> Any:
        reply = self._call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"page script failed: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def fill(self, selector: str, value: str) -> None:
        found = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            f" if (!e) return false; e.value = {json.dumps(value)}; return true; }})()"
        )
        assert found, f"no element {selector!r} on {self.url()}"

    def click(self, selector: str, navigates: bool = True) -> None:
        mark = len(self.events)
        found = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            f" if (!e) return false; e.click(); return true; }})()"
        )
        assert found, f"no element {selector!r} on {self.url()}"
        if navigates:
            self._loaded_after(mark)

    def text(self, selector: str = "body") -> str:
        return self.evaluate(
            f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText"
        )

    def html(self) -> str:
        return self.evaluate("document.documentElement.outerHTML")

    def url(self) -> str:
        return self.evaluate("location.href")

    def screenshot(self, path: Path) -> bytes:
        metrics = self._call("Page.getLayoutMetrics")["cssContentSize"]
        shot = self._call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": self.width,
                                "height": metrics["height"], "scale": 1})
        data = base64.b64decode(shot["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

    def errors(self) -> list[str]:
        result = PageLoad()
        _collect(result, [e for e in self.events if e.get("sessionId") == self.session])
        return result.console_errors

    def close(self) -> None:
        self.browser.call("Target.closeTarget", [], targetId=self.target)
