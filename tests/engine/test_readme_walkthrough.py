"""The README's walk through the API, run as written against a live server."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> str:
    text = README.read_text()
    section = text.split("<!-- walkthrough -->", 1)[1].split("<!-- /walkthrough -->", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL))


def json_values(text: str) -> list[dict]:
    """The JSON documents curl printed back to back."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


def test_the_walkthrough_runs_as_written(live_api: str) -> None:
    script = walkthrough().replace("API=localhost:8000", f"API={live_api}")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answers = json_values(result.stdout)
    assert not [a for a in answers if "code" in a], "a step answered with a problem document"
    assert [a.get("status") for a in answers if a.get("cancellation_reason") or "guest" in a] == [
        "CONFIRMED",
        "CANCELLED",
    ]
    stay = next(a for a in answers if "rooms" in a)
    room_id = stay["rooms"][0]["id"]
    rates = next(a for a in answers if "rules" in a)
    assert rates["room_id"] == room_id and len(rates["rules"]) == 2
    calendar = next(a for a in answers if "rooms" in a and "from" in a)
    nights = calendar["rooms"][0]["nights"]
    assert len(nights) == 31 and {n["price"] for n in nights} == {4500.5, 5200}
    assert all(n["min_stay"] == 2 and n["available"] for n in nights)
    cards, pending, free_while_booked, mine, free_after = [a["items"] for a in answers if "items" in a]
    assert stay["id"] in {card["id"] for card in cards}
    assert [b["status"] for b in pending] == ["PENDING"]
    assert room_id not in {room["id"] for room in free_while_booked}
    assert [b["cancellation_reason"] for b in mine] == ["CANCELLED_BY_GUEST"]
    assert room_id in {room["id"] for room in free_after}
