"""The schema rules of the OpenAPI document, for every model of every route.

Pydantic's JSON Schema is close to what client generators want, but not quite: it titles
every property (generators name types after those titles), names a generic model
`Page_StayCard_`, writes a request Decimal as `number | string` with a pattern, and lets
constraints it cannot place leak out under its own names (`decimal_places`, `gt`). These
rules keep the document to JSON Schema 2020-12 and to names a generator can use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

_GENERIC = re.compile(r"(\w+)\[(\w+(?:, ?\w+)*)\]")
_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}
_REF_PREFIX = "#/components/schemas/"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _generic_name(name: str) -> str:
    """`Page[StayCard]` is `StayCardPage`, the name a generated client gives the type."""
    generic = _GENERIC.fullmatch(name)
    if generic:
        return "".join(arg.strip() for arg in generic[2].split(",")) + generic[1]
    return name


class StandardSchemas(GenerateJsonSchema):
    """Pydantic's schema generator, held to standard keywords and to names a generator can use."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        # A property's name says it all; its title would make generators name a type after it.
        return False

    def normalize_name(self, name: str) -> str:
        return super().normalize_name(_generic_name(name))

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        if "title" in json_schema:  # generators name the class after the title
            json_schema["title"] = _generic_name(json_schema["title"])
        return json_schema

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        """A Decimal read from a request is a JSON number; its bounds as standard keywords.

        `max_digits` and `decimal_places` have no JSON Schema keyword (`multipleOf` on a
        binary float is unreliable in validators); the server still enforces them exactly.
        """
        if self.mode == "serialization":
            return super().decimal_schema(schema)
        json_schema: JsonSchemaValue = {"type": "number"}
        for key, keyword in _BOUNDS.items():
            bound = schema.get(key)
            if bound is not None:
                json_schema[keyword] = _number(Decimal(str(bound)))
        return json_schema


def parameter_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A query field's schema as a parameter's: an absent parameter is how a query says "none"."""
    result = {key: value for key, value in schema.items() if not (key == "default" and value is None)}
    branches = [branch for branch in result.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        result = {**branches[0], **result}
    elif branches:
        result["anyOf"] = branches
    return result


def camel_case(name: str) -> str:
    """`cancel_booking` -> `cancelBooking`: the operationId, stable as long as the view's name is."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            found.add(ref.removeprefix(_REF_PREFIX))
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def referenced(paths: Mapping[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """The components that the paths refer to, directly or through other components."""
    seen: set[str] = set()
    todo = _refs(paths)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo |= _refs(schemas[name]) - seen
    return {name: schemas[name] for name in sorted(seen)}
