"""A cache of answers for one version of the store at a time (remembered pages, query results).

A version is whatever identifies what the readers see (the query workers' snapshot): an entry is only
found under the version it was stored with, and storing under a new version forgets the old ones, so
an update, which moves the readers to a new snapshot, leaves nothing stale to be found.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


OVERHEAD = 256  # bytes counted per entry beyond its key and bytes (the dict slot, the tuple, the objects)


class VersionedCache:
    """Entries by key for one store version at a time, within ``max_bytes``; the first entry of a
    new version drops the old ones. An entry is a tuple whose last item is its bytes; it costs
    those, the key's length (a key is bytes, a str or a tuple of them) and :data:`OVERHEAD`.

    >>> cache = VersionedCache(10_000)  # entries up to 1,250 bytes
    >>> cache.put("v1", "a", (200, [], b"x" * 100)); cache.get("v1", "a")[2][:3]
    b'xxx'
    >>> cache.get("v2", "a") is None  # another version: nothing
    True
    >>> cache.put("v2", "b", (200, [], b"y")); cache.get("v1", "a") is None  # the old version is gone
    True
    >>> cache.put("v2", b"k" * 2000, (b"",)); cache.get("v2", b"k" * 2000) is None  # a long key counts
    True
    >>> for n in range(10): cache.put("v2", str(n), (b"z" * 900,))
    >>> sum(cache.get("v2", str(n)) is not None for n in range(10)), cache.size <= 10_000  # the oldest went
    (8, True)
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.max_entry = max_bytes, max_bytes // 8
        self._lock = threading.Lock()
        self._version = None
        self._entries: OrderedDict = OrderedDict()  # key -> (entry, cost)
        self.size = 0

    def get(self, version, key):
        with self._lock:
            if version != self._version:
                return None
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, version, key, entry) -> None:
        cost = len(entry[-1]) + _length(key) + OVERHEAD
        if cost > self.max_entry:
            return
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self.size, self._version = 0, version
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (entry, cost)
            self.size += cost
            while self.size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped


def _length(key) -> int:
    return sum(len(part) for part in key) if isinstance(key, tuple) else len(key)
