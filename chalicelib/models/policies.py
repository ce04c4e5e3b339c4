"""Cancellation policies as stored: on the stay, and snapshotted with deadlines on a booking."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain import policies


class TierMap(MapAttribute[str, int]):
    days_before = NumberAttribute()
    refund_percent = NumberAttribute()


class DeadlineMap(MapAttribute[str, object]):
    until = UTCDateTimeAttribute()
    refund_percent = NumberAttribute()


class PolicyMap(MapAttribute[str, object]):
    """A stay's policy: `{name, tiers: [{days_before, refund_percent}]}`."""

    name = UnicodeAttribute()
    tiers = ListAttribute(of=TierMap, default=list)

    @classmethod
    def of(cls, policy: policies.Policy) -> Self:
        tiers = [TierMap(days_before=t.days_before, refund_percent=t.refund_percent) for t in policy.tiers]
        return cls(name=policy.name, tiers=tiers)

    @classmethod
    def default_policy(cls) -> Self:
        return cls.of(policies.DEFAULT)

    def policy(self) -> policies.Policy:
        tiers = tuple(policies.Tier(int(t.days_before), int(t.refund_percent)) for t in self.tiers)
        return policies.Policy(self.name, tiers)


class BookingPolicyMap(PolicyMap):
    """The stay's policy when the booking was made, with each tier's last moment in UTC."""

    deadlines = ListAttribute(of=DeadlineMap, default=list)

    @classmethod
    def snapshot(cls, policy: policies.Policy, check_in_at: datetime) -> BookingPolicyMap:
        stored = cls.of(policy)
        stored.deadlines = [
            DeadlineMap(until=d.until, refund_percent=d.refund_percent) for d in policies.deadlines(policy, check_in_at)
        ]
        return stored

    def due(self) -> list[policies.Deadline]:
        return [policies.Deadline(d.until, int(d.refund_percent)) for d in self.deadlines]
