"""app/rules is pure: standard library and app.rules only (STYLE habit 2)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

RULES_DIR = Path(__file__).resolve().parents[2] / "app" / "rules"
MODULES = sorted(RULES_DIR.rglob("*.py"))


def _imported(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def _allowed(name: str) -> bool:
    if name.startswith("."):
        return True  # relative: inside app.rules
    if name == "app.rules" or name.startswith("app.rules."):
        return True
    return name.split(".")[0] in sys.stdlib_module_names


def test_there_are_modules_to_check() -> None:
    assert {"engine.py", "facts.py", "catalog.py", "policy.py"} <= {m.name for m in MODULES}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_imports_only_stdlib_and_app_rules(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    outside = [name for name in _imported(tree) if not _allowed(name)]
    assert outside == [], f"{module.name} imports {outside}"


@pytest.mark.parametrize(
    "name",
    [
        "sqlmodel",
        "sqlalchemy.orm",
        "fastapi",
        "starlette",
        "pydantic",
        "app.db",
        "app.models",
        "app",
    ],
)
def test_the_check_refuses_the_usual_suspects(name: str) -> None:
    assert not _allowed(name)
