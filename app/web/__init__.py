"""The analysts' web pages: server-rendered forms on the same services as the API."""

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import ROOT
from app.web import bulk, dashboard, evidence, login, prefill, vendors, waivers
from app.web.deps import LoginRequired
from app.web.errors import login_redirect
from app.web.session import WebSessionMiddleware

STATIC_DIR = ROOT / "app" / "static"

router = APIRouter(include_in_schema=False)
for module in (login, dashboard, vendors, evidence, prefill, waivers, bulk):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    """Mount the pages, their static files and the session middleware on `app`."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    app.add_middleware(WebSessionMiddleware)
    app.add_exception_handler(LoginRequired, login_redirect)
