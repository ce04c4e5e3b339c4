"""The single table: its keys, its indexes, its TTL and its stream, defined once.

Every entity is a PynamoDB subclass of `TableItem`, told apart by the `kind`
discriminator. The table that `create_table()` makes (for the local run and the
tests) is read off this class, so models and table cannot drift apart.

Each entity derives its own `pk`, `sk` and index keys from its fields in
`derive_keys()`, which runs when the item is built and again before every
write: no caller formats a key, and a field change moves its index keys.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from pynamodb.attributes import DiscriminatorAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE, STREAM_NEW_AND_OLD_IMAGE
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.settings import get_settings

_settings = get_settings()


class _TableMeta:
    table_name = _settings.table_name
    region = _settings.aws_region
    host = _settings.dynamodb_endpoint
    billing_mode = PAY_PER_REQUEST_BILLING_MODE
    # Events are read off the stream (chalicelib/services/events.py): both images of every change.
    stream_view_type = STREAM_NEW_AND_OLD_IMAGE
    # The search reads the night locks of many stays at once, one thread per stay.
    max_pool_connections = 40
    connect_timeout_seconds = _settings.dynamodb_connect_timeout_seconds
    read_timeout_seconds = _settings.dynamodb_read_timeout_seconds
    max_retry_attempts = _settings.dynamodb_max_retry_attempts


# What a search index entry holds besides its keys: enough to tell a stay that cannot sleep
# the guests, so a page of entries costs a fraction of the stays it lists. (A booking's
# entries in gsi3 / gsi4, its lists by status, are its keys and kind alone.)
SEARCH_ENTRY = IncludeProjection(["kind", "max_guests"])


class Gsi1(GlobalSecondaryIndex["TableItem"]):
    """Per-owner lists: a provider's stays, a guest's bookings."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["TableItem"]):
    """Stays by city and type and rating (the `rating_desc` walk); a provider's bookings."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex["TableItem"]):
    """Stays by type and rating (`rating_desc` without a city); a provider's bookings by status."""

    class Meta:
        index_name = "gsi3"
        projection = SEARCH_ENTRY

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class Gsi4(GlobalSecondaryIndex["TableItem"]):
    """Stays by city and type, dearest ceiling price first (the `price_desc` walk); a guest's
    bookings by status."""

    class Meta:
        index_name = "gsi4"
        projection = SEARCH_ENTRY

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class Gsi5(GlobalSecondaryIndex["TableItem"]):
    """Stays by type, dearest ceiling price first (`price_desc` without a city)."""

    class Meta:
        index_name = "gsi5"
        projection = SEARCH_ENTRY

    gsi5pk = UnicodeAttribute(hash_key=True)
    gsi5sk = UnicodeAttribute(range_key=True)


class Gsi6(GlobalSecondaryIndex["TableItem"]):
    """Stays by city and type, cheapest floor price first (`price_asc`, available rooms)."""

    class Meta:
        index_name = "gsi6"
        projection = SEARCH_ENTRY

    gsi6pk = UnicodeAttribute(hash_key=True)
    gsi6sk = UnicodeAttribute(range_key=True)


class Gsi7(GlobalSecondaryIndex["TableItem"]):
    """Stays by type, cheapest floor price first (the same without a city)."""

    class Meta:
        index_name = "gsi7"
        projection = SEARCH_ENTRY

    gsi7pk = UnicodeAttribute(hash_key=True)
    gsi7sk = UnicodeAttribute(range_key=True)


class TimerIndex(GlobalSecondaryIndex["TableItem"]):
    """Sparse: only bookings that will fall due (PENDING, CONFIRMED), by due instant."""

    class Meta:
        index_name = "timer"
        projection = AllProjection()

    timer_shard = UnicodeAttribute(hash_key=True)
    timer_due = UnicodeAttribute(range_key=True)


class TableItem(Model):
    Meta = _TableMeta  # type: ignore[assignment]  # a class satisfying MetaProtocol

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    gsi5sk = UnicodeAttribute(null=True)
    gsi6pk = UnicodeAttribute(null=True)
    gsi6sk = UnicodeAttribute(null=True)
    gsi7pk = UnicodeAttribute(null=True)
    gsi7sk = UnicodeAttribute(null=True)
    timer_shard = UnicodeAttribute(null=True)
    timer_due = UnicodeAttribute(null=True)
    # DynamoDB deletes an item some time after this instant (logins, past night locks).
    expires_at = TTLAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()
    gsi4 = Gsi4()
    gsi5 = Gsi5()
    gsi6 = Gsi6()
    gsi7 = Gsi7()
    timer = TimerIndex()

    def __init__(
        self,
        hash_key: Any = None,
        range_key: Any = None,
        _user_instantiated: bool = True,
        **attributes: Any,
    ) -> None:
        super().__init__(hash_key, range_key, _user_instantiated=_user_instantiated, **attributes)
        if _user_instantiated:
            self.derive_keys()

    def derive_keys(self) -> None:
        """Set `pk`, `sk` and any index keys from the entity's own fields."""

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        self.derive_keys()
        return super().serialize(null_check=null_check)


