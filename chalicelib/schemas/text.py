"""Text in request bodies and queries: what every string may hold, and the text types.

Every string is NFC-normalized and refuses C0 control characters and DEL (the request
models' base applies `clean_text` to every field); tab and newline only where the field's
type is marked `MULTI_LINE` (long text). A bound counts the stored (NFC) form.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, get_args, get_origin

from pydantic import BeforeValidator, StringConstraints
from typing_extensions import TypeAliasType

# C0 controls and DEL, except tab and newline (which only text marked MULTI_LINE may hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\t\n]")


def _refuse(value: str, *, one_line: bool) -> None:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    if one_line and _LINE_BREAK.search(value):
        raise ValueError("must be one line, without tabs")


def clean_text(value: Any, *, normalize: bool = True, one_line: bool = True) -> Any:
    """Every string in `value` (nested in lists and objects too, keys included) NFC-normalized;
    ValueError for a control character, and for a tab or line break in one-line text. Applied
    to every field of every request model, so a field added later cannot store a NUL byte,
    two spellings of one name, or a line break where one is not shown (a URL, an id)."""
    if isinstance(value, str):
        _refuse(value, one_line=one_line)
        return unicodedata.normalize("NFC", value) if normalize else value
    if isinstance(value, list):
        return [clean_text(item, normalize=normalize, one_line=one_line) for item in value]
    if isinstance(value, dict):
        return {
            clean_text(k, normalize=normalize): clean_text(v, normalize=normalize, one_line=one_line)
            for k, v in value.items()
        }
    return value


class _MultiLine:
    """Marks a text type that may hold tabs and line breaks (long text); all other text is one line."""


MULTI_LINE = _MultiLine()


def any_multi_line(metadata: Iterable[object]) -> bool:
    """Whether a type's metadata marks it long text (`MULTI_LINE`, or `nfc(..., lines=True)`)."""
    return any(m is MULTI_LINE or (isinstance(m, _Nfc) and m.lines) for m in metadata)


def marked_multi_line(annotation: Any) -> bool:
    """Whether a field's annotation (inside unions, aliases and `Annotated`) carries `MULTI_LINE`."""
    if isinstance(annotation, TypeAliasType):
        return marked_multi_line(annotation.__value__)
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        return any_multi_line(metadata) or marked_multi_line(base)
    return any(marked_multi_line(arg) for arg in get_args(annotation))


# A stored (NFC) character is sent as at most this many code points (a letter and two marks: "ệ").
_SENT_PER_STORED = 3


@dataclasses.dataclass(frozen=True)
class _Nfc(BeforeValidator):
    lines: bool = False  # long text: it may hold tabs and line breaks (as `MULTI_LINE` marks)


def nfc(max_length: int, *, lines: bool = False) -> BeforeValidator:
    """Last in a text type's metadata, so that it runs first: its length is then that of the
    stored (NFC) text, not of the sent form (a decomposed "é" is two code points, the stored
    one). Text far over the bound is refused before it is normalized, which takes time
    quadratic in a run of combining marks. Control characters (and, unless `lines`, tabs and
    line breaks) are refused here too, before the type strips its ends: a title sent as
    "Lovely\r" is a 400, not "Lovely"."""

    def normalized(value: object) -> object:
        if not isinstance(value, str):
            return value
        if len(value) > _SENT_PER_STORED * max_length:
            raise ValueError(f"must be at most {max_length} characters")
        _refuse(value, one_line=not lines)
        return unicodedata.normalize("NFC", value)

    return _Nfc(normalized, lines=lines)


# Short text is one line (every text is, unless marked); long text may hold tabs and line breaks.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), nfc(200)]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), nfc(2000, lines=True)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), nfc(100)]
