"""Provider webhooks: registered (the secret shown once), listed, deleted, and their delivery log."""

from __future__ import annotations

import secrets
from base64 import b64encode
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.pagination import ResultIterator

from chalicelib import clock
from chalicelib.domain import webhook_urls
from chalicelib.domain.ids import is_id, new_id
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.models.base import condition_failed, failed_conditions, transaction
from chalicelib.models.webhooks import Delivery, Webhook, WebhookQuota, deliveries_log_pk, provider_pk
from chalicelib.schemas.webhooks import WebhookCreate
from chalicelib.services.pages import page
from chalicelib.settings import get_settings

MAX_WEBHOOKS = 5
# The resolver the URL checks use; tests put a fake one here.
resolver: webhook_urls.Resolver = webhook_urls.system_resolver


def _new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + b64encode(secrets.token_bytes(32)).decode()


def register(provider_id: str, body: WebhookCreate) -> Webhook:
    """Add a webhook in one transaction with the provider's webhook count, which may not pass
    MAX_WEBHOOKS (`PROVIDER#<pid>` / `WEBHOOKS`, ADD under a condition)."""
    try:
        webhook_urls.check_registration(body.url, allow_local=get_settings().allows_local_webhooks, resolver=resolver)
    except webhook_urls.UnsafeUrl as exc:
        raise Invalid("The webhook URL is not allowed.", errors=[{"field": "url", "message": str(exc)}]) from exc
    webhook = Webhook(
        id=new_id(),
        provider_id=provider_id,
        url=body.url,
        events=list(body.events),
        secret=_new_secret(),
        created_at=clock.utcnow(),
    )
    quota = WebhookQuota(provider_id=provider_id)
    try:
        with transaction() as tx:
            tx.save(webhook, condition=Webhook.pk.does_not_exist())
            tx.update(
                quota,
                # The first registration creates the counter item: give it its kind and owner too.
                actions=[
                    WebhookQuota.total.add(1),
                    WebhookQuota.provider_id.set(provider_id),
                    WebhookQuota.kind.set(WebhookQuota),
                ],
                condition=WebhookQuota.total.does_not_exist() | (WebhookQuota.total < MAX_WEBHOOKS),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise Conflict(
                f"A provider has at most {MAX_WEBHOOKS} webhooks; delete one first.", code="WEBHOOK_LIMIT_REACHED"
            ) from exc
        raise
    return webhook


def _of_provider(provider_id: str, **options: Any) -> ResultIterator[Webhook]:
    """A strongly consistent Query on `PROVIDER#<pid>`, `sk` beginning `WEBHOOK#` (at most five),
    so an event or a listing just after a registration does not miss it."""
    return Webhook.query(provider_pk(provider_id), Webhook.of_provider(), consistent_read=True, **options)


def webhooks(provider_id: str) -> list[Webhook]:
    """All of the provider's webhooks, for an event's deliveries."""
    return [w for w in _of_provider(provider_id) if isinstance(w, Webhook)]


def webhook_page(provider_id: str, *, limit: int, cursor: str | None) -> tuple[list[Webhook], str | None]:
    """A page of the provider's webhooks, as every list is paged."""
    return page(
        lambda start: _of_provider(provider_id, limit=limit, last_evaluated_key=start),
        Webhook,
        cursor=cursor,
        scope=f"webhooks:{provider_id}",
    )


def _own(provider_id: str, webhook_id: str) -> Webhook:
    """The caller's webhook; another provider's is as unknown as one that never was."""
    if not is_id(webhook_id):
        raise NotFound("No such webhook.")
    try:
        return Webhook.get(*Webhook.keys(provider_id, webhook_id))
    except Webhook.DoesNotExist as exc:
        raise NotFound("No such webhook.") from exc


def delete(provider_id: str, webhook_id: str) -> None:
    """Remove the webhook and give its place back, in one transaction. Its pending
    deliveries die at their next attempt (the sender finds no webhook)."""
    if not is_id(webhook_id):
        raise NotFound("No such webhook.")
    try:
        with transaction() as tx:
            tx.delete(Webhook(id=webhook_id, provider_id=provider_id), condition=Webhook.pk.exists())
            tx.update(WebhookQuota(provider_id=provider_id), actions=[WebhookQuota.total.add(-1)])
    except TransactWriteError as exc:
        if failed_conditions(exc) or condition_failed(exc):
            raise NotFound("No such webhook.") from exc
        raise


def deliveries(
    provider_id: str, webhook_id: str, *, limit: int, cursor: str | None
) -> tuple[list[Delivery], str | None]:
    """The webhook's delivery log, newest first: gsi1 `WEBHOOK#<id>#DELIVERIES`, read backwards."""
    webhook = _own(provider_id, webhook_id)
    return page(
        lambda start: Delivery.gsi1.query(
            deliveries_log_pk(webhook.id), scan_index_forward=False, limit=limit, last_evaluated_key=start
        ),
        Delivery,
        cursor=cursor,
        scope=f"deliveries:{webhook.id}",
    )
