"""The layers hold (STYLE habit 14): each domain folder imports only the folders below it, and
the shared modules at app/'s top import no domain folder, so no two folders import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
# Lowest first: a folder may import the folders before it, never one after it.
LAYERS = (
    "rules",  # pure: nothing of the app (tests/rules/test_purity.py)
    "audit",
    "auth",
    "web",  # what the pages share: session, CSRF, templating, labels, login
    "documents",
    "status",
    "evidence",
    "waivers",
    "portal",  # evidence requests, the vendor portal, submissions and their review
    "vendors",
    "bulk",
    "digest",
)
# Modules at app/'s top that the folders stand on; they import no folder.
KERNEL = {"clock", "config", "errors", "fields", "field_patterns", "db", "models", "deps"}
KERNEL |= {"api_common", "records", "cli_options", "mailer"}

# The entry points put the folders together: the app factory, the CLI, middleware, seeding.
ENTRY_POINTS = {"main", "cli", "seed", "system_api", "api_docs", "idempotency", "security"}
ENTRY_POINTS |= {"backup"}


# Declarations every layer may read, as it reads the table models: the evidence kinds and the
# schemas they name (a page's labels, the rules' facts and the PDF readers all look a kind up).
DECLARATIONS = {"app.evidence.kinds", "app.evidence.schemas"}


def _imported_units(path: Path) -> set[str]:
    """The top-level units of `app` that a module imports (`app.x.y` → `x`), declarations
    aside."""
    units = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            base = node.module
            names = [f"{base}.{a.name}" for a in node.names] if base == "app" else [base]
        names = [n for n in names if n.startswith("app.") and n not in DECLARATIONS]
        units |= {name.split(".")[1] for name in names}
    return units


def _unit(path: Path) -> str:
    parts = path.relative_to(APP).with_suffix("").parts
    return parts[0]


MODULES = sorted(APP.rglob("*.py"))


def test_every_folder_has_a_layer() -> None:
    folders = {p.name for p in APP.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(LAYERS)


def test_every_top_module_is_known() -> None:
    """A new top module is either kernel (imports no folder) or an entry point (checked by
    nothing here): decide which, and say so in KERNEL or ENTRY_POINTS."""
    top = {p.stem for p in APP.glob("*.py")} - {"__init__"}
    assert top - KERNEL <= ENTRY_POINTS


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(APP)))
def test_imports_point_down(module: Path) -> None:
    unit = _unit(module)
    imported = _imported_units(module) - {unit}
    if unit in KERNEL:
        assert not imported & set(LAYERS), f"kernel module {unit} imports a domain folder"
    elif unit in LAYERS:
        above = {u for u in imported if u in LAYERS and LAYERS.index(u) > LAYERS.index(unit)}
        assert not above, f"app/{unit} imports {sorted(above)}, which stand above it"
