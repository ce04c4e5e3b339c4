"""Bodies of the review routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from chalicelib.domain.text import plain_text
from chalicelib.schemas.common import MULTI_LINE, Out, Strict, nfc


def _checked(*, multiline: bool, min_length: int, max_length: int) -> AfterValidator:
    """Text free of control characters, NFC-normalized and stripped, then measured again:
    normalizing and stripping change the length, and the bounds hold for what is stored."""

    def check(value: str) -> str:
        cleaned = plain_text(value, multiline=multiline)
        if not min_length <= len(cleaned) <= max_length:
            raise ValueError(f"must be {min_length}-{max_length} characters")
        return cleaned

    return AfterValidator(check)


# The constraints document the bounds and, after `nfc` (it runs first), count the stored form;
# the check applies them again to the cleaned (stripped) text.
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=120),
    _checked(multiline=False, min_length=1, max_length=120),
    nfc(120),
]
ReviewBody = Annotated[
    str,
    StringConstraints(max_length=4000),
    _checked(multiline=True, min_length=0, max_length=4000),
    MULTI_LINE,
    nfc(4000),
]
ReplyBody = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4000),
    _checked(multiline=True, min_length=1, max_length=4000),
    MULTI_LINE,
    nfc(4000),
]
Reason = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500),
    _checked(multiline=False, min_length=1, max_length=500),
    nfc(500),
]


class ReviewCreate(Strict):
    rating: Annotated[int, Field(ge=1, le=5, description="Whole stars, 1-5")]
    title: Title
    body: ReviewBody = ""


class ReplyCreate(Strict):
    body: ReplyBody


class HideRequest(Strict):
    reason: Reason


class ReplyOut(Out):
    body: str
    created_at: datetime


class ReviewOut(Out):
    id: str
    stay_id: str
    room_id: str
    booking_id: str
    rating: int
    title: str
    body: str
    guest_name: str
    stayed_in: str
    created_at: datetime
    reply: ReplyOut | None
    hidden: bool
