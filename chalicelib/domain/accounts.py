"""Pure account rules: roles, password policy, email and phone normalisation."""

from __future__ import annotations

ROLE_GUEST = "guest"
ROLE_PROVIDER = "provider"
ROLE_ADMIN = "admin"

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
# The most common passwords of public breach lists that pass the length rule.
_COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "qwertyuiop",
        "password1!",
        "password12",
        "password123",
        "iloveyou12",
        "qwerty1234",
        "1q2w3e4r5t",
        "abcdefghij",
        "letmein123",
        "welcome123",
        "changeme123",
    }
)


def roles_of(*, is_active: bool, has_provider_profile: bool, is_staff: bool, is_superuser: bool) -> list[str]:
    """Every active user is a guest; a provider profile makes a provider; staff makes an admin."""
    if not is_active:
        return []
    roles = [ROLE_GUEST]
    if has_provider_profile:
        roles.append(ROLE_PROVIDER)
    if is_staff or is_superuser:
        roles.append(ROLE_ADMIN)
    return roles


def password_problems(password: str, *, email: str) -> list[str]:
    """Why `password` is too weak for the account with `email`; empty when it is acceptable.

    Length over composition (NIST SP 800-63B): at least 10 characters, not one
    repeated character, not a well-known password, not the email's name part.
    """
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"must be at least {PASSWORD_MIN_LENGTH} characters long")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(f"must be at most {PASSWORD_MAX_LENGTH} characters long")
    if len(set(password)) < 4:
        problems.append("must use at least 4 different characters")
    if password.lower() in _COMMON_PASSWORDS:
        problems.append("is too common")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("must not contain the email address")
    return problems


def email_key(email: str) -> str:
    """The form under which an email is unique: case-insensitive."""
    return email.strip().lower()


def normalise_phone(raw: str) -> str:
    """An international phone number in E.164 form; ValueError when it is not a valid one."""
    import phonenumbers  # tens of ms: loaded by the first phone number, not by every cold start

    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("must be an international number starting with +, e.g. +8801712345678") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
