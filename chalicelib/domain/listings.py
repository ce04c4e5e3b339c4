"""Pure listing rules."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from zoneinfo import available_timezones

STAY_TYPES = ("hotel", "homestay", "resort")
# A stay and all its rooms fit in one transaction (DynamoDB's limit is 100 items),
# so a change of city or currency moves every room with its stay, atomically.
MAX_ROOMS_PER_STAY = 50


def city_key(city: str) -> str:
    """The form under which cities match: case, spacing and Unicode normal form ignored
    (an NFD "Zu\u0308rich" is the NFC "Z\u00fcrich")."""
    return unicodedata.normalize("NFC", " ".join(city.split()).casefold())


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """True for a real IANA zone name such as `Asia/Dhaka`."""
    return name in _zones()
