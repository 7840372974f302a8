"""Idempotency-Key for API writes: a retried request is answered, never applied twice.

A client that gets no answer to a POST or PATCH (a timeout, a dropped connection, a 503)
cannot tell whether it was applied. Sent with `Idempotency-Key: <unique value>`, the request
is claimed under that key first; the write marks the claim in its own transaction (so the
claim says "applied" exactly when the write committed), and the response is stored beside
it. A retry with the same key and the same request gets the stored response again
(`Idempotent-Replayed: true`); the same key with another request is a 422; a retry while
the first is still running is a 409 with Retry-After. A request that wrote nothing (refused
input, a 404) leaves no record, so the key can be used again. Keys are per credential and
kept for 24 hours. Uploads (multipart) replace the document by its content and need no key.

A key belongs to the credential that sent it, by identity (`token:<id>` or, for a web session
writing through the API, `user:<id>`), not by the Authorization header's spelling: `Bearer`,
`bearer` and `BEARER` are one client. The credential is checked before anything is claimed
or replayed, so a revoked token gets a 401, never a stored answer.
"""

import contextvars
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import anyio
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import delete, event, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import clock
from app.auth.roles import Role
from app.auth.tokens import Principal, lookup_token
from app.db import session_scope
from app.errors import Conflict
from app.models import IdempotencyKey

HEADER = "idempotency-key"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
MAX_KEY = 255
KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=60)  # a claim older than this, with nothing committed, is abandoned
_claim: contextvars.ContextVar["Claim | None"] = contextvars.ContextVar("idempotency_claim")


@dataclass(frozen=True)
class Claim:
    """This request's hold on its key."""

    row_id: int
    token: str


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big") + part)
    return hasher.hexdigest()


def _error(status: int, detail: str, **headers: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)


def _key_problem(key: str) -> str | None:
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable() or not key.isascii():
        return f"Idempotency-Key must be 1-{MAX_KEY} printable ASCII characters"
    return None


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _flush_context) -> None:
    session.info["wrote"] = True


@event.listens_for(Session, "before_commit")
def _mark_applied(session: Session) -> None:
    """In the write's own transaction: the claim says "applied" exactly when the write commits.

    A claim taken over meanwhile (the lease ran out) no longer carries this token: the write
    is then refused, so that only one of the two requests can apply it.
    """
    claim = _claim.get(None)
    if claim is None or not session.info.get("wrote"):
        return
    marked = session.execute(
        update(IdempotencyKey)
        .where(col(IdempotencyKey.id) == claim.row_id, IdempotencyKey.claim == claim.token)
        .values(committed=True)
    )
    if marked.rowcount != 1:
        raise Conflict("another request with this Idempotency-Key took over; retry it")


def _replay(row: IdempotencyKey) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    media = row.content_type or "application/json"
    return Response(row.body or "", status_code=row.status_code, media_type=media, headers=headers)


def _answer_existing(row: IdempotencyKey, fingerprint: str) -> Response | None:
    """What to answer for a key in use; None when its abandoned claim may be taken over."""
    if row.fingerprint != fingerprint:
        return _error(422, "this Idempotency-Key was used with a different request")
    if row.status_code is not None:
        return _replay(row)
    abandoned = clock.utc_now() - row.created_at > LEASE
    if row.committed and abandoned:
        return _error(409, "this request was applied but its response was lost; read the record")
    if not abandoned:
        return _error(
            409, "a request with this Idempotency-Key is in progress", **{"Retry-After": "1"}
        )
    return None


def _claim_key(owner: str, key: str, fingerprint: str) -> Claim | Response:
    """Claim the key for this request, or the answer to give instead."""
    now, token = clock.utc_now(), secrets.token_hex(16)
    with session_scope(writes=True) as session:
        session.exec(
            delete(IdempotencyKey).where(
                IdempotencyKey.owner == owner, col(IdempotencyKey.created_at) < now - KEEP
            )
        )
        query = select(IdempotencyKey).where(
            IdempotencyKey.owner == owner, IdempotencyKey.key == key
        )
        row = session.exec(query).first()
        if row is not None:
            answer = _answer_existing(row, fingerprint)
            if answer is not None:
                return answer
            row.claim, row.created_at = token, now  # take the abandoned claim over
        else:
            row = IdempotencyKey(
                owner=owner, key=key, fingerprint=fingerprint, claim=token, created_at=now
            )
        session.add(row)
        session.flush()
        return Claim(row_id=row.id, token=token)


