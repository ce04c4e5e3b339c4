"""Bodies of the review routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.schemas.common import Out, Strict
from chalicelib.schemas.text import nfc

# Stripped, then measured: the bounds hold for what is stored (`nfc` runs first, so on the NFC form).
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    nfc(120),
]
ReviewBody = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=4000),
    nfc(4000, lines=True),
]
ReplyBody = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    nfc(4000, lines=True),
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
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
