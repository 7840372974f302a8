"""create_app(): the routers, static files and the exception handlers."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from app import api_docs
from app.api_common import API_ROUTER_OPTIONS
from app.bulk import web as bulk_pages
from app.bulk.api import router as bulk_router
from app.config import get_settings
from app.digest.api import router as digest_router
from app.digest.scheduler import weekly_digest
from app.digest.web import router as digest_web_router
from app.documents.api import router as documents_router
from app.errors import DomainError
from app.evidence import prefill_web as prefill_pages
from app.evidence import web as evidence_pages
from app.evidence.api import router as evidence_router
from app.idempotency import IdempotencyMiddleware
from app.portal import pages as portal_pages
from app.portal import privacy as portal_privacy
from app.portal import review_web as request_pages
from app.portal.api import router as requests_router
from app.portal.reminders import daily_mail as portal_daily_mail
from app.security import SecurityMiddleware
from app.status.daily import daily_refresh
from app.system_api import health
from app.system_api import router as rules_router
from app.vendors import lifecycle_web as lifecycle_pages
from app.vendors import list_web as list_pages
from app.vendors import web as vendor_pages
from app.vendors.api import router as vendors_router
from app.vendors.lifecycle_api import router as lifecycle_router
from app.waivers import web as waiver_pages
from app.waivers.api import router as waivers_router
from app.web import install as install_web
from app.web import login as login_pages
from app.web.errors import web_or

API_PREFIX = "/api/v1"


async def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped: a lone surrogate, which UTF-8 cannot encode,
    is then written as \\udXXX instead of failing the response."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    # The errors echo the input back, and the input may hold what UTF-8 cannot encode.
    return AsciiJSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)


async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    return JSONResponse(
        {"detail": "conflicts with an existing record; reload and retry"}, status_code=409
    )


async def _database_busy(request: Request, exc: OperationalError) -> JSONResponse:
    return JSONResponse(
        {"detail": "the database is busy or unavailable; retry shortly"},
        status_code=503,
        headers={"Retry-After": "1"},
    )


# What the daily pass does beside re-evaluating lapsed vendors (app/status/daily.py).
DAILY_JOBS = (portal_daily_mail,)


@asynccontextmanager
async def _background_jobs(app: FastAPI) -> AsyncIterator[None]:
    """Beside the server: the weekly digest and the daily pass over lapsed statuses."""
    async with weekly_digest(app), daily_refresh(app, jobs=DAILY_JOBS):
        yield


# The analysts' pages, each beside its domain; the most visited first.
PAGES = tuple(
    module.router
    for module in (
        list_pages,
        vendor_pages,
        evidence_pages,
        waiver_pages,
        lifecycle_pages,
        request_pages,
        portal_pages,  # the vendor portal: no login, the link alone
        login_pages,
        prefill_pages,
        bulk_pages,
    )
)


def create_app() -> FastAPI:
    """The Vetted application."""
    get_settings()  # fail fast on bad settings (a placeholder secret in production)
    app = FastAPI(
        title="Vetted",
        version="1.0.0",
        description="Vendor due-diligence tracker: vendors, their security evidence, "
        "and whether you may sign or renew with them.",
        lifespan=_background_jobs,
        openapi_url=None,  # served by api_docs, to logged-in users only in production
        docs_url=None,
        redoc_url=None,
    )
    # Routes are matched in order, one by one: the most requested come first (the status
    # API and the vendor reads, then the pages analysts open), the rarer API calls after.
    app.include_router(vendors_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    # Inside the session middleware (added by install_web): a key sent by a web session is
    # bound to its user, whom that middleware finds.
    app.add_middleware(IdempotencyMiddleware)  # API writes sent with an Idempotency-Key
    install_web(app, PAGES)
    app.include_router(evidence_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(waivers_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(documents_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(requests_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(lifecycle_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(bulk_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(rules_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(digest_router, prefix=API_PREFIX, **API_ROUTER_OPTIONS)
    app.include_router(health, **API_ROUTER_OPTIONS)
    app.include_router(digest_web_router)
    api_docs.install(app)
    app.add_middleware(SecurityMiddleware, router=app.router)  # outermost: every response
    # HTML error pages for the browser, JSON for /api/v1 (web_or picks by path).
    app.add_exception_handler(DomainError, web_or(_domain_error))
    app.add_exception_handler(IntegrityError, web_or(_integrity_error))
    app.add_exception_handler(OperationalError, web_or(_database_busy))
    app.add_exception_handler(HTTPException, web_or(http_exception_handler))
    app.add_exception_handler(RequestValidationError, web_or(_invalid_request))
    portal_privacy.install(app)  # outermost: the portal's headers, no cookie, no token logged
    return app
