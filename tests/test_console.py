"""The web console in a real headless Chromium against a real `inspect serve` subprocess
(tests/services/console.py): a duty user's day, the roles, CSRF, lockout and escaping.

Screenshots of each page at 1280 and 390 px wide are kept in .artifacts/console/ (or
$OPSINSPECT_ARTIFACTS) for a person to look at."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.services.console import PASSWORD

ARTIFACTS = Path(os.environ.get("OPSINSPECT_ARTIFACTS", Path(__file__).parents[1] / ".artifacts"))
WIDTHS = (1280, 390)


def _login(tab, console, name: str, password: str = PASSWORD) -> None:
    tab.goto(f"{console.url}/login")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", password)
    tab.click("form[action='/login'] button")


def _shots(tab, name: str) -> None:
    for width in WIDTHS:
        tab.resize(width)
        assert tab.screenshot(ARTIFACTS / "console" / f"{name}-{width}.png")[:4] == b"\x89PNG"
    tab.resize(WIDTHS[0])


def _api(console, method: str, path: str, token: str | None = None, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, object]:
    request = urllib.request.Request(f"{console.url}{path}", data=body, method=method,
                                     headers={**(headers or {})})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text.decode(errors="replace")


@pytest.fixture
def tab(browser):
    opened = browser.tab()
    yield opened
    opened.close()


def _ticket_id(console, state: str | None = None, target: str = "web01") -> int:
    """A ticket of the fixture's run: the disk one is always there (its profile makes every
    filesystem CRITICAL); CPU and load tickets come only when this machine is busy."""
    listed = console.cli("ticket", "list", *(("--state", state) if state else ()), "-f", "json")
    assert listed.returncode == 0, listed.stderr
    return next(t["id"] for t in json.loads(listed.stdout) if t["target"] == target)


def test_a_duty_user_sees_the_critical_target_acks_its_ticket_and_hands_over(
    console_server, tab
):
    _login(tab, console_server, "duty1")
    assert tab.url().rstrip("/") == console_server.url
    row = tab.text("tr.target[data-target=web01]")
    assert "web01" in row and "Critical" in row
    _shots(tab, "dashboard")

    ticket_id = _ticket_id(console_server, "open")
    tab.goto(f"{console_server.url}/tickets/{ticket_id}")
    assert "due" in tab.text("#response-clock")
    _shots(tab, "ticket")
    tab.click("#do-ack")
    assert tab.text("#ticket-state") == "acknowledged"
    clock = tab.text("#response-clock")
    assert "answered" in clock and "met" in clock  # the response clock stopped, in time

    tab.goto(f"{console_server.url}/handover")
    work = tab.text("#handover-work")
    assert f"#{ticket_id}" in work and "duty1" in work and "acknowledged" in work
    _shots(tab, "handover")
    tab.goto(f"{console_server.url}/tickets")
    assert "in " in tab.text(".countdown")  # the running clock as a countdown
    _shots(tab, "tickets")
    assert not tab.errors()


def test_a_duty_user_may_not_publish_the_assessment(console_server, tab):
    _login(tab, console_server, "duty1")
    csrf = tab.evaluate("document.querySelector('input[name=csrf_token]').value")
    status = tab.evaluate(
        "fetch('/api/v1/assessment/2026-11/publish', {method: 'POST', "
        f"headers: {{'X-CSRF-Token': {json.dumps(csrf)}}}}}).then(r => r.status)"
    )
    assert status == 403
    made = console_server.cli("token", "create", "--name", "duty-script", "--role", "duty")
    assert made.returncode == 0, made.stderr
    code, answer = _api(console_server, "POST", "/api/v1/assessment/2026-11/publish",
                        made.stdout.strip())
    assert code == 403 and "publish_assessment" in answer["error"]
    tab.goto(f"{console_server.url}/assessment")
    assert tab.evaluate("document.querySelector('#do-publish')") is None  # not offered either
    _shots(tab, "assessment")


def test_a_manager_publishes_the_assessment(console_server, tab):
    _login(tab, console_server, "boss")
    tab.goto(f"{console_server.url}/assessment?period=2026-11")
    assert "Not published" in tab.text("#assessment-state")
    tab.click("#do-publish")
    assert tab.text("#assessment-state") == "Published"
    assert "team" in tab.text("#scores")
    stored = console_server.cli("score", "--period", "2026-11", "-f", "json")
    assert stored.returncode == 0 and json.loads(stored.stdout)  # the CLI reads it as stored


def test_a_change_without_the_csrf_token_is_refused(console_server, tab):
    _login(tab, console_server, "eng1")
    ticket_id = _ticket_id(console_server)
    status = tab.evaluate(
        f"fetch('/tickets/{ticket_id}/comment', {{method: 'POST', "
        "body: new URLSearchParams({note: 'forged'})}).then(r => r.status)"
    )
    assert status == 403
    log = console_server.cli("ticket", "show", str(ticket_id), "-f", "json")
    assert "forged" not in log.stdout


def test_five_wrong_passwords_lock_the_account(console_server, tab):
    added = console_server.cli("user", "add", "victim", "--role", "duty", "--password-stdin",
                               stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    for _ in range(5):
        _login(tab, console_server, "victim", "wrong password!")
    assert "locked" in tab.text("#login-error")
    _login(tab, console_server, "victim")  # the right password is refused while locked
    assert "locked" in tab.text("#login-error")
    _shots(tab, "login-locked")
    assert console_server.cli("user", "passwd", "victim", "--password-stdin",
                              stdin=PASSWORD + "\n").returncode == 0  # an admin unlocks
    _login(tab, console_server, "victim")
    assert tab.url().rstrip("/") == console_server.url


def test_script_in_a_comment_or_a_title_shows_as_text(console_server, tab):
    payload = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
    opened = console_server.cli("ticket", "open", "--target", "web01", "--title", payload,
                                "--note", "xss test")
    assert opened.returncode == 0, opened.stderr
    _login(tab, console_server, "eng1")
    ticket_id = max(t["id"] for t in json.loads(
        console_server.cli("ticket", "list", "-f", "json").stdout))
    tab.goto(f"{console_server.url}/tickets/{ticket_id}")
    tab.fill("form[action$='/comment'] input[name=note]", payload)
    tab.click("#do-comment")
    assert payload in tab.text("ol.timeline") and payload in tab.text("h1")
    assert tab.evaluate("document.title") != "pwned"
    assert tab.evaluate("document.querySelectorAll('main img, main script').length") == 0
    assert not tab.errors()


def test_api_tokens_work_until_revoked_and_bodies_are_bounded(console_server):
    made = console_server.cli("token", "create", "--name", "zabbix", "--role", "engineer")
    token = made.stdout.strip()
    code, tickets = _api(console_server, "GET", "/api/v1/tickets", token)
    assert code == 200 and any(t["target"] == "web01" for t in tickets)
    code, answer = _api(console_server, "POST", f"/api/v1/tickets/{tickets[0]['id']}/comment",
                        token, b'{"note": "' + b"x" * 300_000 + b'"}')
    assert code == 413
    assert console_server.cli("token", "revoke", "zabbix").returncode == 0
    code, _answer = _api(console_server, "GET", "/api/v1/tickets", token)
    assert code == 401
    code, document = _api(console_server, "GET", "/api/v1/openapi.json")
    assert code == 200 and "/api/v1/tickets/{ticket_id}/{action}" in document["paths"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bind", "8080"], "--bind '8080': expected HOST:PORT"),
        (["--bind", "127.0.0.1:99999"], "expected HOST:PORT"),
        (["--certfile", "pyproject.toml"], "--certfile and --keyfile go together"),
    ],
)
def test_serve_bad_options_are_one_line_and_exit_3(args, message):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "cli", "serve", *args], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).parents[1])
    assert done.returncode == 3 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_records_show_the_patrol_sheet_and_an_engineer_starts_an_inspection(
    console_server, tab
):
    _login(tab, console_server, "eng1")
    tab.goto(f"{console_server.url}/records")
    before = tab.evaluate("document.querySelectorAll('tbody tr a[href^=\"/records/\"]').length")
    assert before >= 1
    _shots(tab, "records")
    tab.click("tbody tr a[href^='/records/']")
    sheet = tab.text("#sheet-web01")
    assert "Filesystem space" in sheet and "Abnormal" in sheet and "Inspected by" in sheet
    _shots(tab, "record")
    tab.goto(f"{console_server.url}/records")
    tab.fill("#start-run select[name=target]", "web01")
    tab.click("#do-run")
    assert "Inspection started" in tab.text("#run-started")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        listed = console_server.cli("records", "list", "-f", "json")
        runs = json.loads(listed.stdout)
        if len(runs) > before and any(r["operator"] == "eng1" for r in runs):
            break
        time.sleep(1)
    else:
        pytest.fail("the inspection started from the console was never stored")
    assert not tab.errors()


def test_a_duty_user_cannot_start_an_inspection(console_server, tab):
    _login(tab, console_server, "duty1")
    tab.goto(f"{console_server.url}/records")
    assert tab.evaluate("document.querySelector('#start-run')") is None
    csrf = tab.evaluate("document.querySelector('input[name=csrf_token]').value")
    status = tab.evaluate(
        "fetch('/records/run', {method: 'POST', body: new URLSearchParams("
        f"{{target: 'web01', csrf_token: {json.dumps(csrf)}}})}}).then(r => r.status)"
    )
    assert status == 403


def test_reports_open_in_the_browser_and_download(console_server, tab):
    _login(tab, console_server, "duty1")
    tab.goto(f"{console_server.url}/reports")
    _shots(tab, "reports")
    tab.click("#report-daily button")
    text = tab.text()
    assert "Daily inspection report" in text and "Patrol sheets" in text and "web01" in text
    assert not tab.errors()  # the report's own CSP admits its inline styles and nothing else
    _shots(tab, "report-daily")
    tab.goto(f"{console_server.url}/reports")
    fetched = tab.evaluate(
        "fetch('/reports/daily?format=json').then(r => r.json())"
        ".then(j => j.sheets.map(s => s.target))"
    )
    assert "web01" in fetched and "appdb" in fetched  # the backup run judged the database


def test_backups_and_a_config_change_side_by_side(console_server, tab):
    _login(tab, console_server, "eng1")
    tab.goto(f"{console_server.url}/backups")
    row = tab.text("#backups")
    assert "appdb" in row and "OK" in row
    _shots(tab, "backups")
    tab.goto(f"{console_server.url}/backups/config/sw01/diff")
    removed = tab.evaluate("[...document.querySelectorAll('#diff td.del')].map(e => e.innerText)")
    added = tab.evaluate("[...document.querySelectorAll('#diff td.add')].map(e => e.innerText)")
    assert any(line.startswith("hostname ") for line in removed)
    assert any(line.startswith("hostname changed-") for line in added)
    assert "! console test" in added
    _shots(tab, "config-diff")
    assert not tab.errors()


def test_a_duty_user_has_no_backups_page(console_server, tab):
    _login(tab, console_server, "duty1")
    tab.goto(f"{console_server.url}/backups")
    assert "may not" in tab.text("#error-message")


def test_a_refusal_is_shown_in_the_readers_language(console_server, tab):
    added = console_server.cli("user", "add", "wangfang", "--role", "duty", "--console-lang",
                               "zh-CN", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    _login(tab, console_server, "wangfang")
    tab.goto(f"{console_server.url}/backups")
    assert tab.text("#error-message").startswith("您的角色（duty）无权执行此操作：")


def test_a_duty_user_files_a_manual_fault_report_with_its_elements(console_server, tab):
    _login(tab, console_server, "duty1")
    tab.goto(f"{console_server.url}/tickets")
    tab.click("#report-fault")
    _shots(tab, "fault-form")
    tab.fill("#fault-form input[name=target]", "web01")
    tab.fill("#fault-form input[name=title]", "Order entry slow for all users")
    tab.fill("#fault-form input[name=occurred]", "2026-12-07T08:10")
    tab.fill("#fault-form input[name=scope]", "all branch offices")
    tab.fill("#fault-form input[name=support]", "DBA on call")
    tab.click("#do-report")
    ticket_id = int(tab.url().rsplit("/", 1)[1])
    report = console_server.cli("report", "fault", str(ticket_id), "-f", "json")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["scope"] == "all branch offices" and data["support_needed"] == "DBA on call"
    assert data["discovered_by"] == "duty1"
    offset = tab.evaluate("new Date().getTimezoneOffset()")
    local = datetime(2026, 12, 7, 8, 10, tzinfo=timezone(timedelta(minutes=-offset)))
    assert datetime.fromisoformat(data["occurred_at"].replace("Z", "+00:00")) == local


def _template_msgids() -> list[str]:
    from babel.messages.extract import extract_from_dir

    method_map = [("**.j2", "jinja2")]
    options = {"**.j2": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(Path(__file__).parents[1] / "web" / "templates", method_map,
                             options_map=options)
    return sorted({message for _file, _line, message, _comments, _context in found
                   if isinstance(message, str)})


def test_zh_cn_pages_show_no_untranslated_label(console_server, tab):
    added = console_server.cli("user", "add", "lihua", "--role", "admin", "--console-lang", "zh-CN",
                               "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    _login(tab, console_server, "lihua")
    english = [m for m in _template_msgids() if len(m) > 3 and m not in ("opsinspect",)]
    ticket_id = _ticket_id(console_server)
    for path in ("/", "/records", "/tickets", f"/tickets/{ticket_id}", "/handover",
                 "/backups", "/reports", "/assessment", "/audit", "/tickets/new"):
        tab.goto(f"{console_server.url}{path}")
        text = tab.text()
        assert "巡检" in text or "工单" in text or "交接班" in text, path
        left = [m for m in english if m in text]
        assert left == [], f"{path}: untranslated {left}"
    _shots(tab, "fault-form-zh-CN")
    tab.goto(f"{console_server.url}/")
    _shots(tab, "dashboard-zh-CN")


def test_the_api_reports_a_fault_and_hands_over(console_server):
    made = console_server.cli("token", "create", "--name", "duty-api", "--role", "duty")
    token = made.stdout.strip()
    body = json.dumps({"target": "web01", "title": "VPN down at branch 3", "grade": "B",
                       "occurred": "2026-12-07T08:10+08:00", "scope": "branch 3"}).encode()
    code, opened = _api(console_server, "POST", "/api/v1/tickets", token, body)
    assert code == 200 and opened["title"] == "VPN down at branch 3", opened
    report = json.loads(console_server.cli("report", "fault", str(opened["id"]), "-f",
                                           "json").stdout)
    assert report["scope"] == "branch 3"
    assert report["occurred_at"].startswith("2026-12-07T00:10")
    code, handed = _api(console_server, "POST", "/api/v1/handover", token, b'{"note": "quiet"}')
    assert code == 200 and opened["id"] in handed["open"]


def test_tls_serves_https_and_marks_the_session_cookie_secure(console_server, tmp_path):
    import ssl
    import subprocess
    import sys

    from tests.services import free_port, port_open, wait_until

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--bind", f"127.0.0.1:{port}", "--certfile",
         str(cert), "--keyfile", str(key), "-i", str(console_server.inventory), "--db",
         console_server.db],
        env=console_server.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: port_open(port), 60, "inspect serve over TLS")
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        request = urllib.request.Request(
            f"https://127.0.0.1:{port}/login", method="POST",
            data=f"name=duty1&password={PASSWORD.replace(' ', '+')}&next=/".encode(),
        )
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), _NoRedirect()
        )
        try:
            opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:  # the 303 after a good login
            cookie = answer.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    finally:
        server.terminate()
        server.wait(timeout=20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
