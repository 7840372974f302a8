"""What the field types of app/fields.py accept, written as JSON Schema patterns.

Clients generated from the OpenAPI document, and the fuzzer, read these: each pattern admits
exactly the strings its type's validators accept. The characters refused as control characters
(Unicode category C) are spelt out from Python's own Unicode database, the one the validators
consult, rather than written \\p{C}, which a validator on another Unicode version reads
differently. Surrogates are left out: no JSON parser a client uses hands them over alone.
"""

import unicodedata
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import GetJsonSchemaHandler

# Invisible characters a name may carry by accident (pasted from a web page or a PDF): zero
# widths, the soft hyphen, the byte-order mark, and the bidirectional controls, which can also
# make a name read differently from what it is. Names lose them; other fields refuse them.
INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINE_BREAKS = frozenset("\u2028\u2029")  # line and paragraph separators (not category C)
MULTI_LINE_ALLOWED = frozenset("\n\r\t")
# What str.strip() takes off (Python's whitespace, which is not the \s of every regex engine).
WHITESPACE = frozenset(c for c in map(chr, range(0x3001)) if c.isspace())
# Planes 4–13 are unassigned and 15–16 private use: category C throughout, no need to look.
_UNLOOKED = ((0x40000, 0xDFFFF), (0xF0000, 0x10FFFF))
_SURROGATES = range(0xD800, 0xE000)


# Patterns too long to repeat in every field: the OpenAPI document holds each once, by name.
SHARED: dict[str, str] = {}


@dataclass(frozen=True)
class Declared:
    """Adds to a type's JSON schema what its validators enforce with their own messages: a
    pattern, or keywords made when first asked for (some patterns are long), a maximum length."""

    pattern: str | Callable[[], dict[str, Any]]
    max_length: int | None = None

    def __get_pydantic_json_schema__(self, source_schema: Any, handler: GetJsonSchemaHandler):
        # A copy: the keywords are made once and shared, and a schema may be edited later.
        made = deepcopy(self.pattern()) if callable(self.pattern) else {"pattern": self.pattern}
        schema = {**handler(source_schema), **made}
        return schema if self.max_length is None else {**schema, "maxLength": self.max_length}


@cache
def _category_c() -> tuple[tuple[int, int], ...]:
    """The code point ranges of category C, surrogates left out."""
    ranges: list[tuple[int, int]] = []
    for code in (*range(0xD800), *range(0xE000, 0x40000), *range(0xE0000, 0xF0000)):
        if _is_c(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return (*ranges, *_UNLOOKED)


def _escape(code: int) -> str:
    # \uXXXX reads the same in Python, Rust and ECMA regexes; beyond the BMP, the character.
    return f"\\u{code:04x}" if code < 0x10000 else chr(code)


def char_class(chars: frozenset[str]) -> str:
    """The body of a regex character class naming exactly `chars`."""
    codes = sorted(ord(c) for c in chars if ord(c) not in _SURROGATES)
    return _class_of([(code, code) for code in codes])


def _class_of(ranges: list[tuple[int, int]]) -> str:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    spans = (_escape(lo) if lo == hi else f"{_escape(lo)}-{_escape(hi)}" for lo, hi in merged)
    return "".join(spans)


@cache
def accepted_class(extra: frozenset[str], allowed: frozenset[str]) -> str:
    """The class body of every character but those of category C and `extra`, `allowed` ones
    excepted. (Named by what it admits: generators build a class of what is refused, nearly a
    million unassigned code points, several times more slowly.)"""
    refused = [*_category_c(), *((ord(c), ord(c)) for c in extra), (0xD800, 0xDFFF)]
    for char in sorted(allowed, key=ord):
        refused = [piece for low, high in refused for piece in _split(low, high, ord(char))]
    return _class_of(_complement(refused))


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    gaps, start = [], 0
    for low, high in sorted(ranges):
        if low > start:
            gaps.append((start, low - 1))
        start = max(start, high + 1)
    return [*gaps, (start, 0x10FFFF)] if start <= 0x10FFFF else gaps


def _split(low: int, high: int, code: int) -> list[tuple[int, int]]:
    if not low <= code <= high:
        return [(low, high)]
    return [(a, b) for a, b in ((low, code - 1), (code + 1, high)) if a <= b]


@cache
def trimmed_text(
    label: str,
    extra: frozenset[str],
    allowed: frozenset[str],
    *,
    required: bool,
    ignored: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Keywords for text that, once `ignored` characters are taken out and it is stripped,
    holds no character of category C or `extra` but those `allowed` (and, if `required`, one
    character at least).

    Two patterns: no refused character that is not whitespace, anywhere (the long one, shared
    under `label`); refused whitespace (a line break, in one line) only where stripping takes
    it off, at either end.
    """
    ignored = ignored or frozenset()
    anywhere = f"^[{accepted_class(extra, allowed | WHITESPACE)}]*$"
    SHARED[anywhere] = label
    refused_space = {c for c in WHITESPACE - allowed if c in extra or _is_c(c)}
    space, inside = char_class(WHITESPACE | ignored), char_class(frozenset(refused_space))
    core = f"[^{space}](?:[^{inside}]*[^{space}])?"
    ends = f"^[{space}]*{core if required else f'(?:{core})?'}[{space}]*$"
    return {"pattern": ends, "allOf": [{"pattern": anywhere}]}


def _is_c(char: str) -> bool:
    return unicodedata.category(char).startswith("C")
