"""The store behind the app: opened once per process, shared by every request.

For an embedded store the server process never opens it read-write itself and never runs SPARQL:

- a sandboxed writer process (:class:`server.query_runner.StoreWriter`) holds the store read-write,
  so Oxigraph's lock keeps any other writer (a `kg ingest` run) out with a clear error; it runs the
  updates and takes the snapshots;
- reads without SPARQL (does a graph exist, the exports' dumps) use the current snapshot, opened
  read-only here (safe: nobody writes a snapshot);
- SPARQL queries run in the query workers under the time limit of the request
  (:meth:`ServerStore.query`): users' queries, and the pages' that scan (indexes, search);
- an entity page's own queries (:func:`read`) run here, on the snapshot the workers read: we wrote
  them, each names its entity by IRI or lists its subjects in ``VALUES`` and carries a LIMIT, so
  none needs to be stopped midway, and the hop to a worker and the JSON both ways (most of a large
  page's store time) are saved. The request's time limit is checked before each of them.

A remote store (a SPARQL server) is used as it is: it runs the SPARQL and enforces its own limits.
"""
from __future__ import annotations

import atexit
import threading
import time
import weakref
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from flask import Flask, current_app, g

from kg.store import GraphStore, is_remote, open_store

_EXTENSION = "kg_store"
_opening = threading.Lock()
PAGE_RESULTS, PAGE_GRAPH = "application/sparql-results+json", "application/n-triples"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = None
    app.teardown_request(_release_snapshot)


def get_store() -> GraphStore:
    """The app's store, opened on first use."""
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        with _opening:  # two first requests at once must not both open it (the second would hit the lock)
            store = current_app.extensions.get(_EXTENSION)
            if store is None:
                store = _open(current_app.config)
                current_app.extensions[_EXTENSION] = store
    return store


def _open(config) -> GraphStore:
    path = config["STORE"]
    if is_remote(path):
        return open_store(path)
    stream_timeout = config.get("QUERY_STREAM_TIMEOUT") or 10 * float(config["QUERY_TIMEOUT"])
    return ServerStore(Path(path), update_timeout=float(stream_timeout))


def close_store(app: Flask) -> None:
    """Release the app's store (its lock included), if it was opened."""
    store = app.extensions.get(_EXTENSION)
    app.extensions[_EXTENSION] = None
    if store is not None:
        store.close()


def server_timing() -> str | None:
    """This request's store queries as a ``Server-Timing`` value (``store;desc="7 queries";dur=12.3``)."""
    spent = g.get("kg_store_queries")
    if spent is None:
        return None
    return f'store;desc="{spent[0]} queries";dur={spent[1] * 1000:.1f}'


def read(sparql: str):
    """One of an entity page's own queries, its answer whole (:func:`whole`): in this process for an
    embedded store (:meth:`ServerStore.query_here`), as any query for a remote one."""
    store = get_store()
    if isinstance(store, ServerStore):
        return store.query_here(sparql)
    return whole(store.query(sparql))


def whole(result):
    """A query result read to its end: rows as dicts for a SELECT, a bool for an ASK, triples for a graph."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return [dict(zip(names, row)) for row in result]
    return list(result)


def _request_snapshot():
    """The snapshot this request's page reads: the query workers' when it first asks."""
    from server.sparql import get_pool

    snapshot = g.get("kg_snapshot")
    if snapshot is None:
        snapshot = g.kg_snapshot = get_pool().acquire_snapshot()
    return snapshot


def _release_snapshot(_error=None) -> None:
    snapshot = g.pop("kg_snapshot", None)
    if snapshot is not None:
        snapshot.release()


def _count(started: float) -> float:
    """Note one store query in the request's ``Server-Timing``; the seconds it took."""
    spent = time.perf_counter() - started
    queries = g.get("kg_store_queries", (0, 0.0))
    g.kg_store_queries = (queries[0] + 1, queries[1] + spent)
    return spent


def page_timeout():
    """The error of a page whose queries used up the request's time limit."""
    from server.errors import HTTPError

    limit = current_app.config["QUERY_TIMEOUT"]
    return HTTPError(503, f"this page needed more than the time limit of {limit:g} s and was stopped; try again "
                          f"later, or ask the operator for a longer --query-timeout", headers={"Retry-After": "5"})


