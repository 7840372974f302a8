"""A proposed field value and where it was read."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.documents.textscan import Hit


@dataclass(frozen=True)
class Proposal:
    """A proposed value, where it was read (page, words) and how sure the reading is."""

    value: Any
    page: int
    snippet: str
    confidence: float

    @classmethod
    def at(cls, hit: Hit, value: Any, confidence: float) -> "Proposal":
        """A proposal read at `hit`."""
        return cls(value=value, page=hit.page.number, snippet=hit.snippet, confidence=confidence)

    @property
    def form_value(self) -> str:
        """The value as an HTML form field holds it (see `form_value`)."""
        return form_value(self.value)


def form_value(value: Any) -> str:
    """A value as a form input or a CSV cell holds it: dates ISO, booleans true/false, criteria
    comma-separated, subservice organisations as `name: method` separated by semicolons."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "; ".join(f"{v['name']}: {v['method']}" for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
