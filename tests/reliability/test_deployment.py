"""How Vetted is deployed: production refuses a weak secret and the demo users, prints no
secret when it refuses, bounds request heads, says nothing about its server, shows its API
docs only to users, and the image runs in production mode as nobody in particular."""

import contextlib
import os
import re
import secrets
import socket
import sqlite3
import subprocess

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from reliability.support import VETTED, Server, make_token
from web.support import make_user, sign_in

from app import config
from app.config import DEFAULT_SECRET, ROOT, Settings
from app.security import MAX_HEADERS

STRONG = secrets.token_urlsafe(48)
SMTP_PASSWORD = "smtp-password-4f1d9"
DB_PASSWORD = "db-password-8c2e7"
HOW_TO = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def _run_vetted(*args: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VETTED_")}
    return subprocess.run(
        [str(VETTED), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env={**clean, **env},
    )  # fmt: skip


# --- item 1: the secret key and the demo users ------------------------------------------------

WEAK = [
    DEFAULT_SECRET, "", "   ", "a", "changeme", "secret", "x" * 31, "é" * 15,
    "changeme-changeme-changeme-changeme", "dev-insecure-change-me-but-longer-please",
]  # fmt: skip


@pytest.mark.probe_finding(1)
@pytest.mark.parametrize("key", WEAK)
def test_production_refuses_a_weak_secret_key_saying_how_to_make_one(key):
    with pytest.raises(ValidationError) as refused:
        Settings(env="production", secret_key=key)
    assert "VETTED_SECRET_KEY" in str(refused.value) and HOW_TO in str(refused.value)
    assert Settings(env="development", secret_key=key).env == "development"


@pytest.mark.probe_finding(1)
def test_production_starts_with_a_random_secret_of_32_bytes_or_more():
    assert Settings(env="production", secret_key=STRONG).env == "production"
    assert Settings(env="production", secret_key=secrets.token_hex(16)).env == "production"


@pytest.mark.probe_finding(1)
def test_serve_demo_refuses_production_before_creating_its_users(tmp_path):
    database = tmp_path / "demo.db"
    with socket.socket() as busy:  # were --demo to go ahead, uvicorn would stop here
        busy.bind(("127.0.0.1", 0))
        env = {"VETTED_ENV": "production", "VETTED_SECRET_KEY": STRONG,
               "VETTED_DATABASE_URL": f"sqlite:///{database}"}  # fmt: skip
        port = str(busy.getsockname()[1])
        started = _run_vetted("serve", "--demo", "--port", port, env=env)
    assert started.returncode != 0 and "--demo" in started.stderr
    assert "VETTED_ENV=production" in started.stderr
    assert not database.exists() or _users(database) == 0


def _users(database) -> int:
    with sqlite3.connect(database) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        return conn.execute("SELECT count(*) FROM users").fetchone()[0] if "users" in tables else 0


# --- item 11: secrets stay out of errors and logs ---------------------------------------------


@pytest.mark.probe_finding(1, 11)
def test_a_refused_start_names_the_key_and_prints_no_secret():
    env = {
        "VETTED_ENV": "production",
        "VETTED_SMTP_PASSWORD": SMTP_PASSWORD,
        "VETTED_DATABASE_URL": f"postgresql+psycopg://vetted:{DB_PASSWORD}@127.0.0.1:9/v",
    }
    for key in (None, "a-short-secret-9b3a"):
        started = _run_vetted("serve", env=env | ({"VETTED_SECRET_KEY": key} if key else {}))
        output = started.stdout + started.stderr
        assert started.returncode != 0 and "VETTED_SECRET_KEY" in output and HOW_TO in output
        for secret in (SMTP_PASSWORD, DB_PASSWORD, key or DEFAULT_SECRET):
            assert secret not in output


@pytest.mark.probe_finding(11)
def test_secret_settings_are_redacted_in_repr_and_validation_errors():
    url = f"postgresql+psycopg://vetted:{DB_PASSWORD}@db/vetted"
    settings = Settings(database_url=url, smtp_password=SMTP_PASSWORD, secret_key=STRONG)
    for shown in (repr(settings), str(settings), str(settings.model_dump())):
        assert DB_PASSWORD not in shown and SMTP_PASSWORD not in shown and STRONG not in shown
    assert settings.database_url.get_secret_value() == url  # still usable where it must be
    with pytest.raises(ValidationError) as refused:
        Settings(database_url=url, smtp_password=SMTP_PASSWORD, smtp_port="not a port")
    assert DB_PASSWORD not in str(refused.value) and SMTP_PASSWORD not in str(refused.value)


# --- items 13 and 14: the server ---------------------------------------------------------------


@pytest.fixture
def served(database_url, tmp_path):
    """`vetted serve` as production runs it, on a loopback port."""
    server = Server(database_url, tmp_path, env={"VETTED_ENV": "production",
                                                 "VETTED_SECRET_KEY": STRONG}).start()  # fmt: skip
    yield server
    server.stop()


def _raw_request(port: int, head: bytes) -> bytes:
    """Send a request head as it is; what the server answered, b"" if it hung up."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        # Refused mid-upload: it answered (or closed) before reading it all.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(head)
        try:
            return conn.recv(4096)
        except ConnectionResetError:
            return b""


@pytest.mark.probe_finding(13)
def test_request_heads_are_bounded_in_size_and_count(served):
    assert httpx.get(served.url + "/healthz").status_code == 200
    huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 4_000_000 + b"\r\n\r\n"
    answer = _raw_request(served.port, huge)
    assert answer == b"" or re.match(rb"HTTP/1.1 (400|431) ", answer), answer[:80]
    many = {f"x-h{i}": "1" for i in range(MAX_HEADERS + 1)}
    assert httpx.get(served.url + "/healthz", headers=many).status_code == 431
    assert httpx.get(served.url + "/healthz", headers=dict(list(many.items())[:50])).is_success


@pytest.mark.probe_finding(14)
def test_the_server_does_not_name_itself(served):
    response = httpx.get(served.url + "/healthz")
    assert response.status_code == 200 and "server" not in response.headers


@pytest.fixture
def production(database_url, monkeypatch):
    monkeypatch.setenv("VETTED_ENV", "production")
    monkeypatch.setenv("VETTED_SECRET_KEY", STRONG)
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def _production_app():
    from app.main import create_app

    return create_app()


@pytest.mark.probe_finding(14)
def test_production_shows_the_api_docs_only_to_users(production):
    app = _production_app()
    with TestClient(app) as anonymous:
        assert anonymous.get("/openapi.json").status_code == 401
        for page in ("/docs", "/redoc"):
            answer = anonymous.get(page, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    token = {"Authorization": f"Bearer {make_token('reader')}"}
    with TestClient(app, headers=token) as client:
        assert client.get("/openapi.json").json()["info"]["title"] == "Vetted"
    with TestClient(app) as browser:
        sign_in(browser, make_user("docs@example.com", "reader"))
        assert browser.get("/openapi.json").status_code == 200
        assert browser.get("/docs").status_code == 200


@pytest.mark.probe_finding(14)
def test_a_setting_makes_the_docs_public(production, monkeypatch):
    monkeypatch.setenv("VETTED_PUBLIC_API_DOCS", "true")
    config.get_settings.cache_clear()
    with TestClient(_production_app()) as anonymous:
        assert anonymous.get("/openapi.json").status_code == 200
        assert anonymous.get("/docs").status_code == 200


# --- the image ---------------------------------------------------------------------------------


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of each Dockerfile line, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


@pytest.mark.probe_finding(1)
def test_the_image_runs_production_as_an_unprivileged_user_on_the_locked_versions():
    steps = _dockerfile()
    env = " ".join(args for op, args in steps if op == "ENV")
    assert re.search(r"\bVETTED_ENV=production\b", env)
    assert "VETTED_SECRET_KEY" not in env  # a secret comes at run time, never baked in
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith(("root:", "0:"))
    assert [op for op, _ in steps].index("CMD") > max(i for i, (op, _) in enumerate(steps)
                                                      if op == "USER")  # fmt: skip
    assert any(op == "COPY" and ".ci/requirements.lock" in args for op, args in steps)
    installs = [args for op, args in steps if op == "RUN" and "pip install" in args]
    assert installs and all("-c .ci/requirements.lock" in run for run in installs)
    assert not any("[test]" in run or "'.[test]'" in run for run in installs)
