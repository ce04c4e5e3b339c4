"""Reviews: a guest reviews a completed stay once, the provider replies once, an admin hides.

Every write that changes what a stay or a provider counts is one transaction with the
counters (`chalicelib.models.reviews.rating_actions`): blind `ADD`s, so figures stay exact
however many reviews land at once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError, UpdateError

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.domain import reviews as rules
from chalicelib.domain.ids import is_id, new_child_id, parent_of
from chalicelib.domain.tokens import AccessClaims
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.models.accounts import Provider
from chalicelib.models.base import condition_failed, failed_conditions, transaction
from chalicelib.models.bookings import Booking
from chalicelib.models.listings import Stay
from chalicelib.models.reviews import Reply, Review, rating_actions, stay_reviews_pk
from chalicelib.schemas.reviews import HideRequest, ReplyCreate, ReviewCreate
from chalicelib.services.bookings.reads import get_booking
from chalicelib.services.pages import page
from chalicelib.services.retries import retrying
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)


def _not_reviewable(detail: str) -> Conflict:
    return Conflict(detail, code="NOT_REVIEWABLE")


def _stay(stay_id: str, *, consistent: bool = True) -> Stay | None:
    """The stay as it is now (its version moves with its counters); None once it is deleted."""
    if not is_id(stay_id):
        return None
    try:
        return Stay.get(*Stay.keys(stay_id), consistent_read=consistent)
    except DoesNotExist:
        return None


def _reviewable_booking(caller: AccessClaims, booking_id: str, now: datetime) -> Booking:
    """The caller's own booking of someone else's stay, COMPLETED, within the review window."""
    booking = get_booking(caller, booking_id, consistent=True)
    if not access.is_guest(caller, booking.guest_id):
        raise NotFound("No such booking.")
    if access.is_provider(caller, booking.provider_id):
        raise Forbidden("A provider cannot review their own stay.", code="OWN_LISTING")
    deadline = rules.review_deadline(
        date.fromisoformat(booking.check_out),
        booking.stay.check_out_time,
        booking.stay.timezone,
        get_settings().review_window_days,
    )
    if not rules.is_reviewable(booking.status, deadline, now):
        days = get_settings().review_window_days
        raise _not_reviewable(f"A booking is reviewed once it is COMPLETED, until {days} days after check-out.")
    return booking


def _write_review(review: Review) -> None:
    """One transaction: Put the review if the booking has none; ADD to the stay's and the
    provider's counters if they still exist. A token per attempt makes botocore's own resend
    of this request harmless."""
    stay = _stay(review.stay_id)
    if stay is None:
        raise _not_reviewable("The stay is no longer listed.")
    stay_actions, provider_actions = rating_actions(int(review.rating), 1)
    stay_actions += stay.unsettled_rating_actions()
    try:
        with transaction(str(uuid.uuid4())) as tx:
            tx.save(review, condition=Review.pk.does_not_exist(), return_values=ALL_OLD)
            tx.update(stay, actions=stay_actions, condition=Stay.pk.exists(), add_version_condition=False)
            tx.update(Provider(id=review.provider_id), actions=provider_actions, condition=Provider.pk.exists())
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        if (review.pk, review.sk) in failed_conditions(exc):
            raise Conflict("This booking has been reviewed already.", code="ALREADY_REVIEWED") from exc
        raise _not_reviewable("The stay is no longer listed.") from exc


def _settle(stay_id: str) -> None:
    """After the counters moved (outside the retried transaction, which must not run twice):
    the stay's place in the rating index, read off them (see `Stay.settle_rating`). Best
    effort: until it is done the stay ranks too high, which the search tolerates, so a
    failure here is logged and the committed review still answers."""
    try:
        stay = _stay(stay_id)
        if stay is not None:
            stay.settle_rating()
    except PynamoDBException:
        log.warning("stay rating not settled", extra={"stay_id": stay_id}, exc_info=True)


def create_review(caller: AccessClaims, booking_id: str, body: ReviewCreate) -> Review:
    """The guest reviews a COMPLETED booking of theirs within `REVIEW_WINDOW_DAYS` of check-out:
    a GetItem of the booking and of the stay, then one TransactWriteItems (see `_write_review`).
    A second review of the booking, also a racing one, is a 409 `ALREADY_REVIEWED`."""
    now = clock.utcnow()
    booking = _reviewable_booking(caller, booking_id, now)
    review = Review(
        id=new_child_id(booking.id),
        booking_id=booking.id,
        stay_id=booking.stay_id,
        room_id=booking.room_id,
        provider_id=booking.provider_id,
        guest_id=booking.guest_id,
        guest_name=rules.first_name(booking.guest.full_name),
        stayed_in=rules.stayed_in(booking.check_in),
        rating=body.rating,
        title=body.title,
        body=body.body,
        created_at=now,
    )
    retrying(lambda: _write_review(review), what="review")
    _settle(review.stay_id)
    return review


def stay_reviews(stay_id: str, *, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    """One Query on gsi1, `STAY#<stay id>#REVIEWS`, newest first; hidden reviews are not in
    that (sparse) index. An unknown stay is a 404."""
    if _stay(stay_id, consistent=False) is None:
        raise NotFound("No such stay.")
    return page(
        lambda start: Review.gsi1.query(
            stay_reviews_pk(stay_id), scan_index_forward=False, limit=limit, last_evaluated_key=start
        ),
        Review,
        cursor=cursor,
        scope=f"stay-reviews:{stay_id}",
    )


def _review(review_id: str, *, consistent: bool = True) -> Review:
    """GetItem `REVIEW#<booking id>`, the booking id read out of the review id."""
    booking_id = parent_of(review_id)
    if booking_id is None:
        raise NotFound("No such review.")
    try:
        review = Review.get(*Review.keys(booking_id), consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such review.") from exc
    if review.id != review_id:
        raise NotFound("No such review.")
    return review


def reply_to_review(caller: AccessClaims, review_id: str, body: ReplyCreate) -> Review:
    """The stay's provider answers a review, once: UpdateItem with `attribute_not_exists(reply)`;
    a second reply is a 409 `ALREADY_REPLIED`. Anyone else is told there is no such review."""
    review = _review(review_id)
    if not access.is_provider(caller, review.provider_id):
        raise NotFound("No such review.")
    reply = Reply(body=body.body, created_at=clock.utcnow())
    try:
        review.update(actions=[Review.reply.set(reply)], condition=Review.reply.does_not_exist())
    except UpdateError as exc:
        if condition_failed(exc):
            raise Conflict("This review has a reply already.", code="ALREADY_REPLIED") from exc
        raise
    return review


def _write_hiding(review: Review, reason: str, now: datetime) -> None:
    """One transaction: the review hidden if it is not yet, and its rating taken back out of the
    stay's and the provider's counters (those that still exist)."""
    stay_actions, provider_actions = rating_actions(int(review.rating), -1)
    stay = _stay(review.stay_id)
    with transaction(str(uuid.uuid4())) as tx:
        tx.update(review, actions=review.hide_actions(reason, now), condition=Review.hidden == False)  # noqa: E712
        if stay is not None:
            actions = stay_actions + stay.unsettled_rating_actions()
            tx.update(stay, actions=actions, condition=Stay.pk.exists(), add_version_condition=False)
        tx.update(Provider(id=review.provider_id), actions=provider_actions, condition=Provider.pk.exists())


def hide_review(review_id: str, body: HideRequest) -> Review:
    """An admin hides a review: out of its stay's list and out of every figure. Hiding it again
    changes nothing (the condition `hidden = false` refuses a second, or racing, hiding)."""
    review = _review(review_id)
    if not review.hidden:
        try:
            retrying(lambda: _write_hiding(review, body.reason, clock.utcnow()), what="review")
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
        _settle(review.stay_id)
    return _review(review_id)