def before_each_attempt(hook: Callable[..., None], name: str) -> None:
    """Call `hook` before every request the DynamoDB client sends, each retry included
    (botocore's `before-send`); registering the same `name` again changes nothing."""
    client = TableItem._get_connection().connection.client
    client.meta.events.register("before-send.dynamodb", hook, unique_id=name)


def before_each_call(hook: Callable[..., None], name: str) -> None:
    """Call `hook(model=<operation model>, params=<its parameters>)` before every DynamoDB call,
    once per call, before it is built (botocore's `before-parameter-build`); an exception it
    raises stops the call unsent. `name` is unique among all the client's hooks."""
    client = TableItem._get_connection().connection.client
    client.meta.events.register("before-parameter-build.dynamodb", hook, unique_id=name)


def after_each_call(hook: Callable[..., None], name: str) -> None:
    """Call `hook(model=..., parsed=<the parsed answer>)` after every DynamoDB call (`after-call`)."""
    client = TableItem._get_connection().connection.client
    client.meta.events.register("after-call.dynamodb", hook, unique_id=name)


def create_table() -> bool:
    """Create the table (keys, GSIs, TTL) unless it exists; True when it was created. A table
    that lacks an index the models define (made by an older version) is refused, saying so."""
    if not TableItem.exists():
        TableItem.create_table(wait=True)
        return True
    found = TableItem._get_connection().describe_table().get("GlobalSecondaryIndexes", [])
    missing = {index.Meta.index_name for index in TableItem._indexes.values()} - {i["IndexName"] for i in found}
    if missing:
        raise SystemExit(
            f"table {_settings.table_name} lacks the indexes {', '.join(sorted(missing))}: it was made by an "
            "older version; delete it (under `make run`, delete .data/) and run again"
        )
    return False


def transaction(client_request_token: str | None = None) -> TransactWrite:
    """A `TransactWriteItems` on the models' own connection (one botocore client per process)."""
    return TransactWrite(connection=TableItem._get_connection().connection, client_request_token=client_request_token)


def failed_conditions(exc: TransactWriteError) -> list[tuple[str, str]]:
    """The `(pk, sk)` of each item whose condition cancelled the transaction.

    Puts and updates must ask for `return_values=ALL_OLD` for their item to be
    named; a failed condition check, or a condition on an item that does not
    exist, names no item and shows up as `("", "")`.
    """
    failed = []
    for reason in exc.cancellation_reasons:
        if reason is not None and reason.code == "ConditionalCheckFailed":
            item = reason.raw_item or {}
            failed.append((item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")))
    return failed


def ping() -> None:
    """GetItem of a key that holds nothing: proves the table answers, for half a read unit."""
    with suppress(TableItem.DoesNotExist):
        TableItem.get("HEALTH", "HEALTH")


# DynamoDB answers that mean "try again shortly", not "this write is wrong".
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
_TRANSIENT_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


def _error_code(exc: PynamoDBException) -> str | None:
    """DynamoDB's error code behind `exc`. PynamoDB's own `cause_response_code` fails when
    the cause is a botocore error without a response (a timeout, a refused connection)."""
    response = getattr(exc.cause, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


def is_transient(exc: BaseException) -> bool:
    """Throttling or a lost race between transactions: the same write may well succeed soon."""
    if not isinstance(exc, PynamoDBException):
        return False
    if _error_code(exc) in _TRANSIENT_CODES:
        return True
    reasons = exc.cancellation_reasons if isinstance(exc, TransactWriteError) else []
    return any(r is not None and r.code in _TRANSIENT_REASONS for r in reasons)


def refused_as_invalid(exc: PynamoDBException) -> bool:
    """Whether DynamoDB refused the request itself as malformed (`ValidationException`)."""
    return _error_code(exc) == "ValidationException"


def condition_failed(exc: PynamoDBException) -> bool:
    """Whether a write was refused by its condition (alone, or as part of a transaction)."""
    if _error_code(exc) == "ConditionalCheckFailedException":
        return True
    reasons = exc.cancellation_reasons if isinstance(exc, TransactWriteError) else []
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons)
