"""The OpenAPI 3.1 document, built from the declared operations and their pydantic models.

Every operation lists the problem documents it can answer with, per status, with
their stable `code`s: those its shape implies (a body or query can be invalid, a
token missing, an id unknown) and those it declares.

The document is written for client generators (openapi-python-client, openapi-generator),
so every route follows the same rules without per-route work: every error response is the
one `Problem` component, its codes listed beside the schema (`x-problem-codes`, `examples`,
the description) rather than narrowing it; only JSON Schema 2020-12 keywords (see
`StandardSchemas`); query models become parameters, never components; a component nothing
refers to is dropped; operationIds are the views' names in camelCase.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.handlers import routes
from chalicelib.handlers.http import OPERATIONS, Operation
from chalicelib.handlers.openapi_schemas import StandardSchemas, camel_case, parameter_schema, referenced
from chalicelib.handlers.problems import PROBLEM_JSON, problem_type
from chalicelib.schemas.common import Problem

REF = "#/components/schemas/{model}"
_Refs = Mapping[tuple[Any, JsonSchemaMode], Any]
_PATH_PARAM = re.compile(r"{(\w+)}")
_REQUEST_ID = {
    "X-Request-Id": {
        "description": (
            "The request's id: the one the client sent when it is 1-128 of `A-Z a-z 0-9 . _ : -`"
            " (anything else could forge log lines), else a new one."
        ),
        "schema": {"type": "string"},
    }
}
_DESCRIPTIONS = {
    400: "The request is not valid; `errors` names the fields.",
    401: "No token, or a token that is invalid or expired.",
    403: "The caller's role may not do this.",
    404: "No such resource, or not the caller's to see.",
    409: "The request conflicts with the current state.",
    422: "The request cannot be processed as sent.",
    429: "Too many attempts; see `Retry-After`.",
    500: "An error on the server's side.",
    503: "The storage is busy or unreachable; retry after `Retry-After` seconds.",
}


def _problems(op: Operation) -> dict[int, list[str]]:
    """Every problem code the operation may answer with, by status."""
    codes: dict[int, list[str]] = {}

    def add(status: int, *names: str) -> None:
        for name in names:
            if name not in codes.setdefault(status, []):
                codes[status].append(name)

    # A write with no body refuses one that has fields (`NoBody`): every write can be a 400.
    if op.body is not None or op.query is not None or op.headers or op.method not in ("GET", "HEAD"):
        add(400, "VALIDATION_ERROR")
    if op.auth != "none":
        add(401, "NOT_AUTHENTICATED", "TOKEN_EXPIRED", "TOKEN_INVALID")
    if op.auth == "provider":
        add(403, "NOT_A_PROVIDER")
    if op.auth == "admin":
        add(403, "FORBIDDEN")
    if "{" in op.path:
        add(404, "NOT_FOUND")
    for status, names in op.problems.items():
        add(status, *names)
    add(500, "INTERNAL_ERROR")
    add(503, "SERVICE_UNAVAILABLE")
    return dict(sorted(codes.items()))


def _problem_response(status: int, codes: list[str]) -> dict[str, Any]:
    """The one `Problem` schema; the codes beside it, where generators do not make types of them."""
    description = _DESCRIPTIONS.get(status, HTTPStatus(status).phrase + ".")
    examples = {
        code: {
            "summary": code,
            "value": {
                "type": problem_type(code),
                "title": HTTPStatus(status).phrase,
                "status": status,
                "detail": description,
                "code": code,
            },
        }
        for code in codes
    }
    return {
        "description": f"{description} Codes: {', '.join(codes)}.",
        "headers": _REQUEST_ID,
        "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model=Problem.__name__)}, "examples": examples}},
        "x-problem-codes": codes,
    }


def _parameters(op: Operation, refs: _Refs, schemas: Mapping[str, Any]) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    if op.query is not None:
        schema = schemas[refs[(op.query, "validation")]["$ref"].removeprefix(REF.format(model=""))]
        required = set(schema.get("required", []))
        parameters += [
            {"name": name, "in": "query", "required": name in required, "schema": parameter_schema(prop)}
            for name, prop in schema.get("properties", {}).items()
        ]
    parameters += [
        {"name": name, "in": "header", "required": False, "description": text, "schema": {"type": "string"}}
        for name, text in op.headers.items()
    ]
    return parameters


def _operation(op: Operation, refs: _Refs, schemas: Mapping[str, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary, "headers": _REQUEST_ID}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    elif op.status != 204:
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    responses: dict[str, Any] = {str(op.status): success}
    for status, codes in _problems(op).items():
        responses[str(status)] = _problem_response(status, codes)
    document: dict[str, Any] = {
        "operationId": camel_case(op.name),
        "summary": op.summary,
        # The first segment after /api names the client's API class; /api/health and the
        # document itself are "meta".
        "tags": [op.path.split("/")[2] if op.path.count("/") > 2 else "meta"],
        "parameters": _parameters(op, refs, schemas),
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
    routes.load_all()
    operations = sorted(OPERATIONS, key=lambda op: routes.position(op.method, op.path))
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for op in operations:
        models += [(m, "validation") for m in (op.body, op.query) if m is not None]
        if op.response is not None:
            models.append((op.response, "serialization"))
    refs, definitions = models_json_schema(
        list(dict.fromkeys(models)), ref_template=REF, schema_generator=StandardSchemas
    )
    schemas = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Stays booking API",
            "version": "1.0.0",
            "description": (
                "Find and book rooms in hotels, homestays and resorts. Errors are RFC 9457 problem "
                "documents whose `code` is stable. Lists take `limit` (1-100) and an opaque `cursor`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": referenced(paths, schemas),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
