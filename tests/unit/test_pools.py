"""A request pool's threads see the submitting thread's context variables (the request's
deadline, its account check), each call in a copy of its own."""

from __future__ import annotations

from contextvars import ContextVar

from chalicelib.pools import request_pool

_seen: ContextVar[str] = ContextVar("seen", default="none")


def _read_then_change(tag: str) -> str:
    before = _seen.get()
    _seen.set(f"changed by {tag}")
    return before


def test_calls_run_in_the_submitters_context_and_their_changes_stay_there() -> None:
    pool = request_pool("test-pool", 4)
    token = _seen.set("request 1")
    try:
        assert pool.map(_read_then_change, ["a", "b", "c", "d", "e"]) == ["request 1"] * 5
        assert pool.submit(_read_then_change, "f").result() == "request 1"
        assert _seen.get() == "request 1"
    finally:
        _seen.reset(token)
    assert pool.submit(_read_then_change, "g").result() == "none"


def test_one_pool_per_name() -> None:
    assert request_pool("test-pool", 4) is request_pool("test-pool", 4)
    assert request_pool("test-pool", 4) is not request_pool("other-pool", 4)
