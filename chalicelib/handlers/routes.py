"""Every route, with the handler module that serves it: what a cold start imports instead of them.

A Lambda cold start imports `app`, which registers these routes with Chalice. A route's
handler module (its pydantic schemas, PynamoDB models, PyJWT, argon2...) is imported by
the route's first request, so a cold start pays only for Chalice, boto3 and this table,
and the first request to a route pays for what that route needs. A test holds this table
equal to the operations the handler modules declare: a new route is declared there with
`@bp.operation` and listed here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalice import Chalice, Response

_HANDLERS = "chalicelib.handlers"
ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "meta": (
        ("GET", "/api/health"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/docs"),
        ("GET", "/api/docs/{asset}"),
    ),
    "auth": (
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/token"),
        ("POST", "/api/auth/token/refresh"),
        ("POST", "/api/auth/logout"),
        ("GET", "/api/auth/me"),
    ),
    "accounts": (
        ("GET", "/api/accounts/guest-profile"),
        ("PATCH", "/api/accounts/guest-profile"),
        ("POST", "/api/accounts/become-provider"),
        ("GET", "/api/accounts/provider-profile"),
        ("PATCH", "/api/accounts/provider-profile"),
        ("GET", "/api/providers/{provider_id}"),
        ("POST", "/api/admin/providers/{provider_id}/kyc"),
    ),
    "listings": (
        ("POST", "/api/listings/stays"),
        ("GET", "/api/listings/stays/{stay_id}"),
        ("PATCH", "/api/listings/stays/{stay_id}"),
        ("DELETE", "/api/listings/stays/{stay_id}"),
        ("GET", "/api/listings/my-stays"),
        ("POST", "/api/listings/stays/{stay_id}/rooms"),
        ("PATCH", "/api/listings/stays/{stay_id}/rooms/{room_id}"),
        ("DELETE", "/api/listings/stays/{stay_id}/rooms/{room_id}"),
    ),
    "search": (
        ("GET", "/api/listings/rooms/available"),
        ("GET", "/api/listings/search/stays"),
    ),
    "rates": (
        ("GET", "/api/listings/stays/{stay_id}/rooms/{room_id}/rates"),
        ("PUT", "/api/listings/stays/{stay_id}/rooms/{room_id}/rates"),
        ("GET", "/api/listings/stays/{stay_id}/calendar"),
    ),
    "reviews": (
        ("POST", "/api/bookings/rooms/{booking_id}/review"),
        ("GET", "/api/listings/stays/{stay_id}/reviews"),
        ("POST", "/api/reviews/{review_id}/reply"),
        ("POST", "/api/admin/reviews/{review_id}/hide"),
    ),
    "webhooks": (
        ("POST", "/api/accounts/provider-profile/webhooks"),
        ("GET", "/api/accounts/provider-profile/webhooks"),
        ("DELETE", "/api/accounts/provider-profile/webhooks/{webhook_id}"),
        ("GET", "/api/accounts/provider-profile/webhooks/{webhook_id}/deliveries"),
    ),
    "bookings": (
        ("POST", "/api/bookings/rooms/room-booking"),
        ("GET", "/api/bookings/rooms/my"),
        ("GET", "/api/bookings/rooms/provider/{provider_id}"),
        ("GET", "/api/bookings/rooms/{booking_id}"),
        ("POST", "/api/bookings/rooms/{booking_id}/cancel"),
        ("POST", "/api/bookings/rooms/{booking_id}/confirm"),
        ("POST", "/api/bookings/rooms/{booking_id}/reject"),
        ("GET", "/api/bookings/rooms/{booking_id}/cancellation"),
        ("POST", "/api/bookings/rooms/{booking_id}/provider-cancel"),
    ),
}


def _on_first_use(module: str, method: str, path: str) -> Callable[..., Response]:
    """A view that imports `module` (whose `@bp.operation`s fill `ENDPOINTS`) and calls the route's endpoint."""

    def view(**path_params: str) -> Response:
        importlib.import_module(f"{_HANDLERS}.{module}")
        from chalicelib.handlers.http import ENDPOINTS

        return ENDPOINTS[(method, path)](**path_params)

    view.__name__ = f"{module}_{method.lower()}"
    return view


def register(app: Chalice) -> None:
    """Every route on `app`, each served by its handler module once that is imported."""
    for module, routes in ROUTES.items():
        for method, path in routes:
            # HEAD wherever GET: the same answer without its body (`http_middleware`), locally
            # and on API Gateway alike, since the template's methods come from these routes.
            methods = [method, "HEAD"] if method == "GET" else [method]
            app.route(path, methods=methods)(_on_first_use(module, method, path))


def load_all() -> None:
    """Import every handler module: all operations declared (for the OpenAPI document)."""
    for module in ROUTES:
        importlib.import_module(f"{_HANDLERS}.{module}")


def position(method: str, path: str) -> int:
    """A route's place in the table, for a document that lists them in a stable order."""
    flat = [route for table in ROUTES.values() for route in table]
    return flat.index((method, path))
