"""Reliability tests: what they did (cases, writes, crashes, checks) is printed at the end."""

import pytest
from conftest import CHROMIUM
from reliability.support import COUNTS, OPERATIONS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last (pytest-playwright leaves an event loop running); skipped, saying
    why, without Debian's chromium (tests/web/conftest.py does the same for its own)."""
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("browser") is not None)
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed: apt-get install -y chromium")
    for item in items:
        if item.get_closest_marker("browser") and "reliability" in str(item.path):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per count, so that CI logs show how hard the tests pushed."""
    if not COUNTS and not OPERATIONS:
        return
    terminalreporter.section("reliability counts")
    if OPERATIONS:
        terminalreporter.write_line(
            f"fuzz: {sum(OPERATIONS.values())} generated cases over {len(OPERATIONS)} "
            f"operations (fewest for one operation: {min(OPERATIONS.values())})"
        )
        for label, cases in sorted(OPERATIONS.items()):
            terminalreporter.write_line(f"  {cases:>5}  {label}")
    for name, value in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{name}: {value}")
