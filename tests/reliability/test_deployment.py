"""How Vetted is deployed: production refuses a weak secret and the demo users, and prints no
secret when it refuses."""

import os
import secrets
import socket
import sqlite3
import subprocess

import pytest
from pydantic import ValidationError
from reliability.support import VETTED

from app.config import DEFAULT_SECRET, ROOT, Settings

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
