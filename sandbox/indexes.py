"""Indexes over the fakes' store lists, so that a page request on a large shop reads only its page.

A `Table` wraps one list of a store. The list stays the store's own: seeders, tests and the fakes
keep reading and changing it directly. The table builds on first use, and keeps:

- `get(ident)`: the record with that id (first one, as a linear search would find it);
- `sorted(name, key, lo, hi, descending)`: the records ordered by `key(record)` (those whose key
  is None left out) from `lo` to `hi`, as a `Span` that reads one page at a time; the index is
  built once per `name`;
- `group(name, key, value)`: the records whose `key(record) == value`, in list order;
- `memo(query, compute)`: a computed listing (filtered and sorted in a way no sorted index
  serves), as a `Listing`: the first page pays for the scan, the next pages of the same query
  do not.

Keys are tuples of comparable values (no None inside). Bounds are key prefixes: `lo` is
inclusive, `hi` exclusive; `after(x)` turns a string bound into an exclusive one, `HIGH` is
above every string.

Staying right:
- everything is dropped when the list is another object or has another length (records added
  or removed, also by code outside the fake), and by `reset()`;
- the fake's own in-place updates go through `changing(record)`: sorted indexes and groups move
  the record, memos are dropped;
- rows read from an index are checked (the same id, the key still equal to the indexed one, the
  same object as when a memo was made); a mismatch (records replaced or edited in place by
  someone else) raises `Stale`, on which the fake resets its tables and answers again
  (`retrying`).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

JSON = dict[str, Any]
Key = Callable[[JSON], Any]
T = TypeVar("T")
MEMOS = 8  # memoised queries kept per table
HIGH = "\U0010ffff"


class Stale(Exception):
    """An index no longer matches its list; reset the tables and answer again."""


def after(value: str) -> str:
    """The smallest string greater than `value`: `lo=(after(x),)` means "key > x"."""
    return value + "\x00"


class _Sorted:
    def __init__(self, key: Key, items: list[JSON]) -> None:
        self.key = key
        entries = [(k, p) for p, rec in enumerate(items) if (k := key(rec)) is not None]
        entries.sort()
        self.entries: list[tuple[Any, int]] = entries

    def span(self, lo: tuple[Any, ...] | None, hi: tuple[Any, ...] | None) -> tuple[int, int]:
        entries = self.entries
        i = 0 if lo is None else bisect_left(entries, (lo, -1))
        j = len(entries) if hi is None else bisect_left(entries, (hi, -1))
        return i, max(i, j)

    def move(self, position: int, old: Any, new: Any) -> bool:
        entries = self.entries
        if old is not None:
            i = bisect_left(entries, (old, position))
            if i >= len(entries) or entries[i] != (old, position):
                return False
            del entries[i]
        if new is not None:
            insort(entries, (new, position))
        return True


class _Groups:
    def __init__(self, key: Key, items: list[JSON]) -> None:
        self.key = key
        self.by: dict[Any, list[int]] = {}
        for p, rec in enumerate(items):
            value = key(rec)
            if value is not None:
                self.by.setdefault(value, []).append(p)

    def move(self, position: int, old: Any, new: Any) -> None:
        if old == new:
            return
        if old is not None and position in self.by.get(old, []):
            self.by[old].remove(position)
        if new is not None:
            insort(self.by.setdefault(new, []), position)


class Table:
    """Indexes over the list `source()` returns (see the module docstring)."""

    def __init__(self, source: Callable[[], list[JSON]], ident: str = "id") -> None:
        self.source = source
        self.ident = ident
        self._src: list[JSON] | None = None
        self._n = -1
        self._by_id: dict[Any, int] | None = None
        self._sorted: dict[str, _Sorted] = {}
        self._groups: dict[str, _Groups] = {}
        self._memos: OrderedDict[Any, Listing] = OrderedDict()

    # -- freshness ------------------------------------------------------------------------------
    def items(self) -> list[JSON]:
        """The list, with the indexes dropped if it is another list or another length now."""
        items = self.source()
        if items is not self._src or len(items) != self._n:
            self.reset()
            self._src, self._n = items, len(items)
        return items

    def reset(self) -> None:
        """Drop every index (after records were added or removed)."""
        self._src, self._n, self._by_id = None, -1, None
        self._sorted.clear()
        self._groups.clear()
        self._memos.clear()

    # -- by id ----------------------------------------------------------------------------------
    def get(self, ident: Any) -> JSON | None:
        items = self.items()
        for _attempt in range(2):
            if self._by_id is None:
                by_id: dict[Any, int] = {}
                for p, rec in enumerate(items):
                    by_id.setdefault(rec.get(self.ident), p)
                self._by_id = by_id
            found = self._by_id.get(ident)
            if found is None:
                return None
            rec = items[found]
            if rec.get(self.ident) == ident:
                return rec
            self._by_id = None  # replaced from outside: rebuild once
        return None

    def position(self, record: JSON) -> int | None:
        """Where `record` (this very object) is in the list."""
        items = self.items()
        if self.get(record.get(self.ident)) is record and self._by_id is not None:
            return self._by_id[record.get(self.ident)]
        return next((i for i, rec in enumerate(items) if rec is record), None)

    # -- sorted ---------------------------------------------------------------------------------
    def _index(self, name: str, key: Key) -> _Sorted:
        items = self.items()
        index = self._sorted.get(name)
        if index is None:
            index = self._sorted[name] = _Sorted(key, items)
        return index

    def span(
        self,
        name: str,
        key: Key,
        lo: tuple[Any, ...] | None = None,
        hi: tuple[Any, ...] | None = None,
    ) -> tuple[int, int]:
        """Where the records with `lo <= key < hi` are in the `name` index (built on first use)."""
        return self._index(name, key).span(lo, hi)

    def rows(self, name: str, key: Key, i: int, j: int) -> list[JSON]:
        """Records `i` to `j` (ascending) of the `name` index, checked."""
        index = self._index(name, key)
        items = self.items()
        out = []
        for k, p in index.entries[max(0, i) : max(0, j)]:
            rec = items[p] if p < len(items) else None
            if rec is None or key(rec) != k:
                raise Stale(name)
            out.append(rec)
        return out

    def sorted(
        self,
        name: str,
        key: Key,
        lo: tuple[Any, ...] | None = None,
        hi: tuple[Any, ...] | None = None,
        descending: bool = False,
    ) -> Span:
        """The records with `lo <= key < hi`, in key order, as a `Span` to read pages of."""
        i, j = self.span(name, key, lo, hi)
        return Span(self, name, key, i, j, descending)

    def locate(self, name: str, key: Key, record: JSON) -> int | None:
        """Where `record` is in the `name` index (ascending), or None when it is not in it."""
        index = self._index(name, key)
        p, k = self.position(record), key(record)
        if p is None or k is None:
            return None
        i = bisect_left(index.entries, (k, p))
        return i if i < len(index.entries) and index.entries[i] == (k, p) else None

    # -- groups ---------------------------------------------------------------------------------
    def group(self, name: str, key: Key, value: Any) -> list[JSON]:
        """The records with `key(record) == value`, in list order."""
        items = self.items()
        groups = self._groups.get(name)
        if groups is None:
            groups = self._groups[name] = _Groups(key, items)
        out = []
        for p in groups.by.get(value, ()):
            rec = items[p]
            if key(rec) != value:
                raise Stale(name)
            out.append(rec)
        return out

    # -- memoised queries -----------------------------------------------------------------------
    def memo(self, query: Any, compute: Callable[[list[JSON]], list[int]]) -> Listing:
        """The records at the positions `compute(items)` returns, computed once per `query`
        until the table changes."""
        items = self.items()
        hit = self._memos.get(query)
        if hit is None:
            positions = compute(items)
            hit = self._memos[query] = Listing([items[p] for p in positions], positions, items)
            while len(self._memos) > MEMOS:
                self._memos.popitem(last=False)
        else:
            self._memos.move_to_end(query)
        return hit

    # -- the fake's own writes ------------------------------------------------------------------
    @contextmanager
    def changing(self, record: JSON) -> Iterator[None]:
        """Wrap an in-place change of `record`: indexes follow it, memos are dropped."""
        items = self.items()
        p = self.position(record)
        old_sorted = {name: index.key(record) for name, index in self._sorted.items()}
        old_groups = {name: groups.key(record) for name, groups in self._groups.items()}
        try:
            yield
        finally:
            self._memos.clear()
            if p is None or self.source() is not items or len(items) != self._n:
                self.reset()
            else:
                for name, old in old_sorted.items():
                    index = self._sorted[name]
                    if not index.move(p, old, index.key(record)):
                        del self._sorted[name]
                for name, old in old_groups.items():
                    groups = self._groups[name]
                    groups.move(p, old, groups.key(record))

    def touched(self) -> None:
        """Records changed in ways the indexes do not see (many at once): rebuild on next use."""
        self._sorted.clear()
        self._groups.clear()
        self._memos.clear()


class Span:
    """A range of a sorted index, read page by page (`page(start, stop)` like a slice)."""

    def __init__(
        self, table: Table, name: str, key: Key, i: int, j: int, descending: bool = False
    ) -> None:
        self.table, self.name, self.key = table, name, key
        self.i, self.j, self.descending = i, j, descending

    def __len__(self) -> int:
        return self.j - self.i

    def page(self, start: int, stop: int) -> list[JSON]:
        start, stop = max(0, start), min(len(self), max(0, stop))
        if start >= stop:
            return []
        if not self.descending:
            return self.table.rows(self.name, self.key, self.i + start, self.i + stop)
        out = self.table.rows(self.name, self.key, self.j - stop, self.j - start)
        out.reverse()
        return out


class Listing:
    """A listing: its records, in order; `page()` checks that they are still the store's."""

    def __init__(
        self,
        records: list[JSON],
        positions: list[int] | None = None,
        items: list[JSON] | None = None,
    ) -> None:
        self.records, self._positions, self._items = records, positions, items

    def __len__(self) -> int:
        return len(self.records)

    def page(self, start: int, stop: int) -> list[JSON]:
        out = self.records[max(0, start) : max(0, stop)]
        if self._positions is not None and self._items is not None:
            items = self._items
            for offset, rec in enumerate(out):
                p = self._positions[max(0, start) + offset]
                if p >= len(items) or items[p] is not rec:
                    raise Stale("memo")
        return out


Rows = Span | Listing


def retrying(tables: Iterable[Table], answer: Callable[[], T]) -> T:
    """`answer()`, once more after resetting every table when an index turned out stale."""
    try:
        return answer()
    except Stale:
        for table in tables:
            table.reset()
        return answer()
