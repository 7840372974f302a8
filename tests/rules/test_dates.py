"""Month arithmetic of SPEC §4."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.dates import add_months, spans_months

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-09-30", 3, "2025-12-31"),  # a month's last day maps to the last day
        ("2023-02-28", 12, "2024-02-29"),  # ... even into a leap February
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2024-02-28", 12, "2025-02-28"),  # not a month end in a leap year: same day number
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-01-30", 1, "2025-02-28"),  # clamped to the month's length
        ("2025-01-15", 1, "2025-02-15"),
        ("2025-03-30", 1, "2025-04-30"),
        ("2025-04-30", 1, "2025-05-31"),  # April's last day → May's last day
        ("2025-12-31", 1, "2026-01-31"),
        ("2025-11-15", 3, "2026-02-15"),
        ("2025-06-15", 0, "2025-06-15"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2025-03-15", -3, "2024-12-15"),
        ("2025-02-28", -12, "2024-02-29"),
        ("2024-02-29", -12, "2023-02-28"),
        ("2026-03-31", 15, "2027-06-30"),
        ("2025-04-01", 36, "2028-04-01"),
    ],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    assert add_months(D(start), months) == D(expected)


def test_add_months_out_of_the_calendar_raises_overflow() -> None:
    with pytest.raises(OverflowError):
        add_months(date(9999, 12, 1), 1)


@pytest.mark.parametrize(
    ("start", "end", "months", "expected"),
    [
        ("2025-01-01", "2025-06-30", 6, True),  # SPEC's examples
        ("2025-01-02", "2025-06-30", 6, False),
        ("2025-03-01", "2025-08-31", 6, True),
        ("2025-10-01", "2026-03-31", 6, True),
        ("2025-10-02", "2026-03-31", 6, False),
        ("2026-01-01", "2026-03-31", 3, True),
        ("2026-01-02", "2026-03-31", 3, False),
        ("2025-04-01", "2026-03-31", 12, True),
        ("2025-09-01", "2026-02-28", 6, True),
        ("2025-09-02", "2026-02-28", 6, False),
        ("2023-09-01", "2024-02-29", 6, True),  # leap February
        ("2025-06-15", "2025-12-14", 6, True),
        ("2025-06-15", "2025-12-13", 6, False),
    ],
)
def test_spans_months(start: str, end: str, months: int, expected: bool) -> None:
    assert spans_months(D(start), D(end), months) is expected
