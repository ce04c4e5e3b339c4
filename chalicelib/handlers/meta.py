"""Health and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from chalicelib.handlers import openapi
from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.common import HealthOut
from chalicelib.services import health as health_service

bp = ApiBlueprint(__name__)


@bp.operation("GET", "/api/health", response=HealthOut)
def health() -> HealthOut:
    """200 once the table answers; 503 otherwise."""
    health_service.check()
    return HealthOut(status="ok")


@bp.operation("GET", "/api/openapi.json")
def openapi_document() -> dict[str, Any]:
    """This API's OpenAPI 3.1 document."""
    return openapi.document()
