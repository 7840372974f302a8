"""Field types shared by the API and form schemas: bounded, NUL-free, trimmed.

Each type declares in its JSON schema exactly what it accepts (OpenAPI clients and the fuzzer
read it), so what the schema allows the API takes, and what it refuses the API refuses.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError, core_schema

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

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The years of EARLIEST_DATE..LATEST_DATE, as a pattern: JSON Schema has no range for dates.
DAY_PATTERN = r"^(19[7-9][0-9]|20[0-9]{2}|21[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"  # and, trimmed, not empty
BLANK = r"^\s*$"
# An address of the plain form that email-validator accepts, every one of it (but for the six
# special-use top-level domains, .test and the like): up to three dot-separated words of up to
# 64 characters, a domain of up to five labels without "--" (no Punycode), a top-level domain
# of letters. So the schema can say it, and a generated client checks what the API checks.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20}){0,2}"
EMAIL_PATTERN = (
    rf"^{_ATEXT}{{1,32}}(\.{_ATEXT}{{1,15}}){{0,2}}@({_LABEL}\.){{1,4}}[A-Za-z]{{2,24}}$"
)
MAX_EMAIL = 254
_EMAIL = re.compile(EMAIL_PATTERN)
MAX_DOMAIN = 253
# A host name, in any case, as typed or pasted: with a scheme, trailing slashes or spaces.
DOMAIN_PATTERN = (
    r"^\s*([hH][tT][tT][pP][sS]?://)?"
    r"(?P<host>([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63})/*\s*$"
)
_DOMAIN = re.compile(DOMAIN_PATTERN)


@dataclass(frozen=True)
class Declared:
    """Adds to a type's JSON schema what its validators enforce with their own messages."""

    pattern: str
    max_length: int | None = None

    def __get_pydantic_json_schema__(self, source_schema: Any, handler: GetJsonSchemaHandler):
        schema = {**handler(source_schema), "pattern": self.pattern}
        return schema if self.max_length is None else {**schema, "maxLength": self.max_length}


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


def _plain_address(value: object) -> object:
    if isinstance(value, str) and not (len(value) <= MAX_EMAIL and _EMAIL.fullmatch(value)):
        raise ValueError("value is not a valid email address (write it as jane.doe@example.com)")
    return value


def _empty_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _trimmed(min_length: int):
    def trim(value: str) -> str:
        value = value.strip()
        if len(value) < min_length:
            raise PydanticKnownError("string_too_short", {"min_length": min_length})
        return value

    return trim


def text(max_length: int, min_length: int = 0) -> object:
    """A NUL-free string of at most `max_length` characters as sent, stored trimmed; with
    `min_length` 1, not blank."""
    if min_length > 1:
        raise ValueError("the schema can declare only 'not blank' (min_length 1)")
    return Annotated[
        str,
        StringConstraints(max_length=max_length),
        AfterValidator(_no_nul),
        AfterValidator(_trimmed(min_length)),
        Declared(NOT_BLANK if min_length else NO_NUL),
    ]


Name = text(200, 1)
SearchText = text(200)
ShortText = text(200)
LongText = text(5000)
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
Email = Annotated[
    EmailStr, BeforeValidator(_plain_address), Declared(EMAIL_PATTERN, max_length=MAX_EMAIL)
]


def field_error(field: str, message: str, value: object = None) -> ValidationError:
    """A validation error located at `field`, for checks that compare several fields."""
    detail = InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=(field,), input=value
    )
    return ValidationError.from_exception_data("cross-field check", [detail])
