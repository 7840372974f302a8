"""Field types shared by the API and form schemas: bounded, trimmed, free of control
characters (one-line fields hold no line break either).

Each type declares in its JSON schema exactly what it accepts (app/field_patterns.py), so what
the OpenAPI document allows the API takes, and what it refuses the API refuses.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError, core_schema
from pydantic_core.core_schema import ValidationInfo

from app.field_patterns import (
    INVISIBLE,
    LINE_BREAKS,
    MULTI_LINE_ALLOWED,
    WHITESPACE,
    Declared,
    char_class,
    trimmed_text,
)

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
Lifecycle = Literal["onboarding", "active", "offboarding", "archived"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The years of EARLIEST_DATE..LATEST_DATE, as a pattern: JSON Schema has no range for dates.
DAY_PATTERN = r"^(19[7-9][0-9]|20[0-9]{2}|21[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
NO_NUL = r"^[^\u0000]*$"
_SPACE = char_class(WHITESPACE)
BLANK = f"^[{_SPACE}]*$"
# An e-mail address of the plain form, as the digest sends to: up to three dot-separated words
# (ASCII, or Latin letters with accents: jörg@…, sent with SMTPUTF8 where the server offers
# it), a domain of up to five ASCII labels without "--" (no Punycode), each at most 25
# characters, a top-level domain of letters. So the schema says it, and a client checks it.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00c0-\u024f-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,12}"
EMAIL_PATTERN = (
    rf"^{_LOCAL}{{1,32}}(?:\.{_LOCAL}{{1,15}}){{0,2}}@(?:{_LABEL}\.){{1,4}}[A-Za-z]{{2,24}}$"
)
MAX_EMAIL = 254
_EMAIL = re.compile(EMAIL_PATTERN)
MAX_DOMAIN = 253
# A host name, in any case, as typed or pasted: with a scheme, trailing slashes or spaces.
DOMAIN_PATTERN = (
    rf"^[{_SPACE}]*(?:[hH][tT][tT][pP][sS]?://)?"
    rf"(?P<host>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{{0,61}}[a-zA-Z0-9])?\.)+[a-zA-Z]{{2,63}})/*[{_SPACE}]*$"
)
_DOMAIN = re.compile(DOMAIN_PATTERN)


@dataclass(frozen=True)
class BlankIsNone:
    """An empty (or all-space) value means "not given": the forms send empty fields so."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_before_validator_function(_empty_to_none, handler(source))

    def __get_pydantic_json_schema__(self, source_schema: Any, handler: GetJsonSchemaHandler):
        schema = handler(source_schema)
        blank = {"type": "string", "pattern": BLANK}
        return {**schema, "anyOf": [*schema["anyOf"], blank]} if "anyOf" in schema else schema


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _control(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first control, format, surrogate, private-use or unassigned character (Unicode
    category C) or line separator in `value` that is not `allowed`, if any."""
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char).startswith("C") or char in LINE_BREAKS:
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
    if (char := _control(_no_nul(value), MULTI_LINE_ALLOWED)) is not None:
        _refuse(char, "must not contain control characters (line breaks and tabs are fine)")
    return value


def _without_invisible(value: object, max_length: int) -> object:
    if isinstance(value, str) and len(value) > max_length:  # as sent, as the schema counts
        raise PydanticKnownError("string_too_long", {"max_length": max_length})
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
    match = _DOMAIN.fullmatch(value) if len(value) <= MAX_DOMAIN else None
    if match is None:
        raise ValueError("must be a domain name such as acme.com")
    return match["host"].lower()


def _address(value: str) -> str:
    if len(value) > MAX_EMAIL or not _EMAIL.fullmatch(value):
        raise ValueError("value is not a valid email address (write it as jane.doe@example.com)")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _empty_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _trimmed(value: str, min_length: int) -> str:
    value = value.strip()
    if len(value) < min_length:
        raise PydanticKnownError("string_too_short", {"min_length": min_length})
    return value


def _text_keywords(required: bool, multiline: bool, ignored: frozenset[str]) -> dict[str, Any]:
    label = "NameCharacters" if ignored else "TextCharacters"
    allowed = (MULTI_LINE_ALLOWED if multiline else frozenset()) | ignored
    return trimmed_text(label, LINE_BREAKS, allowed, required=required, ignored=ignored)


def text(
    max_length: int,
    min_length: int = 0,
    *,
    multiline: bool = False,
    ignored: frozenset[str] = frozenset(),
) -> object:
    """At most `max_length` characters as sent, stored trimmed (not blank, with `min_length`
    1): one line without control characters, or, with `multiline`, lines that may hold tabs
    but no other control character. `ignored` characters were taken out before (names)."""
    if min_length > 1:
        raise ValueError("the schema can declare only 'not blank' (min_length 1)")
    keywords = partial(_text_keywords, bool(min_length), multiline, ignored)
    return Annotated[
        str,
        StringConstraints(max_length=max_length),
        AfterValidator(partial(_trimmed, min_length=min_length)),
        AfterValidator(_multi_line if multiline else _one_line),
        Declared(keywords),
    ]


def name(max_length: int = 200) -> object:
    """A one-line name, its invisible characters (zero widths, bidi controls) taken out."""
    return Annotated[
        text(max_length, 1, ignored=INVISIBLE),
        BeforeValidator(partial(_without_invisible, max_length=max_length)),
    ]


Name = name()
SearchText = Annotated[  # what to look for, not stored: only NUL (which PostgreSQL refuses) is out
    str,
    StringConstraints(max_length=200),
    AfterValidator(str.strip),
    AfterValidator(_no_nul),
    Declared(NO_NUL),
]
ShortText = text(200)
LongText = text(5000, multiline=True)
Day = Annotated[
    date,
    BeforeValidator(_iso_date_only),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
Domain = Annotated[
    str,
    AfterValidator(_domain),
    Declared(DOMAIN_PATTERN.replace("?P<host>", ""), max_length=MAX_DOMAIN),
]
EMPTY_AS_NONE = BlankIsNone()
# Forms and CSV files are text: validated with this context, their "0" is 0 and "on" is true. A
# JSON body says which type it sends, and the API takes it as its OpenAPI document declares.
FROM_TEXT = {"from_text": True}


def _as_declared(kind: type) -> Callable[[object, ValidationInfo], object]:
    def check(value: object, info: ValidationInfo) -> object:
        if (info.context or {}).get("from_text"):
            return value
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, int | float):
            raise PydanticKnownError("bool_type" if kind is bool else "int_type")
        return value

    return check


TypedBool = Annotated[bool, BeforeValidator(_as_declared(bool))]
TypedInt = Annotated[int, BeforeValidator(_as_declared(int))]
Email = Annotated[
    str,
    AfterValidator(_address),
    WithJsonSchema(
        {"type": "string", "format": "idn-email", "pattern": EMAIL_PATTERN, "maxLength": MAX_EMAIL}
    ),
]


def field_error(field: str, message: str, value: object = None) -> ValidationError:
    """A validation error located at `field`, for checks that compare several fields."""
    detail = InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=(field,), input=value
    )
    return ValidationError.from_exception_data("cross-field check", [detail])
