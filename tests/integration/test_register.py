"""POST /api/auth/register: uniqueness by claims, the password policy, strict bodies."""

import pytest

from tests.factories import Api, registration, unique_email


def test_register_creates_a_guest_and_its_profile(api: Api, items) -> None:
    body = registration(email="Ayesha.Rahman@Example.com", phone="+880 1712-345678")
    reply = api.post("/api/auth/register", body)
    assert reply.status == 201
    assert reply.body["email"] == "Ayesha.Rahman@example.com"
    assert reply.body["phone"] == "+8801712345678"
    assert reply.body["roles"] == ["guest"]
    assert reply.body["is_active"] is True and reply.body["is_staff"] is False
    assert "password" not in str(reply.body) and "hash" not in str(reply.body)
    kinds = sorted(item["kind"] for item in items())
    assert kinds == ["EmailClaim", "GuestProfile", "PhoneClaim", "User"]


def test_email_is_unique_case_insensitively(api: Api, items) -> None:
    assert api.post("/api/auth/register", registration(email="dup@example.com")).status == 201
    before = len(items())
    reply = api.post("/api/auth/register", registration(email="DUP@Example.COM"))
    assert (reply.status, reply.code) == (409, "EMAIL_TAKEN")
    assert len(items()) == before


def test_phone_is_unique_in_e164_whatever_its_spelling(api: Api, items) -> None:
    assert api.post("/api/auth/register", registration(phone="+8801712345678")).status == 201
    before = len(items())
    reply = api.post("/api/auth/register", registration(phone="+880 17 1234 5678"))
    assert (reply.status, reply.code) == (409, "PHONE_TAKEN")
    assert len(items()) == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"is_staff": True}, "is_staff"),
        ({"is_superuser": True}, "is_superuser"),
        ({"roles": ["admin"]}, "roles"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"phone": "01712345678"}, "phone"),
        ({"phone": "+880123"}, "phone"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "x" * 101}, "full_name"),
        ({"full_name": 42}, "full_name"),
        ({"password": "short1"}, "password"),
        ({"password": "aaaaaaaaaaaa"}, "password"),
        ({"password": "qwertyuiop"}, "password"),
        ({"password": "x" * 129}, "password"),
    ],
)
def test_bad_registrations_are_400_and_write_nothing(api: Api, items, override, field) -> None:
    reply = api.post("/api/auth/register", registration(**override))
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")
    assert reply.headers["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in reply.body["errors"]}
    assert items() == []


def test_password_containing_the_email_name_is_refused(api: Api, items) -> None:
    reply = api.post("/api/auth/register", registration(email="karimuddin@example.com", password="Karimuddin-2026!"))
    assert reply.status == 400
    assert reply.body["errors"][0]["message"].startswith("password must not contain the email")
    assert items() == []


def test_missing_fields_are_named(api: Api) -> None:
    reply = api.post("/api/auth/register", {"email": unique_email()})
    assert reply.status == 400
    assert {e["field"] for e in reply.body["errors"]} == {"phone", "full_name", "password"}


@pytest.mark.parametrize("raw", [b"", b"{", b"[1, 2]", b"null", b'"text"', b"\xff\xfe"])
def test_malformed_json_is_a_400_problem(api: Api, items, raw: bytes) -> None:
    reply = api.post("/api/auth/register", raw=raw)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")
    assert items() == []


def test_validation_errors_do_not_echo_the_password(api: Api) -> None:
    reply = api.post("/api/auth/register", registration(password="s3cret", email="bad"))
    assert "s3cret" not in str(reply.body)
