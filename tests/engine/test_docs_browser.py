"""The docs page renders the list of operations in a real browser (Debian's Chromium, headless)."""

from __future__ import annotations

import subprocess
import tempfile

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
]


def test_the_docs_page_renders_the_operations(live_api: str) -> None:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"{live_api}/api/docs"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    dom = result.stdout
    assert "Stays booking API" in dom
    assert dom.count('class="opblock ') >= 30, "Swagger UI did not render the operations"
    for path in ("/api/bookings/rooms/room-booking", "/api/listings/search/stays", "/api/auth/token"):
        assert path in dom
