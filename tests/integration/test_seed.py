"""`make seed`: demo data with verified providers, three kinds of stay, every booking status and reviews."""

from collections import Counter

import boto3

from chalicelib.settings import get_settings
from scripts import seed


def test_seed_writes_every_status_and_is_idempotent(capsys) -> None:
    assert seed.main() == 0
    items = boto3.resource("dynamodb").Table(get_settings().table_name).scan()["Items"]
    bookings = [i for i in items if i["kind"] == "Booking"]
    outcomes = Counter((b["status"], b.get("cancellation_reason")) for b in bookings)
    assert set(outcomes) >= {
        ("PENDING", None),
        ("CONFIRMED", None),
        ("COMPLETED", None),
        ("CANCELLED", "CANCELLED_BY_GUEST"),
        ("CANCELLED", "REJECTED_BY_PROVIDER"),
        ("CANCELLED", "EXPIRED"),
    }
    stays = [i for i in items if i["kind"] == "Stay"]
    assert {s["stay_type"] for s in stays} == {"hotel", "homestay", "resort"}
    assert len({s["timezone"] for s in stays}) >= 3 and len({s["city"] for s in stays}) >= 4
    rooms = [i for i in items if i["kind"] == "Room"]
    assert all(len(r["rules"]) == 2 for r in rooms)  # a season with a minimum stay, and weekends
    assert {r["rules"][0]["min_stay"] for r in rooms} == {2} and {r["rules"][1]["weekdays"][0] for r in rooms} == {5}
    assert any(len({p["price"] for p in b["nightly_prices"]}) > 1 for b in bookings), "no booking shows a weekend"
    providers = [i for i in items if i["kind"] == "Provider"]
    assert len(providers) == 3 and all(p["kyc_status"] == "VERIFIED" for p in providers)
    reviews = [i for i in items if i["kind"] == "Review"]
    assert len(reviews) >= 5 and any(r.get("reply") for r in reviews)
    assert len([s for s in stays if s.get("rating_count", 0) > 0]) >= 4
    assert sum(p.get("total_reviews", 0) for p in providers) == len(reviews)
    assert "demo data written" in capsys.readouterr().out

    assert seed.main() == 0
    assert "there already" in capsys.readouterr().out
    assert len(boto3.resource("dynamodb").Table(get_settings().table_name).scan()["Items"]) == len(items)
