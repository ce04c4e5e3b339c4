"""Registration, profiles, becoming a provider, KYC and admins."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.accounts import email_key, password_problems
from chalicelib.domain.ids import is_id, new_id
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.models.accounts import (
    EmailClaim,
    EmergencyContact,
    GuestProfile,
    Login,
    Passport,
    PhoneClaim,
    Provider,
    User,
)
from chalicelib.models.base import condition_failed, failed_conditions, transaction
from chalicelib.schemas.accounts import (
    BecomeProviderRequest,
    GuestProfilePatch,
    KycRequest,
    ProviderProfilePatch,
    RegisterRequest,
    TokenPair,
)
from chalicelib.services import stay_providers
from chalicelib.services.auth import first_tokens, new_login
from chalicelib.services.passwords import hash_password

ALL_OLD = "ALL_OLD"


def _create_user(user: User) -> None:
    """One transaction: the user, its email and phone claims and its guest profile.

    Each Put is conditioned on `attribute_not_exists(pk)`: the claims, not a read
    beforehand, make email and phone unique, also under concurrent sign-ups.
    """
    email = EmailClaim(user_id=user.id, email_key=email_key(user.email))
    phone = PhoneClaim(user_id=user.id, phone=user.phone) if user.phone is not None else None
    try:
        with transaction() as tx:
            tx.save(user, condition=User.pk.does_not_exist())
            tx.save(email, condition=EmailClaim.pk.does_not_exist(), return_values=ALL_OLD)
            if phone is not None:
                tx.save(phone, condition=PhoneClaim.pk.does_not_exist(), return_values=ALL_OLD)
            tx.save(
                GuestProfile(user_id=user.id, updated_at=user.created_at), condition=GuestProfile.pk.does_not_exist()
            )
    except TransactWriteError as exc:
        taken = {pk for pk, _ in failed_conditions(exc)}
        if email.pk in taken:
            raise Conflict("An account with this email exists.", code="EMAIL_TAKEN") from exc
        if phone is not None and phone.pk in taken:
            raise Conflict("An account with this phone number exists.", code="PHONE_TAKEN") from exc
        raise


def register(body: RegisterRequest) -> User:
    """Create a guest account (see `_create_user`)."""
    now = clock.utcnow()
    user = User(
        id=new_id(),
        email=str(body.email),
        phone=body.phone,
        full_name=body.full_name,
        password_hash=hash_password(body.password),
        created_at=now,
        updated_at=now,
    )
    _create_user(user)
    return user


def get_user(user_id: str, *, consistent: bool = False) -> User:
    """GetItem `USER#<id>`."""
    try:
        return User.get(*User.keys(user_id), consistent_read=consistent)
    except DoesNotExist as exc:
        raise NotFound("No such user.") from exc


def guest_profile(user_id: str) -> GuestProfile:
    """GetItem `USER#<id>` / `GUEST_PROFILE`."""
    try:
        return GuestProfile.get(*GuestProfile.keys(user_id))
    except DoesNotExist as exc:
        raise NotFound("No guest profile.") from exc


def _set_or_remove(attribute: Attribute[Any], value: Any) -> Action:
    return attribute.remove() if value is None else attribute.set(value)


def update_guest_profile(user_id: str, patch: GuestProfilePatch) -> GuestProfile:
    """UpdateItem of the fields sent, conditioned on the profile existing."""
    sent = patch.model_dump(mode="json", include=patch.model_fields_set)
    stored: dict[str, Any] = dict(sent)
    if "emergency_contacts" in sent:
        stored["emergency_contacts"] = [EmergencyContact(**c) for c in sent["emergency_contacts"]]
    if sent.get("passport") is not None:
        stored["passport"] = Passport(**sent["passport"])
    actions = [_set_or_remove(getattr(GuestProfile, name), value) for name, value in stored.items()]
    actions.append(GuestProfile.updated_at.set(clock.utcnow()))
    profile = GuestProfile(user_id=user_id)
    try:
        profile.update(actions=actions, condition=GuestProfile.pk.exists())
    except UpdateError as exc:
        if condition_failed(exc):
            raise NotFound("No guest profile.") from exc
        raise
    return profile


def become_provider(user_id: str, body: BecomeProviderRequest) -> tuple[Provider, TokenPair]:
    """One transaction: Put `PROVIDER#<new id>` and set the user's `provider_id` if it has none.

    The condition on the user item makes a second call (or a concurrent one) a 409
    `ALREADY_PROVIDER`. The new token pair, with the provider role and id, is a login saved
    in the same transaction: nothing is written after it, so a failure leaves no change
    behind (a login saved after it could fail, a 503 whose retry was then a 409).
    """
    now = clock.utcnow()
    user = get_user(user_id, consistent=True)
    if user.provider_id is not None:
        raise Conflict("You are a provider already.", code="ALREADY_PROVIDER")
    provider = Provider(id=new_id(), user_id=user_id, created_at=now, updated_at=now, **body.model_dump())
    login = new_login(user_id, now)
    try:
        with transaction() as tx:
            tx.save(provider, condition=Provider.pk.does_not_exist())
            tx.update(
                User(id=user_id),
                actions=[User.provider_id.set(provider.id), User.updated_at.set(now)],
                condition=User.pk.exists() & User.provider_id.does_not_exist(),
                return_values=ALL_OLD,
            )
            tx.save(login, condition=Login.pk.does_not_exist())
    except TransactWriteError as exc:
        failed = set(failed_conditions(exc))
        if (user.pk, user.sk) in failed:  # a provider since it was read
            raise Conflict("You are a provider already.", code="ALREADY_PROVIDER") from exc
        if ("", "") in failed:  # the user gone since it was read (or an id taken, by chance)
            raise NotFound("No such user.") from exc
        raise
    user.provider_id = provider.id
    return provider, first_tokens(user, login)


def provider(provider_id: str) -> Provider:
    """GetItem `PROVIDER#<id>`; an id of the wrong shape is simply not found."""
    if not is_id(provider_id):
        raise NotFound("No such provider.")
    try:
        return Provider.get(*Provider.keys(provider_id))
    except DoesNotExist as exc:
        raise NotFound("No such provider.") from exc


def _update_provider(provider_id: str, actions: list[Action]) -> Provider:
    if not is_id(provider_id):
        raise NotFound("No such provider.")
    item = Provider(id=provider_id)
    try:
        item.update(actions=[*actions, Provider.updated_at.set(clock.utcnow())], condition=Provider.pk.exists())
    except UpdateError as exc:
        if condition_failed(exc):
            raise NotFound("No such provider.") from exc
        raise
    return item


def update_provider_profile(provider_id: str, patch: ProviderProfilePatch) -> Provider:
    """UpdateItem `PROVIDER#<id>` with the fields sent; KYC and stats are not among them.
    A new business name or phone is copied to the provider's stays."""
    sent = patch.model_dump(include=patch.model_fields_set)
    actions = [_set_or_remove(getattr(Provider, k), v) for k, v in sent.items()]
    if stay_providers.COPIED.isdisjoint(sent):
        return _update_provider(provider_id, actions)
    # Then a Query of its stays and an UpdateItem each, in parallel (services/stay_providers.py).
    provider = _update_provider(provider_id, [*actions, Provider.profile_version.add(1)])
    stay_providers.refresh_stays(provider)
    return provider


def set_kyc(provider_id: str, body: KycRequest) -> Provider:
    """An admin's KYC decision: UpdateItem `PROVIDER#<id>` if it exists."""
    return _update_provider(
        provider_id, [Provider.kyc_status.set(body.kyc_status), _set_or_remove(Provider.kyc_note, body.note)]
    )


def create_admin(email: str, password: str, full_name: str = "Administrator") -> tuple[User, bool]:
    """Promote the account with `email` to admin, or create one; True when it was created.

    An existing account keeps its password: promotion never resets credentials.
    """
    problems = password_problems(password, email=email)
    try:
        claim = EmailClaim.get(*EmailClaim.keys(email_key(email)))
    except DoesNotExist:
        claim = None
    if claim is not None:
        user = get_user(claim.user_id)
        user.update(actions=[User.is_staff.set(True), User.is_superuser.set(True), User.updated_at.set(clock.utcnow())])
        return user, False
    if problems:
        raise Invalid("password " + "; ".join(problems))
    now = clock.utcnow()
    user = User(
        id=new_id(),
        email=email,
        full_name=full_name,
        password_hash=hash_password(password),
        is_staff=True,
        is_superuser=True,
        created_at=now,
        updated_at=now,
    )
    _create_user(user)
    return user, True
