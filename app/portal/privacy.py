"""What keeps a portal link to its holder: the headers of every portal response, no cookie, and
no token in the access log (SPEC §11).

The link is the vendor's only credential, so it must not leak through a Referer header, a
shared cache, a frame or a log line. `install` is called by create_app, so the headers and the
log filter are in place however the app is served.
"""

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.portal import links
from app.portal.view import CLOSED, portal_render

PREFIX = "/portal/"
ACCESS_LOGGER = "uvicorn.access"
HEADERS = {
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}
FRAME_ANCESTORS = "frame-ancestors 'none'"


def _portal_headers(headers: MutableHeaders) -> None:
    for name, value in HEADERS.items():
        headers[name] = value
    policy = headers.get("content-security-policy", "")
    if FRAME_ANCESTORS not in policy:
        headers["content-security-policy"] = "; ".join(filter(None, (policy, FRAME_ANCESTORS)))
    del headers["set-cookie"]  # the link is the only credential: the portal keeps no session


class PortalHeadersMiddleware:
    """On every response under /portal/ (error pages included): no referrer, no caching, no
    framing, no cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                _portal_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_private)


class RedactPortalLinks(logging.Filter):
    """Rewrites `/portal/<token>` in a log record (uvicorn's access log puts the path in its
    args) as `/portal/[link]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = links.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redacted(v) for k, v in record.args.items()}
        return True


def _redacted(value: object) -> object:
    return links.redact(value) if isinstance(value, str) else value


def install_log_filter() -> None:
    """Put the filter on uvicorn's access logger (once)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactPortalLinks) for f in logger.filters):
        logger.addFilter(RedactPortalLinks())


NO_PAGE = "There is no page at this address."
STATUS_WORDS = {413: "The request is too large.", 405: "This address does not take that request."}


def _portal_errors(app: FastAPI, exc_class: type[Exception]) -> None:
    """Errors raised outside the portal's handlers (an unknown address under /portal/, a
    method it does not take, a body over the cap) answered with the portal's own page: no
    login link, no navigation of the analysts' app, never the path."""
    fallback = app.exception_handlers[exc_class]

    async def handler(request: Request, exc: Exception) -> Response:
        if not request.scope["path"].startswith(PREFIX):
            return await fallback(request, exc)
        status = getattr(exc, "status_code", 404) if isinstance(exc, HTTPException) else 404
        context = {"status": status, "message": STATUS_WORDS.get(status, NO_PAGE)}
        return portal_render(request, CLOSED, {**context, "contact": None}, status)

    app.add_exception_handler(exc_class, handler)


def install(app: FastAPI) -> None:
    """The portal's headers on its responses (outermost: over the session cookie's
    middleware), its error pages and the access log's filter."""
    app.add_middleware(PortalHeadersMiddleware)
    for exc_class in (HTTPException, RequestValidationError):
        _portal_errors(app, exc_class)
    install_log_filter()
