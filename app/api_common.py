"""Pieces every API router shares: bounded ids, documented error responses."""

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel

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

VendorId = Annotated[int, Path(ge=1, le=MAX_ID, description="The vendor's id")]
EvidenceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The evidence record's id")]
WaiverId = Annotated[int, Path(ge=1, le=MAX_ID, description="The waiver's id")]
