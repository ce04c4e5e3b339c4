"""Building blocks shared by every body model.

A shape that several models share (an enum such as `StayType`) is declared as a
`TypeAliasType`: the OpenAPI document then has it once, by that name, and generated clients
get one type for it instead of one per property.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, Literal, Self, TypeVar, get_args

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_extra_types.country import CountryAlpha2
from typing_extensions import TypeAliasType

from chalicelib.domain.accounts import normalise_phone
from chalicelib.domain.money import MAX_MINOR_UNIT
from chalicelib.schemas.text import any_multi_line, clean_text, marked_multi_line

_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Text(BaseModel):
    # Fields kept exactly as sent (a password must verify against the bytes it was hashed from).
    verbatim: ClassVar[frozenset[str]] = frozenset()

    # After each field's own validation: a before-validator would make strict mode read a
    # JSON date string as a Python str and refuse it.
    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name
        verbatim = name in cls.verbatim
        return clean_text(value, normalize=not verbatim, one_line=not (verbatim or cls._multi_line(name)))

    @classmethod
    @functools.cache
    def _multi_line(cls, name: str | None) -> bool:
        field = cls.model_fields.get(name or "")
        return field is not None and (any_multi_line(field.metadata) or marked_multi_line(field.annotation))


class Strict(_Text):
    """A request body: unknown fields are refused, never dropped, and JSON types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class NoBody(Strict):
    """What a write that takes no body may send: nothing, or `{}`; any field is unknown."""


class Query(_Text):
    """Query parameters: strings by nature, converted to their types; unknown ones refused. A
    date is `YYYY-MM-DD` only: lax parsing would also read a timestamp (`1798675200`) or a
    date-time as one."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _plain_dates(cls, data: Any) -> Any:
        if isinstance(data, dict):
            wrong = [
                InitErrorDetails(
                    type=PydanticCustomError("date_format", "must be a date, YYYY-MM-DD"), loc=(key,), input=data[key]
                )
                for name, field in cls.model_fields.items()
                if date in (field.annotation, *get_args(field.annotation))
                for key in _wire_names(name, field) & data.keys()
                if not isinstance(data[key], date)
                and not (isinstance(data[key], str) and _PLAIN_DATE.fullmatch(data[key]))
            ]
            if wrong:
                raise ValidationError.from_exception_data(cls.__name__, wrong)
        return data


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


Email = Annotated[EmailStr, Field(max_length=254)]
CountryCode = TypeAliasType("CountryCode", CountryAlpha2)
Phone = Annotated[str, Field(max_length=32), AfterValidator(normalise_phone)]


def _not_in_future(value: date) -> date:
    if value > date.today():
        raise ValueError("must not be in the future")
    if value.year < 1900:
        raise ValueError("must be 1900 or later")
    return value


PastDate = Annotated[date, AfterValidator(_not_in_future)]


# Money as text is read in its plain decimal form only ("3500.50"): not " 5 ", "+5", "1e3" nor
# other scripts' digits, which Decimal() would take.
_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")


def _number_or_text(value: object) -> object:
    # Decimal() would read a list as a (sign, digits, exponent) tuple; only numbers and text are money.
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number")
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value):
        raise ValueError("must be a number")
    return value


# A price is below 10,000,000,000 in any currency (JPY 9,999,999,999; KWD 9,999,999,999.999).
_MONEY_BELOW = 10**10
# Money in and out: exact Decimal inside, a JSON number on the wire. Its decimals are checked
# against the currency's minor unit where the currency is known (`chalicelib.domain.money`).
# The document shows a number with standard keywords only (no `multipleOf`: the minor unit is
# the currency's, not fixed); text in plain decimal form ("12.50") is still read exactly.
Money = Annotated[
    Decimal,
    BeforeValidator(_number_or_text),
    Field(gt=0, lt=_MONEY_BELOW, decimal_places=MAX_MINOR_UNIT, strict=False, allow_inf_nan=False),
    PlainSerializer(float, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": _MONEY_BELOW}),
]


# An average rating (one decimal, from `chalicelib.domain.ratings`) as a JSON number; null without reviews.
RatingOut = Annotated[
    Decimal | None,
    PlainSerializer(lambda v: None if v is None else float(v), return_type=float | None, when_used="json"),
]


class FieldError(Out):
    field: str
    message: str


class Violation(Out):
    """STAY_RESTRICTED: a rule that refuses the stay, on which date, and its limit (min/max stay)."""

    date: date
    restriction: Literal["closed", "closed_to_arrival", "closed_to_departure", "min_stay", "max_stay"]
    limit: int | None


class Problem(Out):
    """RFC 9457 problem document; `code` is the stable, machine-readable part."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None
    conflicting_nights: list[date] | None = None
    violations: list[Violation] | None = None


class HealthOut(Out):
    status: Literal["ok"]


def _wire_names(name: str, field: FieldInfo) -> set[str]:
    """The names a field is read by: its alias (or alias choices), else its own name."""
    alias = field.validation_alias or field.alias
    if isinstance(alias, AliasChoices):
        return {choice for choice in alias.choices if isinstance(choice, str)}
    return {alias} if isinstance(alias, str) else {name}


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """The models a field's type holds (`list[RuleIn]`, `RuleIn | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def stray_names(model: type[BaseModel], data: object, at: str = "") -> list[str]:
    """The places in `data` (decoded JSON, or a query) that name a field by its Python name where
    it is read by another (a rule's `from_date`, whose wire name is `from`). pydantic never
    counts a field's own name as unknown, so `extra="forbid"` lets it through, dropped."""
    if isinstance(data, list):
        return [place for i, item in enumerate(data) for place in stray_names(model, item, f"{at}{i}.")]
    if not isinstance(data, dict):
        return []
    found = []
    for name, field in model.model_fields.items():
        wire = _wire_names(name, field)
        if name in data and name not in wire:
            found.append(f"{at}{name}")
        for key in wire & data.keys():
            for inner in _models_in(field.annotation):
                found += stray_names(inner, data[key], f"{at}{key}.")
    return found
