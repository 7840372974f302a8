"""Field types shared by the API and form schemas: bounded, trimmed, free of control
characters (one-line fields hold no line break either)."""

import re
import unicodedata
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2199, 12, 31)

Tier = Literal["critical", "high", "medium", "low"]
Region = Literal["us", "eu", "uk", "apac", "other"]
DataAccess = Literal["none", "internal", "confidential", "personal"]
Requirement = Literal["soc2_type2", "soc2", "iso27001", "soc2_or_iso27001", "none"]
Criterion = Literal[
    "security", "availability", "processing_integrity", "confidentiality", "privacy"
]
Opinion = Literal["unqualified", "qualified", "adverse", "disclaimer"]
ReportType = Literal["type1", "type2"]
IsoEdition = Literal["2013", "2022"]
CertificateStatus = Literal["active", "suspended", "withdrawn"]
SubserviceMethod = Literal["carve_out", "inclusive"]
# Does the report's system / the certificate's scope cover what is bought? (SPEC §2 v2)
ScopeJudgement = Literal["yes", "partly", "no"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Invisible characters a name may carry by accident (pasted from a web page or a PDF): zero
# widths, the soft hyphen, the byte-order mark, and the bidirectional controls, which can also
# make a name read differently from what it is. Names lose them; other fields refuse them.
INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_LINE_BREAKS = frozenset("\u2028\u2029")  # line and paragraph separators (not category C)
_MULTI_LINE_ALLOWED = frozenset("\n\r\t")


def _control(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control, format, surrogate, private-use or unassigned character (Unicode
    category C) or line separator in `value` that is not `allowed`, if any."""
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char).startswith("C") or char in _LINE_BREAKS:
            return char
    return None


def _refuse(char: str, what: str) -> None:
    name = unicodedata.name(char, "")
    raise ValueError(f"{what} (found U+{ord(char):04X}{' ' + name if name else ''})")


def _one_line(value: str) -> str:
    if (char := _control(_no_nul(value))) is not None:
        _refuse(char, "must be one line of text, without line breaks, tabs or control characters")
    return value


def _multi_line(value: str) -> str:
    if (char := _control(_no_nul(value), _MULTI_LINE_ALLOWED)) is not None:
        _refuse(char, "must not contain control characters (line breaks and tabs are fine)")
    return value


def _without_invisible(value: object) -> object:
    if isinstance(value, str) and INVISIBLE.intersection(value):
        return "".join(char for char in value if char not in INVISIBLE)
    return value


def _iso_date_only(value: object) -> object:
    """Dates are YYYY-MM-DD: no timestamps, no datetimes (pydantic's lax mode takes both)."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


def _domain(value: str) -> str:
    value = value.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not _DOMAIN.match(value):
        raise ValueError("must be a domain name such as acme.com")
    return value


def _empty_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def text(max_length: int, min_length: int = 0, *, multiline: bool = False) -> object:
    """A trimmed string of bounded length: one line without control characters, or, with
    `multiline`, lines that may hold tabs but no other control character."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_multi_line if multiline else _one_line),
    ]


def name(max_length: int = 200) -> object:
    """A one-line name, its invisible characters (zero widths, bidi controls) taken out."""
    return Annotated[text(max_length, 1), BeforeValidator(_without_invisible)]


Name = name()
SearchText = Annotated[  # what to look for, not stored: only NUL (which PostgreSQL refuses) is out
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_no_nul)
]
ShortText = text(200)
LongText = text(5000, multiline=True)
Day = Annotated[
    date,
    BeforeValidator(_iso_date_only),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
Domain = Annotated[str, BeforeValidator(_empty_to_none), AfterValidator(_domain)]
EMPTY_AS_NONE = BeforeValidator(_empty_to_none)


def field_error(field: str, message: str, value: object = None) -> ValidationError:
    """A validation error located at `field`, for checks that compare several fields."""
    detail = InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=(field,), input=value
    )
    return ValidationError.from_exception_data("cross-field check", [detail])
