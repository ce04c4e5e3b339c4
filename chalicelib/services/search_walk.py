"""The threshold walk (after Fagin, Lotem and Naor's threshold algorithm) behind a page of search.

An index lists the rooms (or stays) of a search in an order whose sort key bounds what
any entry not yet read can give: rooms by floor price (no room can cost less a night), by
ceiling price (none can cost more), stays by rating rank (none can rank better). The walk
reads the index a page at a time, reads in full each stay it reaches (its rooms and taken
nights, priced exactly for the dates), and emits a result as soon as its exact sort key is
below the bound of the next unread entry: nothing unread can come before it. So a page reads
about as many stays as it shows, whatever the size of the city.

A request reads at most `MAX_INDEX_PAGES` index pages and `MAX_STAYS` stays; when the budget
runs out first, the page is short and the state says where to resume: the last index position
read, the last key served, and the few stays already read whose result lies behind that
position (a room priced above its floor for these dates). Every stay still to be served is
then either one of those or has an entry after the position, so resuming is exact, and the
position only moves forwards, so paging always ends.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from chalicelib.models.base import TableItem
from chalicelib.models.listings import stay_of
from chalicelib.search.access import Order, StayRead, in_parallel, position_of, read_stays

# The budget of one request: 8 index pages of 40 entries, 40 stays (2 Queries each), so at
# most 88 DynamoDB requests, in at most 8 + 3 sequential steps.
MAX_INDEX_PAGES = 8
INDEX_PAGE_SIZE = 40
MAX_STAYS = 40
# Stays read in one step beyond what the page still needs: some will have no free room.
SLACK = 5

T = TypeVar("T")
Key = tuple[Decimal, Decimal, str]
LOWEST = Decimal("-Infinity")


@dataclass(frozen=True)
class Found(Generic[T]):
    """A result of the walk: its exact sort key, the stay it comes from and the index entry
    that leads to it (where a later walk would find it again)."""

    key: Key
    stay_id: str
    position: str
    value: T


@dataclass(frozen=True)
class Plan(Generic[T]):
    order: Order
    partitions: list[str]
    # The least key any result can have that is reached from this index position on.
    bound: Callable[[str], Key]
    # Whether an entry can lead to a result at all (a room for sale that sleeps the guests).
    fits: Callable[[TableItem], bool]
    # Whether no entry from this position on can give a result (past the price range).
    beyond: Callable[[str], bool]
    results: Callable[[StayRead], list[Found[T]]]
    # Read a whole tie group even past the stay budget (rating ranks: ties order by price).
    finish_ties: bool = False


@dataclass
class State:
    """Where a walk resumes: after index position `position`, past key `after`, with `carry`."""

    position: str | None = None
    after: Key | None = None
    carry: list[str] = field(default_factory=list)


@dataclass
class _Stream:
    partition: str
    after: str | None
    buffer: deque[TableItem] = field(default_factory=deque)
    done: bool = False

    @property
    def exhausted(self) -> bool:
        return self.done and not self.buffer


@dataclass
class _Walk(Generic[T]):
    plan: Plan[T]
    check_in: date
    check_out: date
    after: Key | None
    seen: set[str] = field(default_factory=set)
    heap: list[tuple[Key, int, Found[T]]] = field(default_factory=list)
    pages: int = 0
    stays: int = 0
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def reach(self, stay_ids: list[str]) -> None:
        self.stays += len(stay_ids)
        for read in read_stays(stay_ids, self.check_in, self.check_out).values():
            for found in self.plan.results(read):
                if self.after is None or found.key > self.after:
                    heapq.heappush(self.heap, (found.key, next(self._order), found))


def _head(streams: list[_Stream], order: Order) -> str | None:
    """The least position an unread entry can have; None when every stream is read."""
    heads = []
    for stream in streams:
        if stream.buffer:
            heads.append(position_of(order, stream.buffer[0]))
        elif not stream.done:
            # Not read yet: its next entry lies after where it stopped (or anywhere).
            heads.append(stream.after or "")
    return min(heads) if heads else None


def _refill(walk: _Walk[T], streams: list[_Stream]) -> bool:
    """Read one page of every stream whose buffer is empty; False when the budget forbids it."""
    empty = [s for s in streams if not s.buffer and not s.done]
    if not empty:
        return True
    if walk.pages + len(empty) > MAX_INDEX_PAGES:
        return False
    walk.pages += len(empty)
    order = walk.plan.order
    for stream, page in zip(
        empty, in_parallel([(order, s.partition, s.after, INDEX_PAGE_SIZE) for s in empty]), strict=True
    ):
        stream.buffer.extend(page)
        stream.done = len(page) < INDEX_PAGE_SIZE
        if page:
            stream.after = position_of(order, page[-1])
    return True


def _take(walk: _Walk[T], streams: list[_Stream], want: int, position: str | None) -> tuple[list[str], str | None]:
    """Consume entries in merged order until `want` new stays are found or a buffer runs dry."""
    order, new = walk.plan.order, list[str]()
    while len(new) < want:
        live = [s for s in streams if not s.exhausted]
        if not live or any(not s.buffer for s in live):
            break
        stream = min(live, key=lambda s: position_of(order, s.buffer[0]))
        entry = stream.buffer.popleft()
        at = position_of(order, entry)
        if walk.plan.beyond(at):
            stream.buffer.clear()
            stream.done = True
            continue
        position = at
        stay_id = stay_of(entry.pk)
        if stay_id not in walk.seen and walk.plan.fits(entry):
            walk.seen.add(stay_id)
            new.append(stay_id)
    return new, position


def run(plan: Plan[T], state: State, *, limit: int, check_in: date, check_out: date) -> tuple[list[T], State | None]:
    """One page of the walk from `state`: the results in key order and where to resume (None
    when everything has been served)."""
    walk: _Walk[T] = _Walk(plan, check_in, check_out, state.after)
    streams = [_Stream(partition, state.position) for partition in plan.partitions]
    if state.carry:
        walk.seen.update(state.carry)
        walk.reach(state.carry)
    served: list[Found[T]] = []
    position = state.position
    while len(served) < limit:
        if not _refill(walk, streams):
            break
        head = _head(streams, plan.order)
        bound = plan.bound(head) if head is not None else None
        while walk.heap and len(served) < limit and (bound is None or walk.heap[0][0] < bound):
            served.append(heapq.heappop(walk.heap)[2])
        if head is None or len(served) == limit:
            break
        room = MAX_STAYS - walk.stays
        if room <= 0 and not (plan.finish_ties and walk.heap):
            break
        new, position = _take(walk, streams, max(1, min(limit - len(served) + SLACK, room)), position)
        if new:
            walk.reach(new)
    return [found.value for found in served], _resume(walk, streams, served, state, position)


def _resume(
    walk: _Walk[T], streams: list[_Stream], served: list[Found[T]], state: State, position: str | None
) -> State | None:
    if all(s.exhausted for s in streams) and not walk.heap:
        return None
    after = served[-1].key if served else state.after
    behind = {found.stay_id for _, _, found in walk.heap if position is not None and found.position <= position}
    return State(position, after, sorted(behind))
