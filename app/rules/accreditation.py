"""Recognised accreditation bodies (SPEC §4) and the forgiving way names are matched."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"
DEFAULT_BODIES_PATH = SEED_DIR / "accreditation_bodies.toml"

# Values that mean "no accreditation body", compared folded.
PLACEHOLDERS = frozenset({"", "na", "none", "unaccredited"})

_BODY_KEYS = frozenset({"acronym", "name", "name_en", "other_names", "country"})


def fold(text: str) -> str:
    """Case, accents, spaces and punctuation ignored: `Comité-Français` → `comitefrancais`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _parts(value: str) -> list[str]:
    """The value itself, or the parts outside and inside its parentheses."""
    pieces = re.split(r"[()]", value)
    if len(pieces) == 1:
        return pieces
    outside = " ".join(pieces[0::2])
    return [outside, *pieces[1::2]]


# Several marks on one certificate: "ANAB / UKAS", "UKAS, DAkkS", "RvA and UKAS".
_SEPARATORS = re.compile(r"[/,;&+]|\band\b", re.IGNORECASE)
# An accreditation number after the mark: "UKAS 0012", "UKAS No. 0012", "DAkkS D-ZM-1-01".
_NUMBER_WORDS = frozenset({"no", "no.", "nr", "nr.", "n°", "#", "number"})


def _without_number(value: str) -> str:
    """`value` less its trailing words that hold a digit, and a "No." just before them."""
    words = value.split()
    end = len(words)
    while end > 1 and any(ch.isdigit() for ch in words[end - 1]):
        end -= 1
    if end < len(words) and end > 1 and words[end - 1].casefold() in _NUMBER_WORDS:
        end -= 1
    return " ".join(words[:end])


@dataclass(frozen=True, slots=True)
class AccreditationBody:
    name: str
    country: str
    acronym: str | None = None
    name_en: str | None = None
    other_names: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """Every form that identifies the body: acronym, native, English and other names."""
        forms = (self.acronym, self.name, self.name_en, *self.other_names)
        return tuple(f for f in forms if f)


@dataclass(frozen=True, slots=True)
class AccreditationRegistry:
    bodies: tuple[AccreditationBody, ...]
    keys: frozenset[str]

    @classmethod
    def of(cls, bodies: Iterable[AccreditationBody]) -> AccreditationRegistry:
        """A registry of `bodies`; refuses a spelling that folds to a placeholder."""
        bodies = tuple(bodies)
        keys = {fold(s): s for b in bodies for s in b.spellings()}
        clashes = sorted(s for k, s in keys.items() if k in PLACEHOLDERS)
        if clashes:
            raise ValueError(f"accreditation body spelled like a placeholder: {clashes}")
        return cls(bodies=bodies, keys=frozenset(keys))

    def recognises(self, value: str | None) -> bool:
        """Whether `value` names a recognised body (SPEC §4: whole, else any of its parts)."""
        return value is not None and _recognised(self.keys, value)

    def is_accreditor(self, value: str | None) -> bool:
        """Whether `value`, compared whole, is itself a recognised accreditation body."""
        folded = fold(value or "")
        return folded not in PLACEHOLDERS and folded in self.keys


def _names_one(keys: frozenset[str], value: str) -> bool:
    candidates = (fold(_without_number(part)) for part in _parts(value))
    return any(f not in PLACEHOLDERS and f in keys for f in candidates)


# Cached: a hundred thousand certificates name a few dozen bodies (a frozenset keeps its hash).
@lru_cache(maxsize=4096)
def _recognised(keys: frozenset[str], value: str) -> bool:
    if _names_one(keys, value):
        return True
    parts = _SEPARATORS.split(value)
    return len(parts) > 1 and any(_names_one(keys, part) for part in parts)


def _body_from_table(table: Mapping[str, Any], index: int) -> AccreditationBody:
    unknown = sorted(set(table) - _BODY_KEYS)
    if unknown:
        raise ValueError(f"body #{index + 1}: unknown key(s) {unknown}")
    for key in ("name", "country"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise ValueError(f"body #{index + 1}: '{key}' must be a non-empty string")
    return AccreditationBody(
        name=table["name"],
        country=table["country"],
        acronym=table.get("acronym"),
        name_en=table.get("name_en"),
        other_names=tuple(table.get("other_names", ())),
    )


def load_registry(path: str | Path) -> AccreditationRegistry:
    """Read a `[[body]]` list such as `seed/accreditation_bodies.toml`."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    tables = data.get("body")
    if not isinstance(tables, list) or not tables:
        raise ValueError(f"{path}: expected a non-empty list of [[body]] tables")
    return AccreditationRegistry.of(_body_from_table(t, i) for i, t in enumerate(tables))


@cache
def default_registry() -> AccreditationRegistry:
    """The shipped list, read once."""
    return load_registry(DEFAULT_BODIES_PATH)
