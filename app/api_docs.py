"""The API's documentation — /openapi.json, /docs, /redoc — and who may read it.

In production the document maps every operation and parameter for an attacker, so only a
logged-in user or a token holder reads it, unless VETTED_PUBLIC_API_DOCS says otherwise.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from app.auth.deps import bearer, current_principal
from app.config import get_settings
from app.field_patterns import SHARED
from app.web.deps import LoginRequired

OPENAPI_URL = "/openapi.json"


def _public() -> bool:
    settings = get_settings()
    return settings.env != "production" or settings.public_api_docs


async def document_reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Anyone where the docs are public; otherwise a session or a token (else 401)."""
    if not _public():
        await current_principal(request, credentials)


async def page_reader(request: Request) -> None:
    """Anyone where the docs are public; otherwise a logged-in user (else the login page)."""
    if not _public() and getattr(request.state, "principal", None) is None:
        raise LoginRequired()


def install(app: FastAPI) -> None:
    """Serve the document and its two viewers on `app` (created without FastAPI's own)."""
    app.openapi = _parameters_never_null(app)

    @app.get(OPENAPI_URL, include_in_schema=False, dependencies=[Depends(document_reader)])
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(page_reader)])
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI_URL, title=f"{app.title} - Swagger UI")

    @app.get("/redoc", include_in_schema=False, dependencies=[Depends(page_reader)])
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=OPENAPI_URL, title=f"{app.title} - ReDoc")


def _parameters_never_null(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's document, where an optional parameter is absent or a value, never null."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            # Over HTTP, "null" would be sent as the text null: clients must not be told to.
            for path in document["paths"].values():
                for operation in path.values():
                    for parameter in operation.get("parameters", []):
                        parameter["schema"] = _without_null(parameter["schema"])
            _share_long_patterns(document)
        return app.openapi_schema

    return openapi


def _share_long_patterns(document: dict[str, Any]) -> None:
    """Each long character pattern (app/field_patterns.py) once, as a named schema that every
    text field refers to, instead of a copy in each."""
    used: set[str] = set()

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"pattern"} and node["pattern"] in SHARED:
                used.add(node["pattern"])
                return {"$ref": f"#/components/schemas/{SHARED[node['pattern']]}"}
            return {key: walk(value) for key, value in node.items()}
        return [walk(item) for item in node] if isinstance(node, list) else node

    document.update(walk(document))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for pattern in used:
        schemas[SHARED[pattern]] = {"type": "string", "pattern": pattern}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if len(branches) != 1:
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**branches[0], **rest}
