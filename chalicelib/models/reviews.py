"""Reviews of stays, one per booking.

- `REVIEW#<booking id>` / `REVIEW`: the review, written with `attribute_not_exists`, so
  "one review per booking" is DynamoDB's condition, not a read beforehand. Its id is a
  child of the booking id (see `chalicelib.domain.ids`), so it is found from its id alone.
- gsi1 `STAY#<stay id>#REVIEWS` / `<created_at>#<review id>`: a stay's visible reviews,
  newest first when read backwards. The index is sparse: a hidden review leaves it, so the
  public list never reads what it does not show.

The stay's `rating_sum`/`rating_count` and the provider's `rating_sum`/`total_reviews`
move only by `ADD` in the review's (or the hiding's) own transaction: see `rating_actions`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.models.accounts import Provider
from chalicelib.models.base import TableItem
from chalicelib.models.listings import Stay

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action


def stay_reviews_pk(stay_id: str) -> str:
    return f"STAY#{stay_id}#REVIEWS"


class Reply(MapAttribute[str, object]):
    body = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class Review(TableItem, discriminator="Review"):
    id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    stay_id = UnicodeAttribute()
    room_id = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    guest_id = UnicodeAttribute()
    # The reviewer's first name only: nothing more of the guest is kept here.
    guest_name = UnicodeAttribute()
    stayed_in = UnicodeAttribute()
    rating = NumberAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute(default="")
    reply = Reply(null=True)
    hidden = BooleanAttribute(default=False)
    hidden_reason = UnicodeAttribute(null=True)
    hidden_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()

    @staticmethod
    def keys(booking_id: str) -> tuple[str, str]:
        return f"REVIEW#{booking_id}", "REVIEW"

    def derive_keys(self) -> None:
        self.pk, self.sk = self.keys(self.booking_id)
        if self.hidden:
            self.gsi1pk = self.gsi1sk = None
        else:
            self.gsi1pk, self.gsi1sk = stay_reviews_pk(self.stay_id), f"{self.created_at.isoformat()}#{self.id}"

    def hide_actions(self, reason: str, now: datetime) -> list[Action]:
        """The UpdateItem actions that hide it, taking it out of its stay's list too."""
        return [
            Review.hidden.set(True),
            Review.hidden_reason.set(reason),
            Review.hidden_at.set(now),
            Review.gsi1pk.remove(),
            Review.gsi1sk.remove(),
        ]


def rating_actions(rating: int, sign: int) -> tuple[list[Action], list[Action]]:
    """The stay's and the provider's counter actions for counting (`sign` 1) or uncounting (-1)
    a rating: blind `ADD`s, never a value read and written back. (PynamoDB adds one to the
    stay's version on an update of a stay that was read, so that a stay saved whole from an
    older read, a PATCH racing the review, fails its version condition instead of writing old
    counters back.)"""
    stay: list[Action] = [Stay.rating_sum.add(sign * rating), Stay.rating_count.add(sign)]
    provider: list[Action] = [Provider.rating_sum.add(sign * rating), Provider.total_reviews.add(sign)]
    return stay, provider
