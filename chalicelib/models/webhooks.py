"""Provider webhooks, their quota, and the deliveries of events to them.

- `PROVIDER#<pid>` / `WEBHOOK#<id>`: a webhook with its signing secret; a provider's
  webhooks are one Query on its partition.
- `PROVIDER#<pid>` / `WEBHOOKS`: how many webhooks the provider has, moved in the same
  transaction as each registration (under `total < 5`) and deletion.
- `DELIVERY#<webhook id>#<subject id>` / `<occurred_at>#<event id>`: one event to one
  webhook. A subject's (a booking's) deliveries to a webhook share a partition in the
  order of the events, so the sender sees at once whether an earlier one is still
  pending. gsi1 `WEBHOOK#<id>#DELIVERIES` by `<created_at>#<id>` is the delivery log.
  While PENDING it is in the sparse timer index, `DELIVERIES#<shard>` by its next attempt.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute

from chalicelib.models.accounts import Provider
from chalicelib.models.base import TableItem

DELIVERY_SHARDS = 4
PENDING, DELIVERED, DEAD = "PENDING", "DELIVERED", "DEAD"


if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

_WEBHOOK_SK = "WEBHOOK#"


def provider_pk(provider_id: str) -> str:
    """The provider's own partition: webhooks live beside the provider profile."""
    return Provider.keys(provider_id)[0]


def deliveries_log_pk(webhook_id: str) -> str:
    return f"WEBHOOK#{webhook_id}#DELIVERIES"


def delivery_shard_pk(shard: int) -> str:
    return f"DELIVERIES#{shard}"


def timer_stamp(moment: datetime) -> str:
    """`timer_due` as the timer index sorts it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def delivery_shard_of(delivery_id: str) -> int:
    return int(hashlib.sha256(delivery_id.encode()).hexdigest()[:8], 16) % DELIVERY_SHARDS


class Webhook(TableItem, discriminator="Webhook"):
    id = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    secret = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def keys(provider_id: str, webhook_id: str) -> tuple[str, str]:
        return provider_pk(provider_id), f"{_WEBHOOK_SK}{webhook_id}"

    @staticmethod
    def of_provider() -> Condition:
        """Sort key condition: the webhooks among the items of a provider's partition."""
        return Webhook.sk.startswith(_WEBHOOK_SK)

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.provider_id, self.id)


class WebhookQuota(TableItem, discriminator="WebhookQuota"):
    provider_id = UnicodeAttribute()
    total = NumberAttribute(default=0)

    @staticmethod
    def keys(provider_id: str) -> tuple[str, str]:
        return provider_pk(provider_id), "WEBHOOKS"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.provider_id)


class Delivery(TableItem, discriminator="Delivery"):
    id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    # The event JSON exactly as signed and sent, the same bytes on every attempt.
    payload = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    state = UnicodeAttribute(default=PENDING)
    attempt = NumberAttribute(default=0)
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    response_excerpt = UnicodeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    # The sort key of the earlier delivery of its chain it was set to fall due behind (then
    # that one, when it ends, makes it due at once); None once it is claimed or woken.
    waiting_on = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    @staticmethod
    def delivery_id(webhook_id: str, event_id: str) -> str:
        """One delivery per event and webhook: a stream record read twice schedules nothing new."""
        return "dlv_" + hashlib.sha256(f"{webhook_id}|{event_id}".encode()).hexdigest()[:32]

    @staticmethod
    def chain_pk(webhook_id: str, subject_id: str) -> str:
        return f"DELIVERY#{webhook_id}#{subject_id}"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.chain_pk(self.webhook_id, self.subject_id), f"{self.occurred_at}#{self.event_id}"
        self.gsi1pk, self.gsi1sk = deliveries_log_pk(self.webhook_id), f"{self.created_at.isoformat()}#{self.id}"
        if self.state == PENDING and self.next_attempt_at is not None:
            self.timer_shard = delivery_shard_pk(delivery_shard_of(self.id))
            self.timer_due = timer_stamp(self.next_attempt_at)
        else:
            self.timer_shard = self.timer_due = None
