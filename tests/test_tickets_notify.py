"""Notifications reach a real SMTP server (STARTTLS + login) and a real HTTP receiver; a dead
receiver is retried with backoff and recorded, and the ticket is never lost."""

import base64
import hashlib
import hmac
import logging
from email import message_from_bytes
from urllib.parse import parse_qs, urlsplit

import tickets
from core.status import Status
from records.tickets import list_tickets, notifications
from tests.services.webhook import Receiver
from tests.test_tickets_support import estate, hook_estate

DISK = "web01|disk|/var"
DING_SECRET, FEISHU_SECRET = "SECding-0a1b2c", "feishu-sign-9z8y"


def channels_inventory(http, smtp) -> str:
    return f"""
hosts: {{web01: {{labels: {{criticality: high}}}}}}
tickets:
  open_after: 1
  resolve_after: 1
  channels:
    hook: {{type: webhook, url: env:HOOK_URL}}
    ding: {{type: dingtalk, url: "{http}/robot/send?access_token=ding-tok-123",
            secret: env:DING_SECRET}}
    wecom: {{type: wecom, url: "{http}/cgi-bin/webhook/send?key=wecom-key-456"}}
    feishu: {{type: feishu, url: "{http}/open-apis/bot/v2/hook/abc", secret: env:FEISHU_SECRET}}
    mail: {{type: email, host: {smtp.host}, port: {smtp.port}, username: {smtp.username},
            password: env:SMTP_PASSWORD, from: inspect@example.com, to: [duty@example.com],
            ca_file: {smtp.ca_file}}}
  notify:
    - {{channel: hook}}
    - {{channel: ding}}
    - {{channel: wecom}}
    - {{channel: feishu}}
    - {{channel: mail, events: [open, resolve]}}
  escalation:
    - {{name: line1}}
    - {{name: line2, channels: [mail]}}
    - {{name: vendor}}
"""


def by_path(received):
    return {urlsplit(path).path: (path, body) for path, _headers, body in received}


def test_open_escalate_resolve_reach_every_channel(
    tmp_path, monkeypatch, http_receiver, smtp_server
):
    monkeypatch.setenv("HOOK_URL", f"{http_receiver.url}/hooks/ops?token=hook-tok-789")
    monkeypatch.setenv("DING_SECRET", DING_SECRET)
    monkeypatch.setenv("FEISHU_SECRET", FEISHU_SECRET)
    monkeypatch.setenv("SMTP_PASSWORD", smtp_server.password)
    smtp_server.messages.clear()
    e = estate(tmp_path, channels_inventory(http_receiver.url, smtp_server))

    e.inspect({DISK: Status.CRITICAL})
    [ticket] = list_tickets(e.engine)
    got = by_path(http_receiver.received)
    assert set(got) == {
        "/hooks/ops",
        "/robot/send",
        "/cgi-bin/webhook/send",
        "/open-apis/bot/v2/hook/abc",
    }
    hook = got["/hooks/ops"][1]
    assert (hook["event"], hook["ticket"]["id"], hook["ticket"]["grade"]) == (
        "open",
        ticket.id,
        "A",
    )
    assert hook["ticket"]["fingerprint"] == DISK and hook["ticket"]["response_due"].endswith("Z")

    ding_path, ding = got["/robot/send"]
    query = parse_qs(urlsplit(ding_path).query)
    expected = hmac.new(
        DING_SECRET.encode(), f"{query['timestamp'][0]}\n{DING_SECRET}".encode(), hashlib.sha256
    ).digest()
    assert base64.b64decode(query["sign"][0]) == expected
    assert ding["msgtype"] == "markdown" and f"#{ticket.id}" in ding["markdown"]["title"]

    wecom = got["/cgi-bin/webhook/send"][1]
    assert wecom["msgtype"] == "markdown" and "web01" in wecom["markdown"]["content"]

    feishu = got["/open-apis/bot/v2/hook/abc"][1]
    key = f"{feishu['timestamp']}\n{FEISHU_SECRET}".encode()
    assert base64.b64decode(feishu["sign"]) == hmac.new(key, b"", hashlib.sha256).digest()
    assert feishu["msg_type"] == "text" and "[OPEN]" in feishu["content"]["text"]

    [envelope] = smtp_server.messages
    mail = message_from_bytes(envelope.content)
    assert envelope.rcpt_tos == ["duty@example.com"]
    assert mail["Subject"] == f"[OPEN] #{ticket.id} grade A web01: {ticket.title}"

    http_receiver.received.clear()
    e.clock.advance(minutes=16)  # nobody acknowledged: response SLA breached
    swept = tickets.sweep(e.engine, e.inventory, e.clock)
    assert [(x.deadline, x.level) for x in swept.escalations] == [("response", "line2")]
    assert {body["event"] for _p, _h, body in http_receiver.received if "event" in body} == {
        "escalate"
    }
    assert message_from_bytes(smtp_server.messages[-1].content)["Subject"].startswith(
        f"[ESCALATED to line2] #{ticket.id}"
    )

    http_receiver.received.clear()
    e.inspect({DISK: Status.OK})
    assert by_path(http_receiver.received)["/hooks/ops"][1]["event"] == "resolve"
    assert message_from_bytes(smtp_server.messages[-1].content)["Subject"].startswith("[RESOLVED]")
    sent = notifications(e.engine, ticket.id)
    assert len(sent) == 5 + 5 + 5 and {n.status for n in sent} == {"delivered"}