def request_budget():
    """The time left to this request's SPARQL (a page runs several queries; they share the limit)."""
    from server.query_runner import Budget

    budget = g.get("kg_budget")
    if budget is None:
        budget = g.kg_budget = Budget(float(current_app.config["QUERY_TIMEOUT"]))
    return budget


class ServerStore(GraphStore):
    """An embedded store as the server uses it: written by a sandboxed process, read from snapshots."""

    def __init__(self, path: Path, *, update_timeout: float) -> None:
        from server.query_runner import StoreWriter, _snapshots_dir

        self.path = path
        self._writer = StoreWriter(path, timeout=update_timeout)
        self._lock = threading.Lock()
        self._dir = _snapshots_dir(path)
        self._generation = 0
        self._snapshot = self._take_snapshot()
        _STORES.add(self)

    # --- snapshots -----------------------------------------------------------------------------------

    def acquire_snapshot(self):
        """The current snapshot, with a use taken for the caller (who must release it)."""
        with self._lock:
            self._snapshot.use()
            return self._snapshot

    def _take_snapshot(self):
        from server.query_runner import Snapshot

        self._generation += 1
        path = self._dir / str(self._generation)
        self._writer.backup(path)
        snapshot = Snapshot(path)
        snapshot.use()  # the store's own, while it is the current one
        return snapshot

    def _renew_snapshot(self) -> None:
        fresh = self._take_snapshot()
        with self._lock:
            old, self._snapshot = self._snapshot, fresh
        old.retire()
        old.release()

    # --- GraphStore ----------------------------------------------------------------------------------

    def has_graph(self, graph: str) -> bool:
        return self._read(lambda view: view.has_graph(graph))

    def graphs(self) -> list[str]:
        return self._read(lambda view: view.graphs())

    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        self._read(lambda view: view.dump(out, format, graph=graph, prefixes=prefixes))

    def query(self, sparql, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None):
        """Run a query in a query worker, within the time left to the request; the parsed results.

        The workers know the predeclared prefixes, so ``prefixes`` is not needed.
        """
        from server.errors import HTTPError
        from server.query_runner import QueryRequest
        from server.sparql import get_pool

        request = QueryRequest(sparql, PAGE_RESULTS, PAGE_GRAPH, default_graph, named_graphs, base_iri)
        started = time.perf_counter()
        try:
            answer = get_pool().collect(request, request_budget())
        except HTTPError as exc:
            if exc.status == 503 and "time limit" in exc.message:
                raise page_timeout() from None
            raise
        finally:
            _count(started)
        if answer.media_type == PAGE_GRAPH:
            return ox.parse(answer.complete, format=ox.RdfFormat.N_TRIPLES)
        return ox.parse_query_results(answer.complete, format=ox.QueryResultsFormat.JSON)

    def query_here(self, sparql: str):
        """An entity page's own query answered in this process, whole (:func:`whole`), on the snapshot
        the query workers read (the same for every query of the request, so a page never mixes two
        versions of the store), once the request's time limit is found not used up."""
        budget = request_budget()
        if budget.remaining <= 0:
            raise page_timeout()
        snapshot = _request_snapshot()
        started = time.perf_counter()
        try:
            return whole(snapshot.view().raw.query(sparql))
        finally:
            budget.remaining -= _count(started)

    def execute_update(self, sparql: str) -> None:
        """Run an update in the writer process, then snapshot the result for every reader."""
        self._writer.update(sparql)
        self._renew_snapshot()

    def close(self) -> None:
        if self._writer is None:
            return
        self._writer.close()
        self._writer = None
        with self._lock:
            self._snapshot.retire()
            self._snapshot.release()
        from server.query_runner import _remove_tree

        _remove_tree(self._dir)

    def _read(self, read):
        snapshot = self.acquire_snapshot()
        try:
            return read(snapshot.view())
        finally:
            snapshot.release()


_STORES: "weakref.WeakSet[ServerStore]" = weakref.WeakSet()


@atexit.register  # registered before the query pools', so it runs after they are closed
def _close_all() -> None:
    for store in list(_STORES):
        store.close()
