"""Email over SMTP: multipart text + HTML, per-severity recipients, one Message-ID per alert.

``security`` is ``starttls`` (default, port 587), ``tls`` (implicit TLS, port 465) or ``none`` (plain,
for local relays and test servers). Recipients are ``to`` plus every ``to_by_severity`` list whose key is
at or below the alert's severity (``"3" = [manager]`` reaches the manager for high and critical).

The Message-ID is derived from the idempotency key, so a resend after a crash carries the same ID and
receivers (and our tests) can drop the duplicate; later events of an incident reply to the first
message (In-Reply-To/References) so mail clients thread them. ``smtp_send`` is the transport alone,
for other mail such as the daily digest.
"""

from __future__ import annotations

import hashlib
import ipaddress
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from typing import Literal

from pydantic import Field, field_validator, model_validator

from alerts.base import AlertMessage, Notifier, NotifierOptions, Receipt
from alerts.render import alert_view, render_html, render_text, subject_line
from monitor.errors import DeliveryError
from monitor.links import ACTION_WORDS
from monitor.net_words import unreachable
from monitor.secrets import Secret

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
LINK_LABELS = (("open", "Open in Groundswell"), *ACTION_WORDS.items())
NO_ACTION_EVENTS = frozenset({"resolved", "test", "digest"})  # nothing left to acknowledge or judge


