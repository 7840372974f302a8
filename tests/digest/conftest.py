"""A real SMTP server on 127.0.0.1 (aiosmtpd), the demo data, and settings pointing at both."""

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from aiosmtpd.smtp import AuthResult, LoginPassword

from app import config
from app.db import session_scope
from app.seed import load_demo

SMTP_USER, SMTP_PASSWORD = "vetted", "s3cret-relay"
TEAM = "tprm@example.com"
DEMO_DAY = date(2026, 6, 15)  # the suite's TEST_TODAY


def free_port() -> int:
    """A port nobody listens on (aiosmtpd cannot take port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Capture(Message):
    """Keeps every message; refuses the recipients in `refuse` with a 550."""

    def __init__(self) -> None:
        super().__init__(message_class=EmailMessage)
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def handle_message(self, message) -> None:
        parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        self.messages.append(parsed)


class SmtpServer:
    """aiosmtpd's controller on a fixed free port that can be stopped and started again."""

    def __init__(self, **smtp_options) -> None:
        self.port = free_port()
        self.handler = Capture()
        self.options = smtp_options
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope named `address`."""
        return [m for m in self.messages if address in m["X-RcptTo"].lower().split(", ")]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on 127.0.0.1."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def _configure(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"VETTED_{name.upper()}", value)
    config.get_settings.cache_clear()


@pytest.fixture
def configure(monkeypatch) -> Callable[..., None]:
    """configure(name=value, …): set VETTED_<NAME> variables and re-read the settings."""
    return lambda **values: _configure(monkeypatch, **values)


@pytest.fixture
def smtp_settings(database_url, smtp_server, monkeypatch) -> SmtpServer:
    """Settings pointing at the test SMTP server, with the TPRM team as the recipient."""
    _configure(
        monkeypatch,
        smtp_host="127.0.0.1",
        smtp_port=str(smtp_server.port),
        smtp_security="none",
        smtp_from="vetted@example.org",
        smtp_timeout_seconds="5",
        digest_to=TEAM,
        digest_owners="false",
        base_url="https://vetted.example.org",
    )
    return smtp_server


@pytest.fixture
def demo(database_url) -> list[str]:
    """The demo vendors, loaded as if today were 2026-06-15."""
    with session_scope() as session:
        return load_demo(session=session, today=DEMO_DAY)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(tls_files, monkeypatch) -> Iterator[Callable[..., SmtpServer]]:
    """tls_server(implicit=False): a server with STARTTLS (or SSL) and a login, trusted by
    the client through SSL_CERT_FILE, as a private CA would be."""
    cert, key = tls_files
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    servers: list[SmtpServer] = []

    def start(*, implicit: bool = False) -> SmtpServer:
        # Over implicit TLS aiosmtpd does not know the session is encrypted: allow AUTH anyway.
        tls = {"ssl_context": context, "auth_require_tls": False} if implicit else {}
        tls = tls or {"tls_context": context}
        server = SmtpServer(**tls, authenticator=_authenticator, auth_required=True)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """Accepts SMTP_USER / SMTP_PASSWORD only."""
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (SMTP_USER, SMTP_PASSWORD)
    return AuthResult(success=ok, handled=False)
