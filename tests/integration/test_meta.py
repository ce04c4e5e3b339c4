"""Health, the OpenAPI document, request ids and Chalice's own errors as problem documents."""

from tests.factories import Api

API_ROUTES = {
    ("get", "/api/health"),
    ("get", "/api/openapi.json"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/token"),
    ("post", "/api/auth/token/refresh"),
    ("post", "/api/auth/logout"),
    ("get", "/api/auth/me"),
    ("get", "/api/accounts/guest-profile"),
    ("patch", "/api/accounts/guest-profile"),
    ("post", "/api/accounts/become-provider"),
    ("get", "/api/accounts/provider-profile"),
    ("patch", "/api/accounts/provider-profile"),
    ("get", "/api/providers/{provider_id}"),
    ("post", "/api/admin/providers/{provider_id}/kyc"),
    ("post", "/api/listings/stays"),
    ("get", "/api/listings/stays/{stay_id}"),
    ("patch", "/api/listings/stays/{stay_id}"),
    ("delete", "/api/listings/stays/{stay_id}"),
    ("get", "/api/listings/my-stays"),
    ("get", "/api/listings/rooms/available"),
    ("get", "/api/listings/search/stays"),
    ("post", "/api/listings/stays/{stay_id}/rooms"),
    ("patch", "/api/listings/stays/{stay_id}/rooms/{room_id}"),
    ("delete", "/api/listings/stays/{stay_id}/rooms/{room_id}"),
    ("get", "/api/listings/stays/{stay_id}/rooms/{room_id}/rates"),
    ("put", "/api/listings/stays/{stay_id}/rooms/{room_id}/rates"),
    ("get", "/api/listings/stays/{stay_id}/calendar"),
    ("post", "/api/bookings/rooms/room-booking"),
    ("get", "/api/bookings/rooms/my"),
    ("get", "/api/bookings/rooms/provider/{provider_id}"),
    ("get", "/api/bookings/rooms/{booking_id}"),
    ("post", "/api/bookings/rooms/{booking_id}/cancel"),
    ("post", "/api/bookings/rooms/{booking_id}/confirm"),
    ("get", "/api/bookings/rooms/{booking_id}/cancellation"),
    ("post", "/api/bookings/rooms/{booking_id}/provider-cancel"),
    ("post", "/api/bookings/rooms/{booking_id}/reject"),
    ("post", "/api/bookings/rooms/{booking_id}/review"),
    ("get", "/api/listings/stays/{stay_id}/reviews"),
    ("post", "/api/reviews/{review_id}/reply"),
    ("post", "/api/admin/reviews/{review_id}/hide"),
    ("post", "/api/accounts/provider-profile/webhooks"),
    ("get", "/api/accounts/provider-profile/webhooks"),
    ("delete", "/api/accounts/provider-profile/webhooks/{webhook_id}"),
    ("get", "/api/accounts/provider-profile/webhooks/{webhook_id}/deliveries"),
}


def test_health_is_ok_when_the_table_answers(api: Api) -> None:
    reply = api.get("/api/health")
    assert (reply.status, reply.body) == (200, {"status": "ok"})


def test_health_is_503_problem_when_the_table_is_missing(api: Api) -> None:
    import boto3

    from chalicelib.settings import get_settings

    boto3.client("dynamodb").delete_table(TableName=get_settings().table_name)
    reply = api.get("/api/health")
    assert reply.status == 503
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.code == "SERVICE_UNAVAILABLE"
    assert "Retry-After" in reply.headers


def test_openapi_document_lists_every_route_with_security(api: Api) -> None:
    reply = api.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.body["openapi"] == "3.1.0"
    documented = {(m, p) for p, ops in reply.body["paths"].items() for m in ops}
    assert documented == API_ROUTES
    me = reply.body["paths"]["/api/auth/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    register = reply.body["paths"]["/api/auth/register"]["post"]
    ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = reply.body["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"email", "phone", "full_name", "password"}


def test_request_id_is_echoed_when_sent(api: Api) -> None:
    reply = api.get("/api/health", headers={"X-Request-Id": "abc-123"})
    assert reply.headers["X-Request-Id"] == "abc-123"


def test_request_id_is_made_when_missing_or_unsafe(api: Api) -> None:
    made = api.get("/api/health").headers["X-Request-Id"]
    unsafe = api.get("/api/health", headers={"X-Request-Id": "a b<script>"}).headers["X-Request-Id"]
    assert len(made) == 32 and len(unsafe) == 32 and made != unsafe


def test_errors_also_carry_the_request_id(api: Api) -> None:
    reply = api.get("/api/auth/me", headers={"X-Request-Id": "trace-1"})
    assert reply.status == 401
    assert reply.headers["X-Request-Id"] == "trace-1"


def test_wrong_method_is_a_405_problem_document(api: Api) -> None:
    reply = api.call("DELETE", "/api/auth/me")
    assert reply.status == 405
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert reply.code == "METHOD_NOT_ALLOWED"
    assert reply.body["status"] == 405


def test_unsupported_content_type_is_a_415_problem_document(api: Api) -> None:
    reply = api.post("/api/auth/token", raw=b"email=a", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 415
    assert reply.code == "UNSUPPORTED_MEDIA_TYPE"
    assert set(reply.body) >= {"type", "title", "status", "detail", "code"}


def test_an_unexpected_error_is_a_500_problem_without_internals(api: Api, monkeypatch) -> None:
    from chalicelib.services import accounts

    def explode(user_id: str) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(accounts, "get_user", explode)
    from tests.factories import sign_up

    person = sign_up(api)
    reply = api.get("/api/auth/me", token=person.access)
    assert reply.status == 500
    assert reply.code == "INTERNAL_ERROR"
    assert "secret" not in str(reply.body)


def test_concurrent_requests_each_see_their_own_request(api: Api, monkeypatch) -> None:
    """Chalice keeps one `app.current_request` for all threads; ours must not read it.

    Both requests are held in the middleware until both have started, so each
    has overwritten the shared attribute before either view reads its request.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.handlers import http
    from tests.factories import sign_up

    people = [sign_up(api), sign_up(api)]
    both_started = threading.Barrier(2, timeout=10)
    original = http._request_id

    def held(request):
        both_started.wait()
        return original(request)

    monkeypatch.setattr(http, "_request_id", held)
    with ThreadPoolExecutor(max_workers=2) as pool:
        seen = list(pool.map(lambda p: api.get("/api/auth/me", token=p.access).body["id"], people))
    assert seen == [p.id for p in people]
