"""The threshold walk (after Fagin, Lotem and Naor's threshold algorithm) behind a page of search.

An index lists the stays of a search in an order whose sort key bounds what any stay not yet
read can give: by floor price (none of its rooms can cost less a night), by ceiling price
(none can cost more), by rating rank and then floor (none can rank better, nor be cheaper
within its rank). The walk reads the index a page at a time, reads in full each stay it
reaches (its rooms and taken nights, priced exactly for the dates), and emits a result as
soon as its exact sort key is below the bound of the next unread entry: nothing unread can
come before it. So a page reads about as many stays as it needs to be sure of, whatever the
size of the city.

A request reads at most `MAX_INDEX_PAGES` index pages and `MAX_STAYS` stays; when the budget
runs out first, the page is short and the state says where to resume: the last index position
read, the last key served, and the stays read whose results are not served yet (`carry`), each
with its least key still to serve. The next request holds them without reading them and reads
a held stay again (fresh: a night booked meanwhile is not offered) only once that key comes
due, so a walk that must read far before serving reads each stay about once, not once per
request. The carry is at most `MAX_CARRY` stays, the best: the others are dropped and `lost`
keeps the least key dropped. Nothing from `lost` on is served until the walk has passed it;
then it starts again from the top of the index, past the last key served, and finds the
dropped ones again. So every result still to be served comes from the carry, from an entry
after the position, or (from `lost` on) from the next round; each round serves at least one
result; within a round every request serves a result, reads a new entry, drops a carried
stay that changed or starts the next round, so paging always ends.
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

from chalicelib.search.access import Entry, Order, StayRead, in_parallel, read_stays

# The budget of one request: 8 index pages of 40 entries, 40 stays (2 Queries each), so at
# most 88 DynamoDB requests, in at most 8 + 3 sequential steps.
MAX_INDEX_PAGES = 8
INDEX_PAGE_SIZE = 40
MAX_STAYS = 40
# Stays read in one step beyond what the page still needs: some will have no free room.
SLACK = 5
# Stays a cursor carries at most: 90-120 bytes each in the cursor (at most 4,096), which rides in a URL.
MAX_CARRY = 20

T = TypeVar("T")
Key = tuple[Decimal, Decimal, str]
LOWEST = Decimal("-Infinity")


@dataclass(frozen=True)
class Found(Generic[T]):
    """A result of the walk: its exact sort key and the stay it comes from."""

    key: Key
    stay_id: str
    value: T


@dataclass(frozen=True)
class _Held:
    """A stay of the carry, not read again until its least key comes due."""

    stay_id: str


@dataclass(frozen=True)
class Plan(Generic[T]):
    order: Order
    partitions: list[str]
    # The least key any result can have that is reached from this index position on.
    bound: Callable[[str], Key]
    # Whether an entry can lead to a result at all (a stay with a room that sleeps the guests).
    fits: Callable[[Entry], bool]
    # Whether no entry from this position on can give a result (past the price range).
    beyond: Callable[[str], bool]
    results: Callable[[StayRead], list[Found[T]]]


@dataclass
class State:
    """Where a walk resumes: after index position `position`, past key `after`, with `carry`
    (stay id, least key not served), nothing from `lost` on before the next round."""

    position: str | None = None
    after: Key | None = None
    carry: list[tuple[str, Key]] = field(default_factory=list)
    lost: Key | None = None


@dataclass
class _Stream:
    partition: str
    after: str | None
    buffer: deque[Entry] = field(default_factory=deque)
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
    lost: Key | None
    seen: set[str] = field(default_factory=set)
    heap: list[tuple[Key, int, Found[T] | _Held]] = field(default_factory=list)
    pages: int = 0
    stays: int = 0
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def hold(self, carry: list[tuple[str, Key]]) -> None:
        for stay_id, key in carry:
            self.seen.add(stay_id)
            heapq.heappush(self.heap, (key, next(self._order), _Held(stay_id)))

    def recall(self, bound: Key | None, want: int) -> bool:
        """Read again the held stays due before `bound` (at most `want`, best first), their
        results into the heap; False when one is due and the budget has no room for it."""
        held = [(key, entry.stay_id) for key, _, entry in self.heap if isinstance(entry, _Held)]
        due = sorted(pair for pair in held if self._before(pair[0], bound))
        if not due:
            return True
        room = MAX_STAYS - self.stays
        if room <= 0:
            return False
        ids = {stay_id for _, stay_id in due[: min(want, room)]}
        self.heap = [item for item in self.heap if not (isinstance(item[2], _Held) and item[2].stay_id in ids)]
        heapq.heapify(self.heap)
        self.reach(sorted(ids))
        return True

    def reach(self, stay_ids: list[str]) -> None:
        self.stays += len(stay_ids)
        for read in read_stays(stay_ids, self.check_in, self.check_out).values():
            for found in self.plan.results(read):
                if (self.after is None or found.key > self.after) and (self.lost is None or found.key < self.lost):
                    heapq.heappush(self.heap, (found.key, next(self._order), found))
        self._trim()

    def _trim(self) -> None:
        """Keep the results of the MAX_CARRY stays with the best ones; `lost` only ever falls, to
        the least key dropped, and the kept stays' results from it on go too (the next round
        finds them again), so every key held stays below `lost`."""
        best = self.least_keys()
        if len(best) <= MAX_CARRY:
            return
        kept = set(sorted(best, key=best.__getitem__)[:MAX_CARRY])
        least = min(entry[0] for entry in self.heap if entry[2].stay_id not in kept)
        self.lost = lost = least if self.lost is None else min(self.lost, least)
        self.heap = [entry for entry in self.heap if entry[2].stay_id in kept and entry[0] < lost]
        heapq.heapify(self.heap)

    def least_keys(self) -> dict[str, Key]:
        """Each stay in the heap (read or held) with its least key there."""
        least: dict[str, Key] = {}
        for key, _, entry in sorted(self.heap, key=lambda item: item[0]):
            least.setdefault(entry.stay_id, key)
        return least

    def _before(self, key: Key, bound: Key | None) -> bool:
        """Whether `key` comes before anything unread and anything dropped."""
        return (bound is None or key < bound) and (self.lost is None or key < self.lost)

    def servable(self, bound: Key | None) -> bool:
        """Whether the best result read comes before anything unread and anything dropped."""
        return bool(self.heap) and isinstance(self.heap[0][2], Found) and self._before(self.heap[0][0], bound)

    def serve(self) -> Found[T]:
        """The best result, once `servable` said it may go."""
        found = heapq.heappop(self.heap)[2]
        assert isinstance(found, Found)
        return found

    def round_over(self, bound: Key | None) -> bool:
        """Whether everything before `lost` has been read: time to start again from the top."""
        return self.lost is not None and (bound is None or bound >= self.lost) and not self.servable(bound)


def _head(streams: list[_Stream]) -> str | None:
    """The least position an unread entry can have; None when every stream is read."""
    heads = []
    for stream in streams:
        if stream.buffer:
            heads.append(stream.buffer[0].position)
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
            stream.after = page[-1].position
    return True


def _take(walk: _Walk[T], streams: list[_Stream], want: int, position: str | None) -> tuple[list[str], str | None]:
    """Consume entries in merged order until `want` new stays are found or a buffer runs dry."""
    new = list[str]()
    while len(new) < want:
        live = [s for s in streams if not s.exhausted]
        if not live or any(not s.buffer for s in live):
            break
        stream = min(live, key=lambda s: s.buffer[0].position)
        entry = stream.buffer.popleft()
        at = entry.position
        if walk.plan.beyond(at):
            stream.buffer.clear()
            stream.done = True
            continue
        position = at
        if entry.stay_id not in walk.seen and walk.plan.fits(entry):
            walk.seen.add(entry.stay_id)
            new.append(entry.stay_id)
    return new, position


def run(plan: Plan[T], state: State, *, limit: int, check_in: date, check_out: date) -> tuple[list[T], State | None]:
    """One page of the walk from `state`: the results in key order and where to resume (None
    when everything has been served)."""
    walk: _Walk[T] = _Walk(plan, check_in, check_out, state.after, state.lost)
    streams = [_Stream(partition, state.position) for partition in plan.partitions]
    walk.hold(state.carry)
    served: list[Found[T]] = []
    position = state.position
    while len(served) < limit:
        if not _refill(walk, streams):
            break
        head = _head(streams)
        bound = plan.bound(head) if head is not None else None
        if not walk.recall(bound, limit - len(served)):
            break
        while len(served) < limit and walk.servable(bound):
            served.append(walk.serve())
        if len(served) == limit:
            break
        if walk.round_over(bound):
            # The next results are the dropped ones: read the index again from its top.
            walk.after = served[-1].key if served else walk.after
            walk.lost, walk.heap, position = None, [], None
            walk.seen.clear()
            streams = [_Stream(partition, None) for partition in plan.partitions]
            continue
        if head is None:
            break
        room = MAX_STAYS - walk.stays
        if room <= 0:
            break
        new, position = _take(walk, streams, max(1, min(limit - len(served) + SLACK, room)), position)
        if new:
            walk.reach(new)
    return [found.value for found in served], _resume(walk, streams, served, position)


def _resume(walk: _Walk[T], streams: list[_Stream], served: list[Found[T]], position: str | None) -> State | None:
    if all(s.exhausted for s in streams) and not walk.heap and walk.lost is None:
        return None
    after = served[-1].key if served else walk.after
    return State(position, after, sorted(walk.least_keys().items()), walk.lost)
