"""Entity pages remembered per store version: a page is built once per snapshot, then sent as it is.

An entity page is a pure function of its path, its representation (HTML or an RDF format) and the
store's contents; the contents change only by a SPARQL Update through this server (it holds the
store's writer), which moves the query workers to a new snapshot (:meth:`QueryPool.refresh`). So the
key of a remembered page is (snapshot, kind, name, representation):

- the snapshot the pool's workers read is noted before the page is built and checked after; a page
  built while an update moved the workers (it may have read both) is sent but not remembered;
- a remembered page of an older snapshot is never sent: the first page built on a new snapshot
  drops everything remembered before;
- a remote store (another SPARQL server) can change behind this server's back: nothing is
  remembered for it.

Only whole ``200`` answers are kept (not streamed downloads), at most ``PAGE_CACHE_MB`` in all
(least recently used go first; 0 turns the cache off), each at most an eighth of that.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from flask import Response, current_app, g

_EXTENSION = "kg_page_cache"


class PageCache:
    """Whole responses by key, for one store version at a time, within ``max_bytes``.

    >>> cache = PageCache(1000)
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
        size = len(entry[2])
        if size > self.max_entry:
            return
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._bytes, self._version = 0, version
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2])
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped[2])


def _cache() -> PageCache | None:
    megabytes = float(current_app.config.get("PAGE_CACHE_MB") or 0)
    if megabytes <= 0:
        return None
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(_EXTENSION, PageCache(int(megabytes * 2**20)))
    return cache


def store_version():
    """The snapshot the query workers read now, or None when pages cannot be remembered (a remote store)."""
    from server.query_runner import QueryPool
    from server.sparql import get_pool

    pool = get_pool()
    return pool.version if isinstance(pool, QueryPool) else None


def remembered(key, build: Callable[[], Response]) -> Response:
    """The response for ``key`` on the store's current version: remembered, or built by ``build``."""
    cache = _cache()
    version = store_version() if cache is not None else None
    if version is None:
        return build()
    entry = cache.get(version, key)
    if entry is not None:
        g.kg_page_cache = "hit"
        status, headers, body = entry
        return Response(body, status=status, headers=headers)
    response = build()
    if response.status_code == 200 and not response.is_streamed and store_version() == version:
        cache.put(version, key, (response.status_code, list(response.headers.items()), response.get_data()))
    return response
