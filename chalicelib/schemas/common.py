"""Building blocks shared by every body model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from chalicelib.domain.accounts import normalise_phone


class Strict(BaseModel):
    """A request body or query: unknown fields are refused, never dropped."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response body, built from stored items."""

    model_config = ConfigDict(from_attributes=True)


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


class HealthOut(Out):
    status: Literal["ok"]
