"""The code base passes ruff's lint and format checks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    if shutil.which("ruff"):
        return ["ruff"]
    pytest.skip("ruff is not installed")


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff(args: list[str]) -> None:
    result = subprocess.run([*_ruff(), *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Where a session of its own may be opened (`session_scope`): the CLI and the jobs, and the few
# places whose transactions must stand apart from the request's. Every request handler takes
# the request's session (`SessionDep`), committed once, before the response is sent.
SESSION_SCOPE_ALLOWED = {
    "app/db.py": "defines it",
    "app/cli.py": "the CLI",
    "app/bulk/cli.py": "the CLI",
    "app/digest/cli.py": "the CLI",
    "app/portal/cli.py": "the CLI",
    "app/digest/job.py": "the weekly digest job",
    "app/status/daily.py": "the daily pass",
    "app/status/bulk.py": "`vetted evaluate`'s worker processes",
    "app/documents/prefill_uploads.py": "the daily pass's sweep of unattached PDFs",
    "app/idempotency.py": "a key's claim commits apart from the write it guards",
    "app/auth/throttle.py": "a login attempt is committed at once, so parallel guesses count",
    "app/web/login.py": "the password is checked outside any write lock (Argon2 is slow)",
    "app/bulk/api.py": "a streamed export outlives the request's session",
    "app/portal/mail.py": "an e-mail is claimed, and recorded, apart from the request that sent it",
    "app/portal/reminders.py": "the daily pass: reminders, and pruning the portal's rate limit",
}


def test_only_the_cli_and_jobs_open_sessions_of_their_own() -> None:
    using = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "app").rglob("*.py")
        if "session_scope" in path.read_text(encoding="utf-8")
    }
    assert using <= set(SESSION_SCOPE_ALLOWED), sorted(using - set(SESSION_SCOPE_ALLOWED))
