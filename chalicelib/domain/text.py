"""Free text as the contract stores it: NFC-normalized, without control characters."""

from __future__ import annotations

import re
import unicodedata

# U+0000-U+001F and U+007F; long text may keep tab and newline (U+0009, U+000A).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain_text(value: str, *, multiline: bool) -> str:
    """`value` NFC-normalized and stripped; ValueError when it holds a control character."""
    pattern = _CONTROL_BUT_LINES if multiline else _CONTROL
    if pattern.search(value):
        allowed = " other than tab and newline" if multiline else ""
        raise ValueError(f"must not contain control characters{allowed}")
    return unicodedata.normalize("NFC", value).strip()
