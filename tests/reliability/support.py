"""Helpers for the reliability tests: data, tokens, a real server in a subprocess, counts."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from conftest import TEST_TODAY
from sqlalchemy import create_engine, inspect, text

from app import db
from app.auth.roles import Role
from app.auth.tokens import create_token
from app.config import ROOT

# What the reliability tests did, printed at the end of the run (see conftest.py).
COUNTS: Counter[str] = Counter()
OPERATIONS: Counter[str] = Counter()  # generated cases per API operation
CLOSED: set[str] = set()  # issue 14's probe findings whose regression tests passed
KEEP_TABLES = ("alembic_version", "api_tokens", "users", "web_sessions")
VETTED = Path(sys.executable).parent / "vetted"  # the console script of this environment


def make_token(role: str, name: str | None = None) -> str:
    """A new API token with `role`; returns the plaintext."""
    with db.session_scope() as session:
        _, plaintext = create_token(
            session=session, name=name or f"rel-{role}-{time.monotonic_ns()}", role=Role(role),
            actor="test",
        )  # fmt: skip
    return plaintext


def finding_closed(item: str) -> None:
    """Count a probe finding of issue 14 once, however many of its tests pass."""
    if item not in CLOSED:
        CLOSED.add(item)
        COUNTS["probe findings closed"] += 1


def load_demo_data() -> None:
    """The demo vendors, their evidence and waivers, as of TEST_TODAY."""
    from app.seed import load_demo

    with db.session_scope() as session:
        load_demo(session=session, today=TEST_TODAY)


def wipe(url: str) -> None:
    """Empty every data table (tokens, users and their sessions stay), ids starting at 1."""
    engine = create_engine(url)
    tables = [t for t in inspect(engine).get_table_names() if t not in KEEP_TABLES]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def pdf_bytes(text: str = "SOC 2 Type II report of Example Cloud") -> bytes:
    """A small real PDF with a line of text."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """`vetted serve` in a subprocess on 127.0.0.1, against `database_url`."""

    database_url: str
    workdir: Path
    workers: int = 1
    env: dict = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> "Server":
        """Start it and wait until /readyz answers."""
        self.port = free_port()
        env = {
            **os.environ,
            "VETTED_DATABASE_URL": self.database_url,
            "VETTED_UPLOAD_DIR": str(self.workdir / "uploads"),
            "VETTED_DAILY_REFRESH": "false",
            **self.env,
        }
        command = [str(VETTED), "serve", "--port", str(self.port)]
        log = (self.workdir / f"server-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [*command, "--workers", str(self.workers)], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout}s: {self.log()}")

    def log(self) -> str:
        """What the server printed."""
        return (self.workdir / f"server-{self.port}.log").read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL the server and every worker it started (its own process group)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
