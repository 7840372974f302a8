"""Pieces every API router shares: bounded ids, documented error responses, known queries."""

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.errors import Invalid

MAX_ID = 2**31 - 1


class ErrorBody(BaseModel):
    """Every error: `detail` is a message, or a list of field errors for 422."""

    detail: str | list[dict]


def _error(description: str) -> dict:
    return {"model": ErrorBody, "description": description}


UNAUTHORIZED = {401: _error("No, bad or revoked credentials"), 403: _error("The role is too low")}
READ_ERRORS = {**UNAUTHORIZED, 404: _error("Unknown id")}
WRITE_ERRORS = {
    **READ_ERRORS,
    400: _error("Malformed request"),
    409: _error("Conflicts with the current state"),
    413: _error("The body is larger than 1 MB"),
    422: _error("Invalid input; `detail` names each field"),
}


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = frozenset(p.alias for p in dependant.query_params)
    return names.union(*(_query_names(d) for d in dependant.dependencies))


_DECLARED: dict[str, frozenset[str]] = {}  # by route id: routes are not hashable


def _declared_query(route: APIRoute) -> frozenset[str]:
    if (names := _DECLARED.get(route.unique_id)) is None:
        names = _DECLARED[route.unique_id] = _query_names(route.dependant)
    return names


async def declared_query_only(request: Request) -> None:
    """Refuse a query parameter the operation does not declare: a misspelt filter would
    otherwise be ignored, and the whole list answered as if it matched."""
    unknown = sorted(set(request.query_params) - _declared_query(request.scope["route"]))
    if unknown:
        raise Invalid(unknown[0], "is not a parameter of this operation", where="query")


# Every API router is included with these: 422 is then a documented answer of every operation.
API_ROUTER_OPTIONS = {
    "dependencies": [Depends(declared_query_only)],
    "responses": {422: _error("Invalid input; `detail` names each field")},
}

VendorId = Annotated[int, Path(ge=1, le=MAX_ID, description="The vendor's id")]
EvidenceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The evidence record's id")]
WaiverId = Annotated[int, Path(ge=1, le=MAX_ID, description="The waiver's id")]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="The evidence request's id")]
SubmissionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The submission's id")]
