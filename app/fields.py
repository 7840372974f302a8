"""Field types shared by the API and form schemas: bounded, NUL-free, trimmed."""

import re
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


def text(max_length: int, min_length: int = 0) -> object:
    """A trimmed, NUL-free string of bounded length."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


Name = text(200, 1)
SearchText = text(200)
ShortText = text(200)
LongText = text(5000)
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
