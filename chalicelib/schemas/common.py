"""Building blocks shared by every body model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    StringConstraints,
)

from chalicelib.domain.accounts import normalise_phone
from chalicelib.domain.money import MAX_MINOR_UNIT


class Strict(BaseModel):
    """A request body: unknown fields are refused, never dropped, and JSON types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class Query(BaseModel):
    """Query parameters: strings by nature, converted to their types; unknown ones refused."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class PageQuery(Query):
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[str, Field(min_length=1, max_length=2048)] | None = None


class Out(BaseModel):
    """A response body, built from stored items."""

    model_config = ConfigDict(from_attributes=True, defer_build=True)


ItemT = TypeVar("ItemT", bound=BaseModel)


class Page(Out, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None

    @classmethod
    def of(cls, items: Sequence[object], next_cursor: str | None) -> Self:
        """A page of `items` (response models, or stored items they are built from)."""
        return cls.model_validate({"items": items, "next_cursor": next_cursor})


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Email = Annotated[EmailStr, Field(max_length=254)]
Phone = Annotated[str, Field(max_length=32), AfterValidator(normalise_phone)]


def _not_in_future(value: date) -> date:
    if value > date.today():
        raise ValueError("must not be in the future")
    if value.year < 1900:
        raise ValueError("must be 1900 or later")
    return value


PastDate = Annotated[date, AfterValidator(_not_in_future)]


def _number_or_text(value: object) -> object:
    # Decimal() would read a list as a (sign, digits, exponent) tuple; only numbers and text are money.
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number")
    return value


# Money in and out: exact Decimal inside, a JSON number on the wire. Its decimals are checked
# against the currency's minor unit where the currency is known (`chalicelib.domain.money`).
Money = Annotated[
    Decimal,
    BeforeValidator(_number_or_text),
    Field(gt=0, max_digits=10, decimal_places=MAX_MINOR_UNIT, strict=False, allow_inf_nan=False),
    PlainSerializer(float, return_type=float, when_used="json"),
]


class FieldError(Out):
    field: str
    message: str


class ProblemOut(Out):
    """RFC 9457 problem document; `code` is the stable, machine-readable part."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None
    conflicting_nights: list[date] | None = None


class HealthOut(Out):
    status: Literal["ok"]
