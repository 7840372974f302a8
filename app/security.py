"""Security headers on every response, a cap on request bodies, and a truthful `Allow`.

- Pages get a Content-Security-Policy without inline script or style and may not be framed;
  other responses get `default-src 'none'`. A header a route set itself (a download's
  sandbox, the digest letter's frame policy) is kept. The API docs (/docs, /redoc) load their
  viewer from a CDN: their policy names it, and their one inline script by its hash.
- Bodies are capped before anything parses them: 1 MB for JSON and forms, the upload cap
  (VETTED_MAX_UPLOAD_MB) plus framing for multipart. A declared Content-Length over the cap
  is refused at once; a body without one is counted as it arrives.
- A request with more than MAX_HEADERS headers is refused with 431 (uvicorn bounds the head's
  size, MAX_HEAD_BYTES, set by `vetted serve`, but not how many headers it holds).
- A 405 lists every method the path supports (Starlette names only the first route's).
"""

import base64
import hashlib
import json
import re

from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.documents.storage import MB, max_upload_bytes

MAX_JSON_BYTES = MB
MAX_HEAD_BYTES = 32 * 1024  # request line and headers: a browser with its cookies sends ~2 KB
MAX_HEADERS = 100
MULTIPART_OVERHEAD = MB
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_PATHS = ("/docs", "/redoc")
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    "default-src 'none'; script-src {cdn} {hashes}; "
    "style-src 'self' 'unsafe-inline' {cdn} https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src blob:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S | re.I)


class BodyTooLarge(HTTPException):
    """The request body passed its cap (FastAPI passes HTTPExceptions through its parser)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit // MB} MB")


def body_limit(headers: Headers) -> int:
    """The largest body accepted with these request headers."""
    if headers.get("content-type", "").lower().startswith("multipart/"):
        return max_upload_bytes() + MULTIPART_OVERHEAD
    return MAX_JSON_BYTES


def _web_upload(scope: Scope) -> bool:
    """A page's multipart form: its route reads the body under the cap itself and shows a file
    that is too large beside the file field (the count below still caps what is read)."""
    content_type = Headers(scope=scope).get("content-type", "").lower()
    return content_type.startswith("multipart/") and not scope["path"].startswith("/api/")


def script_hashes(html: bytes) -> str:
    """CSP sources for the inline scripts of `html`, by their SHA-256."""
    digests = (hashlib.sha256(m.group(1)).digest() for m in _INLINE_SCRIPT.finditer(html))
    return " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)


def allowed_methods(router: Router, scope: Scope) -> str:
    """Every method some route serves at the request's path, as an `Allow` value."""
    methods: set[str] = set()
    for route in iter_route_contexts(router.routes):  # included routers, flattened
        if route.methods and route.matches(scope)[0] != Match.NONE:
            methods |= set(route.methods)
    return ", ".join(sorted(methods))


def _too_large(scope: Scope, limit: int) -> tuple[Message, Message]:
    return _refusal(scope, 413, f"the request body is larger than {limit // MB} MB")


def _refusal(scope: Scope, status: int, detail: str) -> tuple[Message, Message]:
    """A response sent before the app runs: JSON under /api/, plain text elsewhere."""
    if scope["path"].startswith("/api/"):
        body, media = json.dumps({"detail": detail}).encode(), "application/json"
    else:
        body, media = detail.encode(), "text/plain; charset=utf-8"
    headers = [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]
    start = {"type": "http.response.start", "status": status, "headers": headers}
    return start, {"type": "http.response.body", "body": body}


class SecurityMiddleware:
    """Headers on every response, body caps on every request, a complete Allow on 405."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(Headers(scope=scope))
        declared = Headers(scope=scope).get("content-length", "")
        send = self._with_headers(scope, send)
        if len(scope["headers"]) > MAX_HEADERS:
            for message in _refusal(scope, 431, f"more than {MAX_HEADERS} request headers"):
                await send(message)
            return
        if declared.isdigit() and int(declared) > limit and not _web_upload(scope):
            for message in _too_large(scope, limit):
                await send(message)
            return
        if scope["path"].startswith(DOCS_PATHS):
            send = _hash_inline_scripts(send)
        await self._call_capped(scope, receive, send, limit)

    async def _call_capped(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:  # raised outside the app's handlers (a middleware read the body)
            if started:
                raise
            for message in _too_large(scope, limit):
                await send(message)

    def _with_headers(self, scope: Scope, send: Send) -> Send:
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                _secure(headers, https)
                if message["status"] == 405:
                    headers["allow"] = allowed_methods(self.router, scope)
            await send(message)

        return send_with_headers


def _secure(headers: MutableHeaders, https: bool) -> None:
    html = headers.get("content-type", "").startswith("text/html")
    headers.setdefault("content-security-policy", PAGE_CSP if html else OTHER_CSP)
    for name, value in BASE_HEADERS.items():
        headers.setdefault(name, value)
    if https:
        headers.setdefault("strict-transport-security", HSTS)


def _hash_inline_scripts(send: Send) -> Send:
    """For the docs pages: hold the (small, static) HTML and allow its inline scripts by hash."""
    held: list[Message] = []

    async def send_docs(message: Message) -> None:
        held.append(message)
        if message["type"] != "http.response.body" or message.get("more_body"):
            return
        start, *bodies = held
        html = b"".join(m.get("body", b"") for m in bodies)
        headers = MutableHeaders(scope=start)
        if headers.get("content-type", "").startswith("text/html"):
            csp = DOCS_CSP.format(cdn=DOCS_CDN, hashes=script_hashes(html))
            headers["content-security-policy"] = csp
        await send(start)
        await send({"type": "http.response.body", "body": html})

    return send_docs
