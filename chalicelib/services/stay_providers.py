"""The provider snapshot kept on each stay: what lets a booking be made in two round trips.

A booking shows its provider's business name and phone. Reading the provider item
would be a third sequential DynamoDB call (its key is known only once the stay is read),
so each stay carries a copy, `Stay.provider`, taken when the stay is created and
refreshed when the profile's name or phone changes:

- create: GetItem the provider, then one transaction of a ConditionCheck that its
  `profile_version` is still the one read and the Put of the stay. A profile change
  that commits in between cancels it, and the stay is built again from a new read.
- profile PATCH: the UpdateItem bumps `profile_version` (the snapshot's `version`),
  then one Query of the provider's stays on gsi1 and one UpdateItem per stay, in
  parallel, each conditioned on its snapshot being older. Of two racing PATCHes the
  newer snapshot always stays; each refresh also bumps the stay's version, so a stay
  PATCH that read the old snapshot fails its condition and reads again.

The remaining window: gsi1 is eventually consistent, so a PATCH whose Query runs
within the index's lag (typically well under a second) of a stay's creation may miss
that stay, which keeps the snapshot it was created with until the next PATCH.

Stays written before the snapshot existed have none; a booking of one reads the
provider (`booking_snapshot`, one more GetItem), and the provider's next profile
PATCH gives all its stays one.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.errors import NotFound
from chalicelib.models.accounts import Provider
from chalicelib.models.base import condition_failed
from chalicelib.models.bookings import ProviderSnapshot
from chalicelib.models.listings import Stay, StayProvider, provider_stays_pk
from chalicelib.pools import request_pool

# Fields of the profile that the snapshot copies: a PATCH of any of them refreshes the stays.
COPIED = frozenset({"business_name", "business_phone"})
# Stays updated at once (the table connection's pool holds 40, shared with the search).
_PARALLEL_UPDATES = 32


def snapshot_of(provider: Provider) -> StayProvider:
    return StayProvider(
        id=provider.id,
        business_name=provider.business_name,
        business_phone=provider.business_phone,
        version=provider.profile_version,
    )


def current_version(provider: Provider) -> Condition:
    """The condition that the provider's profile is still at the version that was read."""
    if provider.profile_version == 0:  # never changed: the attribute may be missing
        return Provider.profile_version.does_not_exist() | (Provider.profile_version == 0)
    return Provider.profile_version == provider.profile_version


def booking_snapshot(stay: Stay) -> ProviderSnapshot:
    """The stay's provider for a booking: its snapshot, or one GetItem for an older stay."""
    if stay.provider is None:
        try:
            provider = Provider.get(*Provider.keys(stay.provider_id))
        except DoesNotExist as exc:
            raise NotFound("No such room.") from exc
        return ProviderSnapshot(
            id=provider.id, business_name=provider.business_name, business_phone=provider.business_phone
        )
    shown = stay.provider
    return ProviderSnapshot(id=shown.id, business_name=shown.business_name, business_phone=shown.business_phone)


def _refresh(stay: Stay, snapshot: StayProvider) -> None:
    try:
        # The stay's own version is bumped (not checked): a concurrent stay PATCH reads again.
        stay.update(
            actions=[Stay.provider.set(snapshot)],
            condition=Stay.pk.exists() & (Stay.provider.does_not_exist() | (Stay.provider.version < snapshot.version)),
            add_version_condition=False,
        )
    except UpdateError as exc:
        if not condition_failed(exc):  # a newer snapshot is there, or the stay was deleted
            raise


def refresh_stays(provider: Provider) -> int:
    """Give every stay of `provider` its current snapshot; how many stays were looked at."""
    snapshot = snapshot_of(provider)
    stays = [s for s in Stay.gsi1.query(provider_stays_pk(provider.id)) if isinstance(s, Stay)]
    request_pool("stay-providers", _PARALLEL_UPDATES).map(lambda stay: _refresh(stay, snapshot), stays)
    return len(stays)
