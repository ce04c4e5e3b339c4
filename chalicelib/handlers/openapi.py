"""The OpenAPI 3.1 document, built from the declared operations and their pydantic models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.handlers.http import OPERATIONS, Operation
from chalicelib.schemas.common import ProblemOut

REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"{(\w+)}")


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": REF.format(model=ProblemOut.__name__)}
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(op: Operation, refs: Mapping[tuple[Any, JsonSchemaMode], Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    responses: dict[str, Any] = {}
    if op.response is not None:
        schema = refs[(op.response, "serialization")]
        responses[str(op.status)] = {"description": "Success", "content": {"application/json": {"schema": schema}}}
    else:
        responses[str(op.status)] = {"description": "Success, no content"}
    if op.body is not None or op.query is not None:
        responses["400"] = _problem("Invalid input (`VALIDATION_ERROR`, with `errors`)")
    if op.auth != "none":
        responses["401"] = _problem("Missing, invalid or expired token")
    if op.auth in ("provider", "admin"):
        responses["403"] = _problem("The caller's role may not do this")
    if "{" in op.path:
        responses["404"] = _problem("Unknown id, or not the caller's to see")
    responses["default"] = _problem("Any other error")
    document: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "parameters": parameters,
        "responses": responses,
    }
    if op.body is not None:
        schema = refs[(op.body, "validation")]
        document["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    if op.auth != "none":
        document["security"] = [{"bearerAuth": []}]
    return document


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ProblemOut, "serialization")]
    for op in OPERATIONS:
        models += [(m, "validation") for m in (op.body, op.query) if m is not None]
        if op.response is not None:
            models.append((op.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Stays booking API", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
