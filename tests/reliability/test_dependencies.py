"""The locked dependencies: every one pinned, installed as pinned, none known to be vulnerable.

`.ci/requirements.lock` pins every runtime and test dependency (`pip freeze` of a clean
install); CI and the README's test command install with `-c .ci/requirements.lock`. The audit
is pip-audit against PyPI's advisory data. Where PyPI answers only a project's page (some
mirrors do not serve the per-release pages pip-audit reads), the advisories on the project
page stand in, for a pin that is the project's latest release; a pin that cannot be audited
either way is reported, and when PyPI cannot be reached at all the audit is skipped, saying so.
"""

import json
import subprocess
import sys
import warnings
from importlib import metadata
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from reliability.support import COUNTS

from app.config import ROOT

LOCK = ROOT / ".ci" / "requirements.lock"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
PYPI = "https://pypi.org/pypi/{name}/json"
INSTALLER = {"pip", "setuptools", "wheel"}  # come with the virtualenv; pip freeze leaves them out


def pins() -> dict[str, str]:
    """The lock file as {canonical name: version}."""
    found = {}
    for line in LOCK.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"not pinned with ==: {line}"
            found[canonicalize_name(name)] = version
    return found


def _requirements(dist: str, extras: frozenset[str]) -> list[Requirement]:
    wanted = []
    for spec in metadata.requires(dist) or ():
        req = Requirement(spec)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras | {""}):
            wanted.append(req)
    return wanted


def dependency_closure(root: str = "vetted", extras: frozenset[str] = frozenset({"test"})):
    """Every distribution `vetted[test]` needs, directly or not, by canonical name."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    todo = [(root, extras)]
    while todo:
        dist, wanted = todo.pop()
        if (canonicalize_name(dist), wanted) in seen:
            continue
        seen.add((canonicalize_name(dist), wanted))
        for req in _requirements(dist, wanted):
            names.add(canonicalize_name(req.name))
            todo.append((req.name, frozenset(req.extras)))
    return names


def test_the_lock_pins_every_dependency_as_installed():
    locked, needed = pins(), dependency_closure() - INSTALLER
    assert sorted(needed - locked.keys()) == [], "add them: regenerate the lock (README)"
    wrong = {
        n: (metadata.version(n), locked[n]) for n in needed if metadata.version(n) != locked[n]
    }
    assert wrong == {}, "installed ≠ locked: install with -c .ci/requirements.lock"
    COUNTS["dependencies: pinned in the lock"] = len(locked)


def _pip_audit() -> dict:
    if not PIP_AUDIT.exists():
        pytest.skip("pip-audit is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [str(PIP_AUDIT), "-r", str(LOCK), "--no-deps", "--disable-pip", "--format", "json",
         "--progress-spinner", "off"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if not result.stdout.strip().startswith("{"):
        pytest.skip(f"the advisory service could not be reached: {result.stderr[-500:]}")
    return json.loads(result.stdout)


def _project_advisories(http: httpx.Client, name: str, version: str) -> list[str] | None:
    """The advisories PyPI lists for `version` on the project's page (only for its latest)."""
    page = http.get(PYPI.format(name=name))
    page.raise_for_status()
    data = page.json()
    if data["info"]["version"] != version or "vulnerabilities" not in data:
        return None
    return [v["id"] for v in data["vulnerabilities"] if not v.get("withdrawn")]


def test_no_locked_dependency_is_known_to_be_vulnerable():
    report = _pip_audit()
    vulnerable = {d["name"]: [v["id"] for v in d["vulns"]] for d in report["dependencies"]
                  if d.get("vulns")}  # fmt: skip
    skipped = [d["name"] for d in report["dependencies"] if "skip_reason" in d]
    locked, unaudited = pins(), []
    try:
        with httpx.Client(timeout=30) as http:
            for name in skipped:
                version = locked[canonicalize_name(name)]
                advisories = _project_advisories(http, name, version)
                if advisories is None:
                    unaudited.append(f"{name}=={version}")
                elif advisories:
                    vulnerable[name] = advisories
    except httpx.HTTPError as exc:
        pytest.skip(f"PyPI's advisory data could not be reached: {exc!r}")
    assert vulnerable == {}, "upgrade these, then regenerate the lock (README)"
    audited = len(report["dependencies"]) - len(unaudited)
    COUNTS["dependencies: audited, none known-vulnerable"] = audited
    if unaudited and audited == 0:
        pytest.skip(f"no advisory data for any pin; not audited: {', '.join(unaudited)}")
    if unaudited:
        warnings.warn(f"no advisory data for {', '.join(unaudited)}", stacklevel=1)
