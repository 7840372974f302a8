"""Error pages for the browser; the JSON API keeps its JSON errors."""

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.errors import DomainError, Unauthorized
from app.web.templating import render, see_other

Handler = Callable[[Request, Exception], Awaitable[Response]]
API_PATHS = ("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz")
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    503: "Busy",
}


def is_api(request: Request) -> bool:
    """True for the JSON API and its docs, which answer errors in JSON."""
    return request.url.path.startswith(API_PATHS)


def _status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, DomainError):
        detail = exc.detail if isinstance(exc.detail, str) else "The request was not valid."
        return exc.status_code, detail
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return 404, "There is no page at this address."
        return exc.status_code, str(exc.detail)
    if isinstance(exc, RequestValidationError):
        return 404, "There is no page at this address."
    if isinstance(exc, IntegrityError):
        return 409, "Someone saved a conflicting change at the same time. Reload and try again."
    if isinstance(exc, OperationalError):
        return 503, "The database is busy or unavailable. Try again in a moment."
    return 400, "The request was not valid."


def login_redirect(request: Request, exc: Exception) -> Response:
    """Send the browser to the login page, coming back here afterwards (for GETs)."""
    if request.method != "GET":
        return see_other("/login")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/login?next={quote(target, safe='')}")


def error_page(request: Request, exc: Exception) -> Response:
    """An HTML page explaining the error, with the right status."""
    if isinstance(exc, Unauthorized):
        return login_redirect(request, exc)
    status, message = _status_and_message(exc)
    context = {"status": status, "title": TITLES.get(status, "Error"), "message": message}
    response = render(request, "errors/error.html", context, status_code=status)
    if status == 503:
        response.headers["Retry-After"] = "1"
    return response


def web_or(api_handler: Handler) -> Handler:
    """An exception handler: `api_handler` for API paths, an HTML page for the rest."""

    async def handler(request: Request, exc: Exception) -> Response:
        if is_api(request):
            return await api_handler(request, exc)
        return error_page(request, exc)

    return handler
