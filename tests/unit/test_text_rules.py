"""Which request fields may hold tabs and line breaks: the long texts, by name, and nothing else."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest

import chalicelib.schemas
from chalicelib.schemas.accounts import KycRequest
from chalicelib.schemas.bookings import BookingCreate
from chalicelib.schemas.common import _Text

MULTI_LINE_FIELDS = {
    ("BookingCreate", "note"),
    ("StayCreate", "description"),
    ("StayCreate", "address"),
    ("StayPatch", "description"),
    ("StayPatch", "address"),
    ("BecomeProviderRequest", "business_address"),
    ("ProviderProfilePatch", "business_address"),
    ("KycRequest", "note"),
    ("ProviderCancel", "reason"),
    ("ReviewCreate", "body"),
    ("ReplyCreate", "body"),
    ("GuestProfilePatch", "preferences"),  # free JSON: its values may be notes
    ("BecomeProviderRequest", "payout_details"),
    ("ProviderProfilePatch", "payout_details"),
}


def _request_models() -> Iterator[type[_Text]]:
    for module in pkgutil.iter_modules(chalicelib.schemas.__path__):
        importlib.import_module(f"chalicelib.schemas.{module.name}")
    pending = list(_Text.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        yield model


def test_only_the_long_texts_may_hold_line_breaks() -> None:
    marked = {
        (model.__name__, name)
        for model in _request_models()
        for name in model.model_fields
        if model._multi_line(name) and name not in model.verbatim
    }
    assert marked == MULTI_LINE_FIELDS


@pytest.mark.parametrize("text", ["two\nlines", "a\ttab"])
def test_a_line_break_is_refused_in_one_line_text_and_kept_in_long_text(text: str) -> None:
    with pytest.raises(ValueError, match="one line"):
        BookingCreate.model_validate(
            {"stay_type": "hotel", "room_id": text, "check_in": "2030-01-01", "check_out": "2030-01-02", "guests": 1},
            strict=False,
        )
    assert KycRequest.model_validate({"kyc_status": "VERIFIED", "note": text}, strict=False).note == text
