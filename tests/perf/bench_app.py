"""The app as the benchmark serves it: Vetted plus a bare endpoint to measure against.

The bare endpoint is `async def`, sits behind the same auth dependency as the status API and
returns a constant JSON body of the size the runner passes (the mean status response), so
the ratio of the two is what Vetted's own work costs. It exists only in this factory:

    uvicorn tests.perf.bench_app:create_bench_app --factory
"""

import os

from fastapi import APIRouter, FastAPI, Response
from starlette.routing import Match

from app.api_common import VendorId
from app.auth.deps import Reader
from app.main import create_app

BODY_BYTES = "VETTED_BENCH_BODY_BYTES"
BARE_PATH = "/api/v1/bench/bare/{vendor_id}"
STATUS_PATH = "/api/v1/vendors/1/status"


def constant_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (at least its frame)."""
    head, tail = b'{"vendor_id":0,"pad":"', b'"}'
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


def bare_router(body: bytes) -> APIRouter:
    """GET BARE_PATH: the same path shape and auth as the status API, a constant body."""
    router = APIRouter(include_in_schema=False)

    @router.get(BARE_PATH)
    async def bare(vendor_id: VendorId, _: Reader) -> Response:
        return Response(body, media_type="application/json")

    return router


def create_bench_app() -> FastAPI:
    """Vetted with the bare endpoint added, matched right after the status API's routes
    (routes are matched in order: last in the list, it would pay for every route before)."""
    app = create_app()
    app.include_router(bare_router(constant_body(int(os.environ.get(BODY_BYTES, "700")))))
    routes = app.router.routes
    status_routes = next(i for i, r in enumerate(routes) if _serves(r, STATUS_PATH))
    routes.insert(status_routes + 1, routes.pop())
    return app


def _serves(route, path: str) -> bool:
    """Whether `route` (a route, or a router included in the app) serves `path`."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    return route.matches(scope)[0] == Match.FULL
