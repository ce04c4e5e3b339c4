"""Whether the service can reach its table."""

from pynamodb.exceptions import PynamoDBException

from chalicelib.errors import ServiceUnavailable
from chalicelib.models.base import ping


def check() -> None:
    """One GetItem (`HEALTH`/`HEALTH`); any storage failure, a missing table included, is a 503."""
    try:
        ping()
    except PynamoDBException as exc:
        raise ServiceUnavailable("The table is not reachable.") from exc
