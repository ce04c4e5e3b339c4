"""Over real HTTP: `chalice local` on DynamoDB Local, as `make run` serves it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.factories import PASSWORD, registration


def sign_up(base: str) -> tuple[str, str]:
    body = registration()
    user = requests.post(f"{base}/api/auth/register", json=body, timeout=30)
    assert user.status_code == 201, user.text
    token = requests.post(f"{base}/api/auth/token", json={"email": body["email"], "password": PASSWORD}, timeout=30)
    return user.json()["id"], token.json()["access"]


def test_concurrent_requests_never_see_each_others_caller(live_api: str) -> None:
    people = [sign_up(live_api) for _ in range(8)]

    def who_am_i(person: tuple[str, str]) -> tuple[str, str]:
        reply = requests.get(f"{live_api}/api/auth/me", headers={"Authorization": f"Bearer {person[1]}"}, timeout=30)
        return person[0], reply.json()["id"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(who_am_i, people * 10))
    assert all(expected == seen for expected, seen in answers)


def test_health_and_problem_documents_over_http(live_api: str) -> None:
    health = requests.get(f"{live_api}/api/health", headers={"X-Request-Id": "probe-1"}, timeout=30)
    assert health.json() == {"status": "ok"} and health.headers["X-Request-Id"] == "probe-1"
    refused = requests.post(f"{live_api}/api/auth/register", data="{", timeout=30)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "VALIDATION_ERROR"