def _finish(claim: Claim, start: Message | None, body: bytes) -> None:
    """Store the response of a request that wrote; free the key of one that did not."""
    with session_scope(writes=True) as session:
        mine = (col(IdempotencyKey.id) == claim.row_id, IdempotencyKey.claim == claim.token)
        row = session.exec(select(IdempotencyKey).where(*mine)).first()
        if row is None:
            return
        if not row.committed:
            session.delete(row)
        elif start is not None:
            row.status_code = start["status"]
            row.content_type = Headers(raw=start["headers"]).get("content-type")
            row.body = body.decode("utf-8", "replace")
            session.add(row)


class IdempotencyMiddleware:
    """Claims, replays and records API writes that carry an Idempotency-Key."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else Headers()
        if not _applies(scope, headers):
            await self.app(scope, receive, send)
            return
        key = headers[HEADER]
        problem = _key_problem(key)
        if problem:
            await _error(400, problem)(scope, receive, send)
            return
        body = await _read_body(receive)  # before any wait: a client gone meanwhile takes it
        if body is None:  # the client left before sending the whole request: nothing to do
            return
        principal = await _caller(scope, headers)
        if principal is None:  # no credentials: the route answers 401 as it would without a key
            await self.app(scope, _replaying(body, receive), send)
            return
        if principal is REFUSED:
            await REVOKED(scope, receive, send)
            return
        path = scope["path"].encode("utf-8", "replace")
        fingerprint = _digest(scope["method"].encode(), path, scope.get("query_string", b""), body)
        outcome = await _claim_in_thread(principal.subject, key, fingerprint)
        if isinstance(outcome, Response):
            await outcome(scope, receive, send)
            return
        await self._run(scope, _replaying(body, receive), send, outcome)

    async def _run(self, scope: Scope, receive: Receive, send: Send, claim: Claim) -> None:
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        token = _claim.set(claim)
        try:
            await self.app(scope, receive, hold)
        except BaseException:
            _claim.reset(token)
            with anyio.CancelScope(shield=True):  # a client gone away still frees the key
                await run_in_threadpool(_finish, claim, None, b"")
            raise
        _claim.reset(token)
        start, response_body = held[0], b"".join(m.get("body", b"") for m in held[1:])
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_finish, claim, start, response_body)
        for message in held:
            await send(message)


def _applies(scope: Scope, headers: Headers) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] in WRITE_METHODS
        and scope["path"].startswith("/api/")
        and HEADER in headers
        and not headers.get("content-type", "").lower().startswith("multipart/")
    )


REFUSED = Principal(name="", role=Role.reader, subject="")  # a bearer token that is not live
REVOKED = _error(401, "invalid or revoked token", **{"WWW-Authenticate": "Bearer"})


async def _caller(scope: Scope, headers: Headers) -> Principal | None:
    """Who sends the request, as the routes will see it: a bearer token (any spelling of the
    scheme; REFUSED when unknown or revoked), else the web session's user, else None."""
    scheme, credentials = get_authorization_scheme_param(headers.get("authorization"))
    if scheme.lower() == "bearer" and credentials:
        return await lookup_token(credentials) or REFUSED
    return scope.get("state", {}).get("principal")


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client disconnected first (an empty body
    in its place would be claimed under the key, and the client's retry refused as another
    request)."""
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app: the body read already, then the client's own messages (its
    disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


async def _claim_in_thread(owner: str, key: str, fingerprint: str) -> Claim | Response:
    try:
        return await run_in_threadpool(_claim_key, owner, key, fingerprint)
    except IntegrityError:  # a concurrent first use of the key won: answer as a retry
        return await run_in_threadpool(_claim_key, owner, key, fingerprint)
