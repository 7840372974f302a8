"""Sending e-mail over SMTP (plain, STARTTLS or SSL, with optional login) with the stdlib.

Each message is its own delivery: a recipient the server refuses, an address that needs
SMTPUTF8 (a non-ASCII local part) from a server that does not offer it, or a connection the
server drops while taking one message fail that message only; the next message opens a new
connection if need be. Only what stops every message — the server cannot be reached, the
login or the sender is refused — is fatal for a run. smtplib sends with SMTPUTF8 (and
8BITMIME) by itself when an address needs it and the server offers it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app import clock
from app.config import ROOT, Settings

EMAIL_TEMPLATES = ROOT / "templates" / "email"


def email_environment() -> Environment:
    """Jinja2 for the e-mail templates (templates/email): HTML autoescaped (vendor names and
    messages are user input), text as written; the digest and the request e-mails add their
    own filters to their copy."""
    return Environment(
        loader=FileSystemLoader(EMAIL_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class DeliveryError(Exception):
    """A message did not go out; `fatal` when no other message can go out either."""

    def __init__(self, cause: str, *, fatal: bool) -> None:
        super().__init__(cause)
        self.cause = cause
        self.fatal = fatal


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # none | starttls | ssl
    user: str | None
    password: str | None = field(repr=False)  # never in a log line or a traceback
    sender: str
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        """The VETTED_SMTP_* settings (smtp_host must be set)."""
        return cls(
            host=settings.smtp_host or "",
            port=settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            sender=settings.smtp_from,
            timeout=settings.smtp_timeout_seconds,
        )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def compose(*, sender: str, recipient: str, subject: str, text: str, html: str) -> EmailMessage:
    """One message to one recipient: text with an HTML alternative, Message-ID and Date."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.utc_now(), usegmt=True)
    domain = sender.rpartition("@")[2] or "vetted.localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"


class Mailer:
    """One SMTP connection, opened on the first message and reused for the rest."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT if the server still listens; drop the connection either way."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, msg: EmailMessage) -> None:
        """Send one message or raise DeliveryError naming the cause."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = "; ".join(f"{r}: {_smtp_reply(*how)}" for r, how in exc.recipients.items())
            raise DeliveryError(
                f"recipient refused by the SMTP server: {refused}", fatal=False
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(
                f"{msg['To']} needs SMTPUTF8 (an internationalised address), which the SMTP "
                f"server {self.config.address} does not offer",
                fatal=False,
            ) from exc
        except smtplib.SMTPSenderRefused as exc:
            reply = _smtp_reply(exc.smtp_code, exc.smtp_error)
            raise DeliveryError(f"sender {exc.sender} refused: {reply}", fatal=True) from exc
        except smtplib.SMTPResponseException as exc:
            reply = _smtp_reply(exc.smtp_code, exc.smtp_error)
            raise DeliveryError(
                f"message refused by the SMTP server: {reply}", fatal=False
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise DeliveryError(
                f"the SMTP server {self.config.address} dropped the connection while taking "
                f"this message: {exc or type(exc).__name__}",
                fatal=False,
            ) from exc
        finally:
            if self._smtp is not None and self._smtp.sock is None:  # closed by a 421 reply
                self._drop()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        try:
            return _open(c)
        except smtplib.SMTPAuthenticationError as exc:
            reply = _smtp_reply(exc.smtp_code, exc.smtp_error)
            raise DeliveryError(f"SMTP login as {c.user} refused: {reply}", fatal=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise DeliveryError(
                f"cannot reach the SMTP server {c.address}: {reason}", fatal=True
            ) from exc


def _open(c: SmtpConfig) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if c.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
    else:
        smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
    try:
        if c.security == "starttls":
            smtp.starttls(context=context)
        if c.user:
            smtp.login(c.user, c.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp
