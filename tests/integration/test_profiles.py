"""Guest profile, becoming a provider, the provider profile, the public summary and KYC."""

import pytest

from chalicelib.services.accounts import create_admin
from tests.factories import PASSWORD, Api, provider_body, sign_up, sign_up_provider


def admin_token(api: Api) -> str:
    create_admin("root@example.com", PASSWORD)
    return api.post("/api/auth/token", {"email": "root@example.com", "password": PASSWORD}).body["access"]


# --- guest profile ---


def test_guest_profile_exists_from_registration(api: Api) -> None:
    person = sign_up(api)
    reply = api.get("/api/accounts/guest-profile", token=person.access)
    assert reply.status == 200
    assert reply.body["user_id"] == person.id
    assert reply.body["preferences"] == {} and reply.body["emergency_contacts"] == []
    assert reply.body["passport"] is None and reply.body["nationality"] is None


def test_guest_profile_patch_changes_only_what_is_sent(api: Api) -> None:
    person = sign_up(api)
    full = {
        "date_of_birth": "1990-04-12",
        "nationality": "BD",
        "gender": "female",
        "preferences": {"smoking": False, "floor": "high"},
        "emergency_contacts": [{"name": "Rahim", "phone": "+8801912345678", "relation": "brother"}],
        "passport": {"number": "EB1234567", "country": "BD", "expires_on": "2030-01-31"},
    }
    assert api.patch("/api/accounts/guest-profile", full, token=person.access).status == 200
    reply = api.patch("/api/accounts/guest-profile", {"gender": "prefer_not_to_say"}, token=person.access)
    assert reply.status == 200
    assert reply.body["gender"] == "prefer_not_to_say"
    assert reply.body["nationality"] == "BD"
    assert reply.body["emergency_contacts"] == full["emergency_contacts"]
    assert reply.body["passport"] == full["passport"]
    assert api.get("/api/accounts/guest-profile", token=person.access).body == reply.body


def test_guest_profile_null_clears_an_optional_field(api: Api) -> None:
    person = sign_up(api)
    passport = {"number": "EB1234567", "country": "BD", "expires_on": "2030-01-31"}
    api.patch("/api/accounts/guest-profile", {"passport": passport, "nationality": "BD"}, token=person.access)
    reply = api.patch("/api/accounts/guest-profile", {"passport": None}, token=person.access)
    assert reply.body["passport"] is None and reply.body["nationality"] == "BD"


@pytest.mark.parametrize(
    "body",
    [
        {"nationality": "XX"},
        {"date_of_birth": "2999-01-01"},
        {"date_of_birth": "1850-01-01"},
        {"gender": "robot"},
        {"emergency_contacts": [{"name": "A", "phone": "123", "relation": "x"}]},
        {"emergency_contacts": [{"name": "A", "phone": "+8801912345678", "relation": "x", "age": 3}]},
        {"emergency_contacts": [{"name": "A", "phone": "+8801912345678", "relation": "x"}] * 6},
        {"passport": {"number": "no spaces!", "country": "BD", "expires_on": "2030-01-01"}},
        {"preferences": {"blob": "x" * 5000}},
        {"preferences": None},
        {"user_id": "someone-else"},
    ],
)
def test_bad_guest_profile_patches_are_400_and_change_nothing(api: Api, body: dict) -> None:
    person = sign_up(api)
    before = api.get("/api/accounts/guest-profile", token=person.access).body
    reply = api.patch("/api/accounts/guest-profile", body, token=person.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")
    assert api.get("/api/accounts/guest-profile", token=person.access).body == before


def test_guest_profile_needs_a_token(api: Api) -> None:
    assert api.get("/api/accounts/guest-profile").status == 401


# --- becoming a provider ---


def test_become_provider_returns_profile_and_provider_tokens(api: Api) -> None:
    person = sign_up(api)
    reply = api.post("/api/accounts/become-provider", provider_body(payout_method="bank_transfer"), token=person.access)
    assert reply.status == 201
    profile = reply.body["provider_profile"]
    assert profile["user_id"] == person.id and profile["kyc_status"] == "PENDING"
    assert profile["total_bookings"] == 0 and (profile["average_rating"], profile["total_reviews"]) == (None, 0)
    assert reply.body["token_type"] == "Bearer" and reply.body["refresh"]
    me = api.get("/api/auth/me", token=reply.body["access"])
    assert me.body["roles"] == ["guest", "provider"]
    own = api.get("/api/accounts/provider-profile", token=reply.body["access"])
    assert own.status == 200 and own.body["id"] == profile["id"]


def test_becoming_a_provider_twice_is_409(api: Api, items) -> None:
    person = sign_up_provider(api)
    before = len(items())
    reply = api.post("/api/accounts/become-provider", provider_body(), token=person.access)
    assert (reply.status, reply.code) == (409, "ALREADY_PROVIDER")
    assert len(items()) == before


def test_a_provider_since_the_read_is_409_by_the_transactions_condition(
    api: Api, items, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two calls at once both read a user without a provider: the transaction's condition
    refuses the second, which writes nothing (no second profile, no login)."""
    from chalicelib.services import accounts

    person = sign_up_provider(api)
    read = accounts.get_user

    def stale(user_id: str, *, consistent: bool = False):
        user = read(user_id, consistent=consistent)
        user.provider_id = None  # as read before the other call committed
        return user

    monkeypatch.setattr(accounts, "get_user", stale)
    before = items()
    reply = api.post("/api/accounts/become-provider", provider_body(), token=person.access)
    assert (reply.status, reply.code) == (409, "ALREADY_PROVIDER"), reply.body
    assert items() == before


@pytest.mark.parametrize(
    "override",
    [
        {"business_email": "nope"},
        {"business_phone": "12"},
        {"business_name": ""},
        {"document_type": "selfie"},
        {"kyc_status": "VERIFIED"},
        {"total_bookings": 100},
        {"payout_details": {"k" * 41: "v"}},
    ],
)
def test_bad_become_provider_bodies_are_400_and_write_nothing(api: Api, items, override: dict) -> None:
    person = sign_up(api)
    before = len(items())
    reply = api.post("/api/accounts/become-provider", provider_body(**override), token=person.access)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")
    assert len(items()) == before


def test_provider_routes_refuse_a_guest_with_403(api: Api) -> None:
    person = sign_up(api)
    reply = api.get("/api/accounts/provider-profile", token=person.access)
    assert (reply.status, reply.code) == (403, "NOT_A_PROVIDER")
    assert api.patch("/api/accounts/provider-profile", {"business_name": "X"}, token=person.access).status == 403


def test_provider_patch_changes_contact_but_never_kyc_or_stats(api: Api) -> None:
    provider = sign_up_provider(api)
    reply = api.patch(
        "/api/accounts/provider-profile",
        {"business_name": "Hill View", "business_phone": "+8801612345678", "payout_details": {"iban": "BD00"}},
        token=provider.access,
    )
    assert reply.status == 200
    assert reply.body["business_name"] == "Hill View" and reply.body["business_phone"] == "+8801612345678"
    assert reply.body["payout_details"] == {"iban": "BD00"}
    for forbidden in (
        {"kyc_status": "VERIFIED"},
        {"total_bookings": 9},
        {"average_rating": 5},
        {"business_name": None},
    ):
        refused = api.patch("/api/accounts/provider-profile", forbidden, token=provider.access)
        assert refused.status == 400, forbidden
    profile = api.get("/api/accounts/provider-profile", token=provider.access).body
    assert profile["kyc_status"] == "PENDING" and profile["total_bookings"] == 0
    assert profile["business_name"] == "Hill View"


def test_public_provider_summary_needs_no_token_and_hides_private_fields(api: Api) -> None:
    provider = sign_up_provider(api, payout_details={"account": "123"})
    reply = api.get(f"/api/providers/{provider.provider_id}")
    assert reply.status == 200
    assert set(reply.body) == {"id", "business_name", "average_rating", "total_reviews", "total_bookings"}


@pytest.mark.parametrize("provider_id", ["A" * 22, "bad#id", "x"])
def test_unknown_provider_is_404(api: Api, provider_id: str) -> None:
    reply = api.get(f"/api/providers/{provider_id}")
    assert (reply.status, reply.code) == (404, "NOT_FOUND")


# --- KYC ---


def test_admin_sets_kyc(api: Api) -> None:
    provider = sign_up_provider(api)
    reply = api.post(
        f"/api/admin/providers/{provider.provider_id}/kyc",
        {"kyc_status": "VERIFIED", "note": "documents checked"},
        token=admin_token(api),
    )
    assert reply.status == 200
    assert reply.body["kyc_status"] == "VERIFIED" and reply.body["kyc_note"] == "documents checked"
    assert api.get("/api/accounts/provider-profile", token=provider.access).body["kyc_status"] == "VERIFIED"


def test_kyc_by_a_provider_or_guest_is_403(api: Api) -> None:
    provider = sign_up_provider(api)
    reply = api.post(
        f"/api/admin/providers/{provider.provider_id}/kyc", {"kyc_status": "VERIFIED"}, token=provider.access
    )
    assert (reply.status, reply.code) == (403, "FORBIDDEN")


def test_kyc_of_an_unknown_provider_is_404_and_writes_nothing(api: Api, items) -> None:
    token = admin_token(api)
    before = len(items())
    reply = api.post("/api/admin/providers/" + "Z" * 22 + "/kyc", {"kyc_status": "VERIFIED"}, token=token)
    assert reply.status == 404
    assert len(items()) == before


@pytest.mark.parametrize("body", [{"kyc_status": "APPROVED"}, {}, {"kyc_status": "VERIFIED", "by": "me"}])
def test_bad_kyc_bodies_are_400(api: Api, body: dict) -> None:
    provider = sign_up_provider(api)
    reply = api.post(f"/api/admin/providers/{provider.provider_id}/kyc", body, token=admin_token(api))
    assert reply.status == 400
