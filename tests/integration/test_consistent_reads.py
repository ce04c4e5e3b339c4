"""Reads whose answer decides a write or a refusal are strongly consistent: on AWS an eventually
consistent one may miss a write of a moment ago (moto and DynamoDB Local never do, so these
tests look at the requests themselves)."""

from __future__ import annotations

from tests.factories import PASSWORD, Api, provider_body, sign_up
from tests.integration.conftest import World, requests_to

WEBHOOKS = "/api/accounts/provider-profile/webhooks"


def test_a_sign_in_reads_its_throttle_counts_consistently(api: Api) -> None:
    """A lock written by another sign-in a moment ago must stop this one."""
    person = sign_up(api)
    with requests_to("BatchGetItem") as reads:
        assert api.post("/api/auth/token", {"email": person.email, "password": PASSWORD}).status == 200
    assert reads and all(
        table.get("ConsistentRead") is True for read in reads for table in read["RequestItems"].values()
    ), reads


def test_becoming_a_provider_reads_the_user_consistently(api: Api) -> None:
    """The new tokens' roles come from the user item read before the transaction (which is
    conditioned on it still having no provider): a stale read would miss a role just given."""
    person = sign_up(api)
    with requests_to("GetItem") as reads:
        made = api.post("/api/accounts/become-provider", provider_body(), token=person.access)
    assert made.status == 201, made.body
    users = [read for read in reads if read["Key"]["pk"]["S"].startswith("USER#")]
    assert users and users[-1].get("ConsistentRead") is True, reads


def test_the_webhooks_an_event_goes_to_are_read_consistently(api: Api, world: World) -> None:
    """One registered a moment before a booking must get its events (the same read lists them)."""
    with requests_to("Query") as reads:
        assert api.get(WEBHOOKS, token=world.provider.access).status == 200
    webhook_reads = [read for read in reads if "WEBHOOK#" in str(read.get("ExpressionAttributeValues"))]
    assert webhook_reads and all(read.get("ConsistentRead") is True for read in webhook_reads), reads
