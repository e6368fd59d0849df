"""A cache of answers for one version of the store at a time (remembered pages, query results).

A version is whatever identifies what the readers see (the query workers' snapshot): an entry is only
found under the version it was stored with, and storing under a new version forgets the old ones, so
an update, which moves the readers to a new snapshot, leaves nothing stale to be found.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class VersionedCache:
    """Entries by key for one store version at a time, within ``max_bytes``: an entry is a tuple whose
    last item is its bytes (what is counted); the first entry of a new version drops the old ones.

    >>> cache = VersionedCache(1000)
    >>> cache.put("v1", "a", (200, [], b"x" * 100)); cache.get("v1", "a")[2][:3]
    b'xxx'
    >>> cache.get("v2", "a") is None  # another version: nothing
    True
    >>> cache.put("v2", "b", (200, [], b"y")); cache.get("v1", "a") is None  # the old version is gone
    True
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.max_entry = max_bytes, max_bytes // 8
        self._lock = threading.Lock()
        self._version = None
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0

    def get(self, version, key):
        with self._lock:
            if version != self._version:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, version, key, entry) -> None:
        size = len(entry[-1])
        if size > self.max_entry:
            return
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes, self._version = 0, version
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[-1])
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped[-1])
