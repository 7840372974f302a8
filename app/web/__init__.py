"""The analysts' web pages: server-rendered forms on the same services as the API."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import ROOT
from app.web import bulk, dashboard, evidence, login, prefill, vendors, waivers
from app.web.deps import LoginRequired
from app.web.errors import login_redirect
from app.web.session import WebSessionMiddleware

STATIC_DIR = ROOT / "app" / "static"

# Included straight into the app (no router in between: one level less to match on every
# request), the most visited pages first.
PAGES = (dashboard, vendors, evidence, waivers, login, prefill, bulk)


def install(app: FastAPI) -> None:
    """Mount the pages, their static files and the session middleware on `app`."""
    for module in PAGES:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(WebSessionMiddleware)
    app.add_exception_handler(LoginRequired, login_redirect)