class EmailOptions(NotifierOptions):
    host: str = Field(min_length=1)
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: Secret | None = None
    from_addr: str = Field(min_length=3)
    from_name: str = "Groundswell"
    to: list[str] = []
    to_by_severity: dict[str, list[str]] = {}
    subject_prefix: str = "[Groundswell]"
    timeout_s: float = Field(15.0, gt=0, le=300)
    ca_file: str | None = None  # extra CA bundle, e.g. a company relay's private CA
    examples: int = Field(3, ge=0, le=10)

    @field_validator("host")
    @classmethod
    def _host_alone(cls, value: str) -> str:
        """"smtp.example.com:587" or "smtps://..." would be looked up as a name and fail as "server not found"."""
        value = value.strip()
        with suppress(ValueError):
            return str(ipaddress.ip_address(value.strip("[]")))
        name, colon, port = value.rpartition(":") if "://" not in value else ("", "", "")
        if colon and port.isdigit() and name:
            raise ValueError(f"give the server's name alone: host = \"{name}\" and port = {port}")
        if not value or any(c in value for c in ":/@") or any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is not a server name: give it alone, e.g. host = \"smtp.example.com\"")
        return value

    @field_validator("to_by_severity")
    @classmethod
    def _severity_keys(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for key in value:
            if key not in {"1", "2", "3", "4"}:
                raise ValueError(f"severity keys are \"1\"..\"4\", got {key!r}")
        return value

    @model_validator(mode="after")
    def _check(self) -> EmailOptions:
        if not self.to and not any(self.to_by_severity.values()):
            raise ValueError("give at least one recipient in `to` or `to_by_severity`")
        if (self.username is None) != (self.password is None):
            raise ValueError("`username` and `password` go together")
        for addr in [self.from_addr, *self.to, *(a for lst in self.to_by_severity.values() for a in lst)]:
            if "@" not in parseaddr(addr)[1] or any(c in addr for c in "\r\n"):
                raise ValueError(f"not an email address: {addr!r}")
        return self

    def recipients(self, severity: int) -> list[str]:
        out = list(self.to)
        for key in sorted(self.to_by_severity):
            if int(key) <= severity:
                out.extend(self.to_by_severity[key])
        return list(dict.fromkeys(out))  # de-duplicated, order kept


def message_id(idempotency_key: str, from_addr: str) -> str:
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    domain = parseaddr(from_addr)[1].rpartition("@")[2] or "groundswell.invalid"
    return f"<gs-{digest}@{domain}>"


def build_email(opts: EmailOptions, message: AlertMessage, idempotency_key: str, to: list[str],
                in_reply_to: str = "", links: dict[str, str] | None = None) -> EmailMessage:
    """The alert mail; ``links`` (action -> URL, from the runtime's ActionLinks) become one-click buttons."""
    view = alert_view(message, max_examples=opts.examples)
    msg = EmailMessage()
    msg["Subject"] = subject_line(view, opts.subject_prefix)
    msg["From"] = formataddr((opts.from_name, opts.from_addr))
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(idempotency_key, opts.from_addr)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Groundswell-Incident"] = str(message.incident_id)
    msg["X-Groundswell-Severity"] = str(message.severity)
    msg["X-Groundswell-Event"] = view.event
    shown = {"links": links or {}, "link_labels": LINK_LABELS}
    msg.set_content(render_text(view, **shown))
    msg.add_alternative(render_html(view, **shown), subtype="html")
    return msg


class EmailNotifier(Notifier[EmailOptions]):
    kind = "email"
    Options = EmailOptions

    def __init__(self, channel_id: str, options: EmailOptions) -> None:
        super().__init__(channel_id, options)

    def send(self, message: AlertMessage, *, idempotency_key: str) -> Receipt:
        to = self.options.recipients(message.severity)
        if not to:
            return Receipt(channel=self.channel_id, extra={"skipped": f"no recipients for severity "
                                                                     f"{message.severity}"})
        earlier = message.thread.get(self.channel_id, "")
        links = ({} if self.links is None or message.event in NO_ACTION_EVENTS
                 else self.links.email_links(message.incident_id, message.alert_id))
        msg = build_email(self.options, message, idempotency_key, to, in_reply_to=earlier, links=links)
        refused = smtp_send(self.options, msg, to, channel=self.channel_id)
        # The first message of the incident stays the thread root for later events.
        extra = {"refused": ", ".join(sorted(refused))} if refused else {}
        return Receipt(channel=self.channel_id, message_id=earlier or str(msg["Message-ID"]), extra=extra)

    def check(self) -> str:
        return smtp_check(self.options, channel=self.channel_id)

    def deliver(self, msg: EmailMessage, *, idempotency_key: str, severity: int = 1) -> dict[str, str]:
        """Send a ready-made message (e.g. the daily digest) through this channel's server and
        recipients for ``severity``; fills From/To/Date/Message-ID when missing. Returns refusals."""
        to = self.options.recipients(severity)
        if not to:
            return {}
        for name, value in (("From", formataddr((self.options.from_name, self.options.from_addr))),
                            ("To", ", ".join(to)), ("Date", formatdate(localtime=False)),
                            ("Message-ID", message_id(idempotency_key, self.options.from_addr))):
            if msg[name] is None:
                msg[name] = value
        return smtp_send(self.options, msg, to, channel=self.channel_id)


def smtp_send(opts: EmailOptions, msg: EmailMessage, to: list[str], *, channel: str) -> dict[str, str]:
    """One SMTP attempt. Returns refused recipients (others got it); raises DeliveryError otherwise."""
    with smtp_errors(opts, channel), smtp_session(opts) as smtp:
        refused = smtp.send_message(msg, from_addr=opts.from_addr, to_addrs=to)
    return {addr: f"{code} {_text(text)}" for addr, (code, text) in refused.items()}


def smtp_check(opts: EmailOptions, *, channel: str) -> str:
    """Connect, EHLO, STARTTLS and log in as a send would, then quit without sending."""
    with smtp_errors(opts, channel), smtp_session(opts) as smtp:
        smtp.ehlo_or_helo_if_needed()
    steps = ["EHLO", *(["STARTTLS"] if opts.security == "starttls" else []), *(["login"] if opts.username else [])]
    return f"{opts.host}:{opts.port or DEFAULT_PORTS[opts.security]} accepted {', '.join(steps)}"


@contextmanager
def smtp_session(opts: EmailOptions) -> Iterator[smtplib.SMTP]:
    port = opts.port or DEFAULT_PORTS[opts.security]
    context = ssl.create_default_context(cafile=opts.ca_file)
    with _connect(opts, port, context) as smtp:
        if opts.security == "starttls":
            smtp.starttls(context=context)
        if opts.username and opts.password is not None:
            smtp.login(opts.username, opts.password.get_secret_value())
        yield smtp


@contextmanager
def smtp_errors(opts: EmailOptions, channel: str) -> Iterator[None]:
    """SMTP and network failures as DeliveryError: 4xx and network trouble transient, the rest permanent."""
    port = opts.port or DEFAULT_PORTS[opts.security]
    try:
        yield
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        transient = bool(codes) and all(400 <= c < 500 for c in codes)
        raise DeliveryError(channel, f"smtp: all recipients refused ({codes})", transient=transient) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(channel, f"smtp: {exc} (check `security`)", transient=False) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(channel, f"smtp: {exc.smtp_code} {_text(exc.smtp_error)}",
                            transient=400 <= exc.smtp_code < 500) from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(channel, f"smtp: TLS certificate not trusted: {exc.verify_message}",
                            transient=False) from None
    except (smtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryError(channel, "smtp: " + unreachable(exc, f"{opts.host}:{port}"),
                            transient=True) from None


def _connect(opts: EmailOptions, port: int, context: ssl.SSLContext) -> smtplib.SMTP:
    if opts.security == "tls":
        return smtplib.SMTP_SSL(opts.host, port, timeout=opts.timeout_s, context=context)
    return smtplib.SMTP(opts.host, port, timeout=opts.timeout_s)


def _text(value: bytes | str) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else value)[:200]
