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

from typing import Callable

from flask import Response, current_app, g

from server.versioned import VersionedCache

_EXTENSION = "kg_page_cache"


def _cache() -> VersionedCache | None:
    megabytes = float(current_app.config.get("PAGE_CACHE_MB") or 0)
    if megabytes <= 0:
        return None
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(_EXTENSION, VersionedCache(int(megabytes * 2**20)))
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
