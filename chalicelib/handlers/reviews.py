"""Reviews: a guest's review of a stay, a stay's public list, the provider's reply, an admin's hiding."""

from __future__ import annotations

from chalicelib.domain.tokens import AccessClaims
from chalicelib.handlers.http import ApiBlueprint
from chalicelib.schemas.common import Page, PageQuery
from chalicelib.schemas.reviews import HideRequest, ReplyCreate, ReviewCreate, ReviewOut
from chalicelib.services import reviews

bp = ApiBlueprint(__name__)


@bp.operation(
    "POST",
    "/api/bookings/rooms/{booking_id}/review",
    auth="user",
    body=ReviewCreate,
    response=ReviewOut,
    status=201,
    problems={403: ("OWN_LISTING",), 409: ("ALREADY_REVIEWED", "NOT_REVIEWABLE")},
)
def review_booking(caller: AccessClaims, booking_id: str, body: ReviewCreate) -> ReviewOut:
    """Review a completed stay of one's own, once, within the review window."""
    return ReviewOut.model_validate(reviews.create_review(caller, booking_id, body))


@bp.operation("GET", "/api/listings/stays/{stay_id}/reviews", query=PageQuery, response=Page[ReviewOut])
def stay_reviews(stay_id: str, query: PageQuery) -> Page[ReviewOut]:
    """A stay's reviews, newest first; hidden ones are left out."""
    return Page[ReviewOut].of(*reviews.stay_reviews(stay_id, limit=query.limit, cursor=query.cursor))


@bp.operation(
    "POST",
    "/api/reviews/{review_id}/reply",
    auth="user",
    body=ReplyCreate,
    response=ReviewOut,
    problems={409: ("ALREADY_REPLIED",)},
)
def reply_to_review(caller: AccessClaims, review_id: str, body: ReplyCreate) -> ReviewOut:
    """The stay's provider answers a review, once."""
    return ReviewOut.model_validate(reviews.reply_to_review(caller, review_id, body))


@bp.operation("POST", "/api/admin/reviews/{review_id}/hide", auth="admin", body=HideRequest, response=ReviewOut)
def hide_review(review_id: str, body: HideRequest) -> ReviewOut:
    """Hide a review from its stay's list and from every rating; hiding again changes nothing."""
    return ReviewOut.model_validate(reviews.hide_review(review_id, body))
