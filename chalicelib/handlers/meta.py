"""Health, the OpenAPI document and the docs page that renders it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalice import Response

from chalicelib.errors import NotFound
from chalicelib.handlers import openapi
from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.common import HealthOut
from chalicelib.services import health as health_service

bp = ApiBlueprint(__name__)
# Swagger UI's own files, copied by `make` from the npm package swagger-ui-dist into vendor/,
# which Chalice unpacks at the root of the Lambda zip: found there on AWS, under vendor/ here.
_ROOT = Path(__file__).resolve().parent.parent.parent
ASSETS = next((p for p in (_ROOT / "swagger-ui", _ROOT / "vendor" / "swagger-ui") if p.is_dir()), _ROOT / "swagger-ui")
_ASSET_TYPES = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css"}
_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Stays booking API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true});
  </script>
</body>
</html>
"""


@bp.operation("GET", "/api/health", response=HealthOut)
def health() -> HealthOut:
    """200 once the table answers; 503 otherwise."""
    health_service.check()
    return HealthOut(status="ok")


@bp.operation("GET", "/api/openapi.json")
def openapi_document() -> dict[str, Any]:
    """This API's OpenAPI 3.1 document."""
    return openapi.document()


@bp.operation("GET", "/api/docs", in_schema=False)
def docs_page() -> Response:
    """A browsable page of the OpenAPI document; its assets come from this app, not a CDN."""
    return Response(body=_DOCS_PAGE, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@bp.operation("GET", "/api/docs/{asset}", in_schema=False)
def docs_asset(asset: str) -> Response:
    """Swagger UI's script and stylesheet."""
    path = ASSETS / asset
    if asset not in _ASSET_TYPES or not path.is_file():
        raise NotFound("No such file.")
    return Response(
        body=path.read_text(encoding="utf-8"),
        status_code=200,
        headers={"Content-Type": _ASSET_TYPES[asset], "Cache-Control": "public, max-age=86400"},
    )
