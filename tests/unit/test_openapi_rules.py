"""Document-wide rules that client generators need, checked on every operation and schema,
so that a route added later is held to them too (see chalicelib/handlers/openapi.py)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.write_openapi import rendered

# JSON Schema 2020-12: core, applicator, unevaluated, validation, meta-data, format, content.
KEYWORDS = {
    *("$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs"),
    *("prefixItems", "items", "contains", "additionalProperties", "properties", "patternProperties"),
    *("dependentSchemas", "propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf", "not"),
    *("unevaluatedItems", "unevaluatedProperties"),
    *("type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"),
    *("maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains"),
    *("maxProperties", "minProperties", "required", "dependentRequired"),
    *("title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples"),
    *("format", "contentEncoding", "contentMediaType", "contentSchema"),
}
_NAMED = ("properties", "patternProperties", "$defs", "dependentSchemas")
_ONE = ("items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not")
_ONE += ("unevaluatedItems", "unevaluatedProperties", "contentSchema")
_MANY = ("prefixItems", "allOf", "anyOf", "oneOf")
PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return json.loads(rendered())


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def _roots(doc: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every schema the document holds, with where it is."""
    for name, schema in doc["components"]["schemas"].items():
        yield f"components/{name}", schema
    for where, op in _operations(doc):
        for parameter in op.get("parameters", []):
            yield f"{where} parameter {parameter['name']}", parameter["schema"]
        for media in op.get("requestBody", {}).get("content", {}).values():
            yield f"{where} body", media["schema"]
        for status, response in op["responses"].items():
            for media in response.get("content", {}).values():
                yield f"{where} {status}", media["schema"]
            for header, spec in response.get("headers", {}).items():
                yield f"{where} {status} {header}", spec["schema"]


def _subschemas(where: str, schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(schema, dict):
        return
    yield where, schema
    for key in _NAMED:
        for name, sub in schema.get(key, {}).items():
            yield from _subschemas(f"{where}.{name}", sub)
    for key in _ONE:
        if key in schema:
            yield from _subschemas(f"{where}/{key}", schema[key])
    for key in _MANY:
        for i, sub in enumerate(schema.get(key, [])):
            yield from _subschemas(f"{where}/{key}/{i}", sub)


def _all_schemas(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for where, root in _roots(doc):
        yield from _subschemas(where, root)


def test_schemas_use_json_schema_2020_12_keywords_only(doc: dict[str, Any]) -> None:
    bad = {
        f"{where}: {key}"
        for where, schema in _all_schemas(doc)
        for key in schema
        if key not in KEYWORDS and not key.startswith("x-")
    }
    assert not bad, sorted(bad)


def test_every_error_response_is_the_one_problem_schema_with_its_codes(doc: dict[str, Any]) -> None:
    for where, op in _operations(doc):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            (media_type, media), *others = response["content"].items()
            assert not others and media_type == "application/problem+json", (where, status)
            assert media["schema"] == PROBLEM, (where, status)
            codes = response["x-problem-codes"]
            assert codes and set(media["examples"]) == set(codes), (where, status)
            assert all(media["examples"][c]["value"]["status"] == int(status) for c in codes), (where, status)
            assert all(code in response["description"] for code in codes), (where, status)


def test_no_schema_is_unused(doc: dict[str, Any]) -> None:
    components = doc["components"]["schemas"]
    text = json.dumps(doc["paths"])
    used: set[str] = set()
    todo = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    while todo:
        name = todo.pop()
        used.add(name)
        todo |= set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(components[name]))) - used
    assert set(components) == used, sorted(set(components) - used)


def test_operation_ids_are_unique_and_camel_case(doc: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, op in _operations(doc)]
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", i) for i in ids), ids
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


def test_money_is_a_number_never_a_number_or_string(doc: dict[str, Any]) -> None:
    for where, schema in _all_schemas(doc):
        types = {branch.get("type") for branch in schema.get("anyOf", [])}
        assert not {"number", "string"} <= types, where
    price = doc["components"]["schemas"]["RoomCreate"]["properties"]["price_per_night"]
    assert price == {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10_000_000_000}


def test_an_enum_is_declared_once_and_referred_to_by_name(doc: dict[str, Any]) -> None:
    """The same shape has the same name: an enum used twice is a named component (TypeAliasType)."""
    enums = Counter(tuple(schema["enum"]) for _, schema in _all_schemas(doc) if len(schema.get("enum", [])) > 1)
    assert not [values for values, n in enums.items() if n > 1]
    assert {"StayType", "BookingStatus"} <= set(doc["components"]["schemas"])


def test_query_models_are_parameters_not_components(doc: dict[str, Any]) -> None:
    assert not {name for name in doc["components"]["schemas"] if name.endswith("Query")}
    search = doc["paths"]["/api/listings/search/stays"]["get"]["parameters"]
    by_name = {p["name"]: p for p in search}
    assert by_name["min_price"]["schema"] == {"type": "number", "minimum": 0}
    assert by_name["stay_type"]["schema"] == {"$ref": "#/components/schemas/StayType"}


def test_component_names_are_plain_type_names(doc: dict[str, Any]) -> None:
    """No `Page_StayCard_` or `RoomOut-Input`: a model that differs between request and response
    would get two names for one class; such a model needs a separate request and response model."""
    bad = [name for name in doc["components"]["schemas"] if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)]
    assert not bad, bad
