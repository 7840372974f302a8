"""Who may see a page or send a form: a logged-in user, the right role, a valid CSRF token."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from app.auth.roles import Role, allows
from app.auth.tokens import Principal
from app.errors import Forbidden
from app.web.session import CSRF_FIELD, web_session


class LoginRequired(Exception):
    """The page needs a logged-in user; the handler sends the browser to the login page."""


class CsrfRefused(Forbidden):
    """A form without this session's CSRF token: refused, nothing written."""


async def web_principal(request: Request) -> Principal:
    """The logged-in user, or LoginRequired (`async`: on the loop, not in a worker thread)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise LoginRequired()
    return principal


def web_role(role: Role):
    """A dependency that admits logged-in users holding at least `role`."""

    async def dependency(principal: Annotated[Principal, Depends(web_principal)]) -> Principal:
        if not allows(principal.role, role):
            raise Forbidden(
                f"Changing records needs the {role.value} role; you are logged in as a "
                f"{principal.role.value}, who may read everything and change nothing."
            )
        return principal

    return dependency


def require_csrf(request: Request, form: FormData) -> None:
    """CsrfRefused unless `form` carries this session's CSRF token."""
    if not web_session(request).csrf_ok(form.get(CSRF_FIELD)):
        raise CsrfRefused(
            "This form was not sent from a Vetted page you have open, or it is too old. "
            "Nothing was saved: go back, reload the page and send it again."
        )


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token is confirmed."""
    form = await request.form()
    require_csrf(request, form)
    return form


WebUser = Annotated[Principal, Depends(web_principal)]
WebAnalyst = Annotated[Principal, Depends(web_role(Role.analyst))]
CsrfForm = Annotated[FormData, Depends(checked_form)]
