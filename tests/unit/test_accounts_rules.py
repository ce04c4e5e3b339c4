"""Password policy, phone and email normalisation, roles and ids."""

import pytest

from chalicelib.domain.accounts import email_key, normalise_phone, password_problems, roles_of
from chalicelib.domain.ids import is_id, new_id


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "Tr0ub4dor&3x", "পাসওয়ার্ড-২০২৬-নিরাপদ", "x1y2" * 32],
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problems(password, email="ayesha@example.com") == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "at least 10 characters"),
        ("a" * 129 + "bcd", "at most 128"),
        ("abababababab", "4 different characters"),
        ("Password123", "too common"),
        ("my-ayesha-pass!", "must not contain the email"),
    ],
)
def test_weak_passwords_are_named(password: str, problem: str) -> None:
    assert any(problem in p for p in password_problems(password, email="Ayesha@example.com"))


def test_short_email_names_are_not_held_against_a_password() -> None:
    assert password_problems("abc-horse-battery", email="abc@example.com") == []


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+8801712345678", "+8801712345678"),
        ("+880 1712-345678", "+8801712345678"),
        ("+1 (415) 555-2671", "+14155552671"),
    ],
)
def test_phones_normalise_to_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["01712345678", "+880123", "+999 123456789", "phone", ""])
def test_bad_phones_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_email_key_ignores_case_and_surrounding_space() -> None:
    assert email_key(" Ayesha.Rahman@Example.COM ") == "ayesha.rahman@example.com"


@pytest.mark.parametrize(
    ("flags", "roles"),
    [
        ({}, ["guest"]),
        ({"has_provider_profile": True}, ["guest", "provider"]),
        ({"is_staff": True}, ["guest", "admin"]),
        ({"is_superuser": True, "has_provider_profile": True}, ["guest", "provider", "admin"]),
        ({"is_active": False, "is_staff": True}, []),
    ],
)
def test_roles_follow_the_account(flags: dict, roles: list[str]) -> None:
    args = {"is_active": True, "has_provider_profile": False, "is_staff": False, "is_superuser": False, **flags}
    assert roles_of(**args) == roles


def test_ids_are_random_url_safe_and_recognised() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(is_id(i) for i in ids)
    assert not is_id("USER#x" * 4) and not is_id("short") and not is_id("a/b" * 8)
