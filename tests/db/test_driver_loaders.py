"""The driver-level reads' fast conversions give what SQLAlchemy's own would, and fall back
to SQLAlchemy's for text the fast parsers do not read."""

import math
from datetime import UTC

import pytest
from sqlalchemy import JSON, Date, DateTime
from sqlalchemy.dialects import sqlite

from app.db import UTCDateTime, _loader

SQLITE = sqlite.dialect()


def _sqlite_loader(type_):
    return _loader(type_, SQLITE, dates_as_text=True, json_as_text=True)


def _sqlalchemy(type_, value):
    return type_.dialect_impl(SQLITE).result_processor(SQLITE, None)(value)


def test_iso_text_converts_as_sqlalchemy_converts_it():
    cases = [
        (Date(), "2026-02-28"),
        (DateTime(), "2026-02-28 09:30:00.000123"),
        (UTCDateTime(), "2026-02-28 09:30:00.000000"),
        (JSON(), '{"tsc": ["security"], "n": 3, "ok": true, "none": null}'),
    ]
    for type_, text in cases:
        fast, expected = _sqlite_loader(type_)(text), _sqlalchemy(type_, text)
        assert fast == expected and type(fast) is type(expected), text
    assert _sqlite_loader(UTCDateTime())("2026-02-28 09:30:00.000000").tzinfo == UTC


def test_text_the_fast_parser_refuses_goes_the_slow_way():
    assert math.isnan(_sqlite_loader(JSON())('{"x": NaN}')["x"])  # orjson refuses NaN


def test_text_neither_reads_fails_as_sqlalchemy_fails():
    for type_ in (Date(), UTCDateTime()):
        with pytest.raises(ValueError):
            _sqlalchemy(type_, "2026-2-8")
        with pytest.raises(ValueError):
            _sqlite_loader(type_)("2026-2-8")
