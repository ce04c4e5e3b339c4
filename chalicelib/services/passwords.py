"""argon2id password hashing through pwdlib, with the cost from the settings."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from chalicelib.settings import get_settings


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    settings = get_settings()
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=settings.password_hash_time_cost,
                memory_cost=settings.password_hash_memory_kib,
                parallelism=settings.password_hash_parallelism,
            ),
        )
    )


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher().hash("decoy password, never anyone's")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Whether `password` matches, and a new hash when the stored one uses outdated cost.

    With no hash (unknown account) a decoy is verified, so that the answer takes
    as long as for a real account and timing does not tell which emails exist.
    """
    if password_hash is None:
        _hasher().verify(password, _decoy_hash())
        return False, None
    return _hasher().verify_and_update(password, password_hash)
