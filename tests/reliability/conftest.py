"""Reliability tests: what they did (cases, writes, crashes, checks) is printed at the end,
and which findings of the outside probe (issue 14) their regression tests hold closed."""

from collections import defaultdict

import pytest
from reliability.support import COUNTS, OPERATIONS, finding_closed

# Item number of the probe's report → (test, outcome) of each test marked probe_finding(item).
FINDINGS: defaultdict[int, list[tuple[str, str]]] = defaultdict(list)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Record each marked test's outcome (a setup that fails or skips counts too)."""
    report = yield
    marker = item.get_closest_marker("probe_finding")
    if marker is not None and (report.when == "call" or not report.passed):
        for number in marker.args:
            FINDINGS[number].append((item.nodeid, report.outcome))
    return report


def _count_marked_findings() -> list[str]:
    """Marked findings whose every test passed join the "probe findings closed" count (as
    support.finding_closed counts the others); lines naming those a test did not pass."""
    held = sorted(n for n, runs in FINDINGS.items() if {o for _, o in runs} == {"passed"})
    for number in held:
        finding_closed(f"{number} (tests marked probe_finding)")
    not_held = sorted(set(FINDINGS) - set(held))
    if not not_held:
        return []
    return [f"probe findings NOT shown closed (a test failed or was skipped): items "
            f"{', '.join(map(str, not_held))}"]  # fmt: skip


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per count, so that CI logs show how hard the tests pushed."""
    if not COUNTS and not OPERATIONS and not FINDINGS:
        return
    terminalreporter.section("reliability counts")
    for line in _count_marked_findings():
        terminalreporter.write_line(line)
    if OPERATIONS:
        terminalreporter.write_line(
            f"fuzz: {sum(OPERATIONS.values())} generated cases over {len(OPERATIONS)} "
            f"operations (fewest for one operation: {min(OPERATIONS.values())})"
        )
        for label, cases in sorted(OPERATIONS.items()):
            terminalreporter.write_line(f"  {cases:>5}  {label}")
    for name, value in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{name}: {value}")
