"""The `vetted` command line: users, tokens, seed, evaluate."""

from datetime import date

import pytest
from factories import count, rows
from typer.testing import CliRunner

from app.auth.tokens import hash_token
from app.auth.users import verify_password
from app.cli import app
from app.models import ApiToken, AuditEntry, User, Vendor

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def test_token_create_prints_the_token_alone_on_the_last_line(database_url, session):
    result = run("token", "create", "--name", "coupa", "--role", "reader")
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("vt_") and " " not in token
    stored = rows(session, ApiToken, name="coupa")[0]
    assert stored.token_hash == hash_token(token)
    assert stored.role == "reader"


def test_token_create_twice_with_one_name_fails_cleanly(database_url):
    assert run("token", "create", "--name", "coupa").exit_code == 0
    result = run("token", "create", "--name", "coupa")
    assert result.exit_code == 1
    assert "exists already" in result.stderr


def test_token_revoke(database_url, session):
    run("token", "create", "--name", "coupa")
    assert run("token", "revoke", "coupa").exit_code == 0
    assert rows(session, ApiToken, name="coupa")[0].revoked_at is not None
    assert run("token", "revoke", "nope").exit_code == 1


def test_user_create_with_a_prompted_password(database_url, session):
    result = run(
        "user",
        "create",
        "--email",
        "Ana@Example.com",
        "--role",
        "analyst",
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert result.exit_code == 0, result.output
    user = rows(session, User, email="ana@example.com")[0]
    assert user.role == "analyst"
    assert user.password_hash.startswith("$argon2")
    assert verify_password("correct horse battery", user.password_hash)
    assert count(session, AuditEntry, entity="user") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "x@example.com", "--password", "short"], "at least"),
        (["--email", "no-at-sign", "--password", "long enough pw"], "e-mail"),
    ],
)
def test_user_create_refuses_bad_input(database_url, args, message):
    result = run("user", "create", *args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_user_create_refuses_an_unknown_role(database_url):
    assert run("user", "create", "--email", "a@b.c", "--role", "boss").exit_code == 2


def test_changing_a_user_ends_their_sessions(database_url, session):
    from web.support import make_user, session_cookie

    user = make_user("ana@example.com", "analyst")
    session_cookie(user)
    result = run("user", "set-role", "Ana@Example.com", "reader")
    assert result.exit_code == 0, result.output
    assert "ana@example.com is now reader; 1 open session(s) ended" in result.stdout
    session_cookie(user)
    result = run("user", "set-password", "ana@example.com", input="a new long password\n" * 2)
    assert result.exit_code == 0 and "1 open session(s) ended" in result.stdout
    assert run("user", "deactivate", "ana@example.com").exit_code == 0
    session.commit()  # read what the commands committed
    (stored,) = rows(session, User)
    assert verify_password("a new long password", stored.password_hash) and not stored.active
    actions = [e.action for e in rows(session, AuditEntry, entity="user")]
    assert actions == ["set_role", "set_password", "deactivate"]
    missing = run("user", "deactivate", "nobody@example.com")
    assert missing.exit_code == 1 and "no user nobody@example.com" in missing.stderr


def test_seed_is_idempotent_and_shows_every_status(database_url, session):
    assert "created 18 demo vendors" in run("seed").stdout
    assert "already there" in run("seed").stdout
    statuses = {v.status for v in rows(session, Vendor)}
    assert statuses == {"approved", "conditional", "blocked"}


def test_evaluate_prints_a_table_as_of_a_date(database_url):
    run("seed")
    today = run("evaluate").stdout
    assert "ISO_IN_PLACE_OF_SOC2(block)" in today
    assert "Acme Cloud Hosting" in today
    later = run("evaluate", "--as-of", date(2040, 1, 1).isoformat()).stdout
    assert later.count("SOC2_STALE(block)") >= 5


def test_evaluate_refuses_a_bad_date(database_url):
    result = runner.invoke(app, ["evaluate", "--as-of", "someday"])
    assert result.exit_code == 2
    assert "not a date" in result.output