def test_receiver_down_is_retried_with_backoff_and_the_ticket_stays(tmp_path, monkeypatch, caplog):
    down = Receiver()  # a port nobody listens on yet
    monkeypatch.setenv("HOOK_URL", f"{down.url}/hook?access_token=tok-SECRET-999")
    e = hook_estate(tmp_path, timeout=2, attempts=3, events="[open, escalate, resolve]")
    with caplog.at_level(logging.WARNING, logger="opsinspect.tickets"):
        e.inspect({DISK: Status.CRITICAL})
    [ticket] = list_tickets(e.engine)
    assert ticket.state == "open"
    [n] = notifications(e.engine)
    assert (n.status, n.attempts) == ("pending", 1)
    assert "refused" in n.last_error.lower() and "/hook?…" in n.last_error
    assert "tok-SECRET-999" not in n.last_error + caplog.text
    assert "attempt 1" in caplog.text

    down.start()
    try:
        e.clock.advance(seconds=30)
        tickets.sweep(e.engine, e.inventory, e.clock)
        assert down.received == []  # backoff: not yet due
        e.clock.advance(seconds=31)
        result = tickets.sweep(e.engine, e.inventory, e.clock)
        assert [d.status for d in result.deliveries] == ["delivered"]
        [(path, _headers, body)] = down.received
        assert path == "/hook?access_token=tok-SECRET-999" and body["ticket"]["id"] == ticket.id
        [n] = notifications(e.engine)
        assert (n.status, n.attempts, n.last_error) == ("delivered", 2, "")
    finally:
        down.stop()


def test_retries_are_bounded_then_recorded_as_failed(tmp_path, monkeypatch):
    down = Receiver()
    monkeypatch.setenv("HOOK_URL", f"{down.url}/hook")
    e = hook_estate(tmp_path, timeout=2, attempts=2)
    e.inspect({DISK: Status.CRITICAL})
    e.clock.advance(minutes=1)
    tickets.sweep(e.engine, e.inventory, e.clock)
    e.clock.advance(hours=1)
    assert tickets.sweep(e.engine, e.inventory, e.clock).deliveries == []
    [n] = notifications(e.engine)
    assert (n.status, n.attempts) == ("failed", 2)
    assert list_tickets(e.engine)[0].state == "open"


def test_robot_refusal_and_bad_smtp_login_are_recorded_without_secrets(
    tmp_path, monkeypatch, http_receiver, smtp_server
):
    http_receiver.reply = {"errcode": 310000, "errmsg": "keywords not in content"}
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-password-xyz")
    e = estate(
        tmp_path,
        f"""
hosts: {{web01: {{}}}}
tickets:
  open_after: 1
  channels:
    ding: {{type: dingtalk, url: "{http_receiver.url}/robot/send?access_token=ding-tok-123"}}
    wecom: {{type: wecom, url: env:WECOM_URL_NOT_SET}}
    mail: {{type: email, host: {smtp_server.host}, port: {smtp_server.port}, username: duty,
            password: env:SMTP_PASSWORD, from: a@example.com, to: [b@example.com],
            ca_file: {smtp_server.ca_file}}}
  notify: [{{channel: ding}}, {{channel: mail}}, {{channel: wecom}}]
""",
    )
    e.inspect({DISK: Status.CRITICAL})
    errors = {n.channel: n.last_error for n in notifications(e.engine)}
    assert "refused (errcode=310000: keywords not in content)" in errors["ding"]
    assert "login as duty refused (535)" in errors["mail"]
    assert errors["wecom"] == (
        "credential env:WECOM_URL_NOT_SET: environment variable WECOM_URL_NOT_SET is not set"
    )
    text = " ".join(errors.values())
    assert "ding-tok-123" not in text and "wrong-password-xyz" not in text
