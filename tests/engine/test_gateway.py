"""What `make run` answers where API Gateway answers (paths that match no route), HEAD, and
the client address the app sees, over raw HTTP (no client library normalizes the paths)."""

from __future__ import annotations

import http.client
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD, registration


def _send(
    base: str, method: str, path: str, body: dict | None = None, source: str = "127.0.0.1"
) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30, source_address=(source, 0))
    payload = json.dumps(body).encode() if body is not None else None
    connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return answer


@pytest.mark.parametrize(
    "path",
    ["/api//health", "/api/listings/stays/../../api/health", "/api/./health", "/api/nope", "/", "/api/health/"],
)
def test_a_path_that_matches_no_route_is_a_404_problem(live_api: str, path: str) -> None:
    status, headers, body = _send(live_api, "GET", path)
    assert status == 404 and headers["Content-Type"] == "application/problem+json", (path, body)
    assert json.loads(body)["code"] == "NOT_FOUND" and headers["X-Request-Id"]


@pytest.mark.parametrize("path", ["/api/health", "/api/openapi.json", "/api/listings/stays/AAAAAAAAAAAAAAAAAAAAAA"])
def test_head_answers_as_get_without_a_body(live_api: str, path: str) -> None:
    get_status, get_headers, get_body = _send(live_api, "GET", path)
    head_status, head_headers, head_body = _send(live_api, "HEAD", path)
    assert head_status == get_status and head_body == b"" and get_body
    assert head_headers["Content-Type"] == get_headers["Content-Type"] and head_headers["X-Request-Id"]


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "CONNECT", "BREW"])
@pytest.mark.parametrize("path", ["/api/auth/register", "/api/listings/stays/AAAAAAAAAAAAAAAAAAAAAA"])
def test_options_and_unknown_methods_are_405_problems(live_api: str, method: str, path: str) -> None:
    """Not chalice local's bare CORS answer nor http.server's 501 page: the deployed API
    declares no OPTIONS either."""
    status, headers, body = _send(live_api, method, path)
    assert status == 405 and headers["Content-Type"] == "application/problem+json", body
    assert json.loads(body)["code"] == "METHOD_NOT_ALLOWED" and headers["X-Request-Id"]


def test_head_where_there_is_no_get_is_405_without_a_body(live_api: str) -> None:
    status, headers, body = _send(live_api, "HEAD", "/api/auth/token")
    assert (status, body, headers["Allow"]) == (405, b"", "POST")


def test_the_app_sees_the_connections_address(live_api: str) -> None:
    account = registration()
    assert _send(live_api, "POST", "/api/auth/register", account)[0] == 201
    wrong = {"email": account["email"], "password": "not the password"}
    for _ in range(5):
        assert _send(live_api, "POST", "/api/auth/token", wrong, source="127.0.0.2")[0] == 401
    right = {"email": account["email"], "password": PASSWORD}
    assert _send(live_api, "POST", "/api/auth/token", right, source="127.0.0.2")[0] == 429
    assert _send(live_api, "POST", "/api/auth/token", right, source="127.0.0.3")[0] == 200


def test_what_http_server_refuses_itself_is_a_problem(live_api: str) -> None:
    url = urlsplit(live_api)
    with socket.create_connection((url.hostname, url.port), timeout=30) as raw:
        raw.sendall(b"GET /api/health HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n")  # over its 100 headers
        answer = raw.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431"), head
    assert b"application/problem+json" in head and b"X-Request-Id" in head
    assert json.loads(body)["status"] == 431


def test_a_burst_of_clients_is_queued_not_dropped(live_api: str) -> None:
    """http.server queues 5 connections by default: the rest of a burst had their handshake
    dropped (a retry a second later, or a reset), so connecting took a second or failed."""
    url = urlsplit(live_api)

    def connect(_: int) -> socket.socket:
        # The kernel completes a handshake at once while the queue has room, however busy the app.
        return socket.create_connection((url.hostname, url.port), timeout=0.9)

    with ThreadPoolExecutor(64) as pool:
        connections = list(pool.map(connect, range(64)))
    for connection in connections:
        connection.close()
    assert len(connections) == 64
    assert _send(live_api, "GET", "/api/health")[0] == 200
