"""Who is calling: bearer tokens for the API, checked against the role a route needs."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.roles import Role, allows
from app.auth.tokens import Principal, lookup_token
from app.errors import Forbidden, Unauthorized

bearer = HTTPBearer(auto_error=False, description="An API token from `vetted token create`")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller behind the bearer token (or the web session), or 401.

    The token lookup is one indexed SELECT on the event loop (awaited on PostgreSQL): it
    costs less than the hop to a worker thread would.
    """
    if credentials is not None:
        principal = await lookup_token(credentials.credentials)
        if principal is None:
            raise Unauthorized("invalid or revoked token")
        return principal
    web_user = getattr(request.state, "principal", None)
    if web_user is not None:
        return web_user
    raise Unauthorized("send Authorization: Bearer <token>")


def require(role: Role):
    """A dependency that admits callers holding at least `role`."""

    async def dependency(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        if not allows(principal.role, role):
            raise Forbidden(f"this needs the {role.value} role; you have {principal.role}")
        return principal

    return dependency


Reader = Annotated[Principal, Depends(require(Role.reader))]
Analyst = Annotated[Principal, Depends(require(Role.analyst))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
