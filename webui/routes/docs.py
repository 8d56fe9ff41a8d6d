"""The API's documents for signed-in users only: the OpenAPI document and Swagger UI, whose
script and styles come from the ``swagger-ui-bundle`` package on this site, not from a CDN (an
air-gapped site has none, and a CDN's script would run in Voxsight's origin)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import swagger_ui_bundle
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from voxsight.webui.deps import Caller, caller

OPENAPI, DOCS = "/api/openapi.json", "/api/docs"
ASSETS = f"{DOCS}/assets"
_ASSET_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
                "favicon-32x32.png": "image/png"}
_BUNDLE = Path(swagger_ui_bundle.swagger_ui_path)

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Caller, Depends(caller)]

PAGE = get_swagger_ui_html(openapi_url=OPENAPI, title="Voxsight API", swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                           swagger_css_url=f"{ASSETS}/swagger-ui.css", swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
                           swagger_ui_parameters={"validatorUrl": None}).body.decode()  # no badge from swagger.io


def inline_script() -> str:
    """The page's one inline script (its CSP allows it by hash)."""
    return PAGE.rsplit("<script>", 1)[1].split("</script>", 1)[0]


@router.get(OPENAPI)
def openapi(request: Request, _who: SignedIn) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get(DOCS)
def docs(_who: SignedIn) -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get(ASSETS + "/{name}")
def asset(name: str) -> FileResponse:
    if name not in _ASSET_FILES:
        raise HTTPException(404, f"no {name} here")
    return FileResponse(_BUNDLE / name, media_type=_ASSET_FILES[name])
