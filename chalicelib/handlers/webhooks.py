"""/api/accounts/provider-profile/webhooks: a provider's webhooks and their delivery log."""

from __future__ import annotations

from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.common import Page, PageQuery
from chalicelib.schemas.webhooks import DeliveryOut, WebhookCreate, WebhookCreated, WebhookOut
from chalicelib.services import webhooks

bp = ApiBlueprint(__name__)
_PATH = "/api/accounts/provider-profile/webhooks"


@bp.operation(
    "POST",
    _PATH,
    auth="provider",
    body=WebhookCreate,
    response=WebhookCreated,
    status=201,
    problems={409: ("WEBHOOK_LIMIT_REACHED",)},
)
def register_webhook(owner: str, body: WebhookCreate) -> WebhookCreated:
    """Subscribe a URL to event types; the answer shows the signing secret, once."""
    return WebhookCreated.model_validate(webhooks.register(owner, body))


@bp.operation("GET", _PATH, auth="provider", query=PageQuery, response=Page[WebhookOut])
def list_webhooks(owner: str, query: PageQuery) -> Page[WebhookOut]:
    """The caller's webhooks (at most 5 in all), without their secrets."""
    found, next_cursor = webhooks.webhook_page(owner, limit=query.limit, cursor=query.cursor)
    return Page[WebhookOut](items=[WebhookOut.model_validate(w) for w in found], next_cursor=next_cursor)


@bp.operation("DELETE", _PATH + "/{webhook_id}", auth="provider", status=204, problems={404: ("NOT_FOUND",)})
def delete_webhook(owner: str, webhook_id: str) -> None:
    """Remove a webhook; its pending deliveries are not sent."""
    webhooks.delete(owner, webhook_id)


@bp.operation(
    "GET",
    _PATH + "/{webhook_id}/deliveries",
    auth="provider",
    query=PageQuery,
    response=Page[DeliveryOut],
    problems={404: ("NOT_FOUND",)},
)
def webhook_deliveries(owner: str, webhook_id: str, query: PageQuery) -> Page[DeliveryOut]:
    """The webhook's deliveries, newest first: attempts made, last answer, next attempt."""
    items, next_cursor = webhooks.deliveries(owner, webhook_id, limit=query.limit, cursor=query.cursor)
    return Page[DeliveryOut](items=[DeliveryOut.model_validate(d) for d in items], next_cursor=next_cursor)
