"""Failed sign-ins, counted per scope (an email with a client address, or an address alone)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.models.base import TableItem


class FailureCount(TableItem, discriminator="FailureCount"):
    """`THROTTLE#<scope digest>` / `THROTTLE`: failures in the window that ends at `window_ends`,
    and the instant a lock ends. The digest keeps emails that have no account out of the
    table; the TTL (`expires_at`) removes the item once nothing in it matters any more."""

    scope = UnicodeAttribute()
    failures = NumberAttribute(default=0)
    window_ends = UTCDateTimeAttribute(null=True)
    locked_until = UTCDateTimeAttribute(null=True)

    @staticmethod
    def keys(scope: str) -> tuple[str, str]:
        return f"THROTTLE#{scope}", "THROTTLE"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.scope)
