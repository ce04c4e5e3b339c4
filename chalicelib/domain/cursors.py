"""Opaque pagination cursors: DynamoDB's LastEvaluatedKey, signed and bound to its query.

A cursor is a JWT (HS256) holding the key and the query's scope (e.g. whose
list it is). A changed byte breaks the signature and a cursor from another
query has another scope; both are a 400.
"""

from __future__ import annotations

from typing import Any

import jwt

from chalicelib.errors import Invalid

ALGORITHM = "HS256"
_USE = "cursor"


def encode(last_key: dict[str, Any], *, scope: str, key: str) -> str:
    return jwt.encode({"lek": last_key, "scope": scope, "token_use": _USE}, key, algorithm=ALGORITHM)


def decode(cursor: str, *, scope: str, key: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(cursor, key, algorithms=[ALGORITHM], options={"require": ["lek", "scope", "token_use"]})
    except jwt.PyJWTError as exc:
        raise Invalid("The cursor is not valid.", errors=[{"field": "cursor", "message": "is not valid"}]) from exc
    if claims["token_use"] != _USE or claims["scope"] != scope or not isinstance(claims["lek"], dict):
        raise foreign()
    return claims["lek"]


def foreign() -> Invalid:
    """The 400 of a well-signed cursor that does not resume this query."""
    return Invalid(
        "The cursor belongs to another query.", errors=[{"field": "cursor", "message": "belongs to another query"}]
    )
