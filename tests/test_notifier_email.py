"""Email notifier against a real SMTP server (aiosmtpd): plain, STARTTLS + auth, implicit TLS, failures."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import ValidationError

from alerts.email import EmailNotifier, EmailOptions, message_id
from monitor.errors import DeliveryError
from tests.fakes.alert_messages import sample_message
from tests.fakes.smtp import FakeSMTP, self_signed_cert


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


def options(server: FakeSMTP, **extra: object) -> EmailOptions:
    base: dict[str, object] = {"host": "127.0.0.1", "port": server.port, "security": "none",
                               "from_addr": "alerts@brightwave.example", "to": ["team@brightwave.example"],
                               "to_by_severity": {"3": ["manager@brightwave.example"],
                                                  "4": ["cto@brightwave.example"]}, "timeout_s": 5}
    return EmailOptions.model_validate({**base, **extra})


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_multipart_alternative_with_escaped_html(smtp: FakeSMTP) -> None:
    receipt = EmailNotifier("mail", options(smtp)).send(sample_message(), idempotency_key="gs-7-mail")
    [got] = smtp.received
    msg = got.message
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    text, html = parts(msg)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;!channel&gt; click &lt;http://evil.example|here&gt;" in html
    assert 'href="javascript:' not in html and 'href="https://x.com/mallory/status/1"' in html
    assert "41 negative mentions from 33 people" in text and "https://x.com/mallory/status/1" in text
    assert "Categories: outage 30, billing 5" in text
    assert msg["Subject"].strip().startswith("[Groundswell] [HIGH] Brightwave & Co: Outage complaints spiking <!here>")
    assert msg["Message-ID"] == message_id("gs-7-mail", "alerts@brightwave.example") == receipt.message_id
    assert msg["Auto-Submitted"] == "auto-generated" and msg["X-Groundswell-Incident"] == "3"
    assert got.mail_from == "alerts@brightwave.example"


def test_recipients_by_severity(smtp: FakeSMTP) -> None:
    notifier = EmailNotifier("mail", options(smtp))
    for severity in (2, 3, 4):
        notifier.send(sample_message(severity=severity), idempotency_key=f"k{severity}")
    assert [sorted(r.rcpt_tos) for r in smtp.received] == [
        ["team@brightwave.example"],
        ["manager@brightwave.example", "team@brightwave.example"],
        ["cto@brightwave.example", "manager@brightwave.example", "team@brightwave.example"],
    ]


def test_no_recipient_for_this_severity_sends_nothing(smtp: FakeSMTP) -> None:
    notifier = EmailNotifier("mail", options(smtp, to=[]))
    receipt = notifier.send(sample_message(severity=2), idempotency_key="k")
    assert smtp.received == [] and "no recipients" in receipt.extra["skipped"]


def test_same_key_same_message_id_and_later_events_thread(smtp: FakeSMTP) -> None:
    notifier = EmailNotifier("mail", options(smtp))
    first = notifier.send(sample_message(), idempotency_key="k1")
    again = notifier.send(sample_message(), idempotency_key="k1")  # a resend after a crash
    later = notifier.send(sample_message(event="escalated", severity=4, thread={"mail": first.message_id}),
                          idempotency_key="k2")
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert ids[0] == ids[1] != ids[2]
    assert again.message_id == first.message_id and later.message_id == first.message_id
    assert smtp.received[2].message["In-Reply-To"] == first.message_id
    assert smtp.received[2].message["Subject"].strip().startswith("[Groundswell] Escalated: [CRITICAL]")


def test_starttls_with_auth(cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeSMTP(tls="starttls", auth=("alerts", "s3cret"), cert=cert).start()
    try:
        monkeypatch.setenv("GS_TEST_SMTP_PASSWORD", "s3cret")
        opts = options(server, security="starttls", ca_file=str(cert[0]), username="alerts",
                       password={"env": "GS_TEST_SMTP_PASSWORD"})
        EmailNotifier("mail", opts).send(sample_message(), idempotency_key="k")
        assert len(server.received) == 1
        monkeypatch.setenv("GS_TEST_SMTP_PASSWORD", "wrong")
        bad = options(server, security="starttls", ca_file=str(cert[0]), username="alerts",
                      password={"env": "GS_TEST_SMTP_PASSWORD"})
        with pytest.raises(DeliveryError) as err:
            EmailNotifier("mail", bad).send(sample_message(), idempotency_key="k")
        assert not err.value.transient and "535" in str(err.value) and "wrong" not in str(err.value)
    finally:
        server.stop()


def test_implicit_tls_and_untrusted_certificate(cert: tuple[Path, Path]) -> None:
    server = FakeSMTP(tls="tls", cert=cert).start()
    try:
        EmailNotifier("mail", options(server, security="tls", ca_file=str(cert[0]))).send(
            sample_message(), idempotency_key="k")
        assert len(server.received) == 1
        with pytest.raises(DeliveryError) as err:  # without our CA the self-signed cert is refused
            EmailNotifier("mail", options(server, security="tls")).send(sample_message(), idempotency_key="k")
        assert not err.value.transient and "certificate" in str(err.value)
    finally:
        server.stop()


def test_server_down_then_back(smtp: FakeSMTP) -> None:
    notifier = EmailNotifier("mail", options(smtp))
    smtp.stop()
    with pytest.raises(DeliveryError) as err:
        notifier.send(sample_message(), idempotency_key="k")
    assert err.value.transient
    smtp.start()
    notifier.send(sample_message(), idempotency_key="k")
    assert len(smtp.received) == 1


@pytest.mark.parametrize(("reply", "transient"), [("451 4.3.0 try again later", True),
                                                  ("554 5.6.0 message rejected", False)])
def test_data_rejection_mapping(smtp: FakeSMTP, reply: str, transient: bool) -> None:
    smtp.data_reply = reply
    with pytest.raises(DeliveryError) as err:
        EmailNotifier("mail", options(smtp)).send(sample_message(), idempotency_key="k")
    assert err.value.transient is transient and reply[:3] in str(err.value)


def test_recipient_rejections(smtp: FakeSMTP) -> None:
    smtp.reject_rcpt["manager@brightwave.example"] = "550 5.1.1 no such user"
    receipt = EmailNotifier("mail", options(smtp)).send(sample_message(), idempotency_key="k")
    assert smtp.received[0].rcpt_tos == ["team@brightwave.example"]  # the others still get it
    assert "manager@brightwave.example" in receipt.extra["refused"]
    smtp.reject_rcpt["team@brightwave.example"] = "550 5.1.1 no such user"
    with pytest.raises(DeliveryError) as err:
        EmailNotifier("mail", options(smtp)).send(sample_message(), idempotency_key="k2")
    assert not err.value.transient
    smtp.reject_rcpt.update({"team@brightwave.example": "450 mailbox busy",
                             "manager@brightwave.example": "451 try later"})
    with pytest.raises(DeliveryError) as err:
        EmailNotifier("mail", options(smtp)).send(sample_message(), idempotency_key="k3")
    assert err.value.transient


def test_options_validation() -> None:
    good = {"host": "h", "from_addr": "a@b.example", "to": ["c@d.example"]}
    assert EmailOptions.model_validate(good).port is None
    for bad in ({"to": []}, {"to_by_severity": {"5": ["x@y.example"]}}, {"to": ["not-an-address"]},
                {"username": "u"}, {"password": "literal"}, {"smtp_host": "typo"},
                {"to": ["a@b.example\r\nBcc: evil@x.example"]}):
        with pytest.raises(ValidationError):
            EmailOptions.model_validate({**good, **bad})


def test_deliver_sends_a_ready_made_message(smtp: FakeSMTP) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Daily digest"
    msg.set_content("text")
    msg.add_alternative("<p>html</p>", subtype="html")
    EmailNotifier("mail", options(smtp)).deliver(msg, idempotency_key="digest-2026-11-23", severity=1)
    [got] = smtp.received
    assert got.rcpt_tos == ["team@brightwave.example"] and got.message["Subject"] == "Daily digest"
    assert got.message["Message-ID"] == message_id("digest-2026-11-23", "alerts@brightwave.example")
