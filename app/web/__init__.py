"""What the analysts' pages share: the session, CSRF, templating, forms and error pages.

Each domain keeps its own pages beside it (`app/vendors/web.py`, `app/evidence/web.py`, …);
`install` mounts the ones it is given, with the static files and the session middleware.
"""

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import ROOT
from app.web.deps import LoginRequired
from app.web.errors import login_redirect
from app.web.session import WebSessionMiddleware

STATIC_DIR = ROOT / "app" / "static"


def install(app: FastAPI, pages: tuple[APIRouter, ...]) -> None:
    """Mount `pages` (the most visited first), their static files and the session middleware."""
    for router in pages:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(WebSessionMiddleware)
    app.add_exception_handler(LoginRequired, login_redirect)
