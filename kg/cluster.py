"""Extraction on a Dask distributed cluster: ``kg ingest --scheduler tcp://HOST:PORT``.

The client reads the articles as a stream and keeps at most ``in_flight`` chunks of
:data:`kg.ingest.BATCH_ARTICLES` articles on the cluster at once, so a JSON Lines file of any length
is never held in memory. Results are taken in input order (a later version of an article still
replaces an earlier one in the same run).

- With the embedded store, workers only extract; the client writes each finished graph (the store
  has one writer).
- With a remote store (``--store http://...``), each worker writes the graphs it built, one atomic
  request per article, and sends back only what the summary and the derive step need; the client
  runs the derive step once at the end.

A worker killed mid-run: Dask runs its tasks again elsewhere. Graph names come from the article's
content and a write replaces the graph it names, so a task run twice writes the same graphs again,
never a second copy. A client killed mid-run: the rerun finds the graphs already written
(``has_graph``) and extracts only what is missing.

The workers need the project installed (same version) and, for a remote store, network access to
the SPARQL server. Settings that change the graphs (``KG_PIPELINE``, ``KG_BASE_IRI``, and the
remote store's ``KG_SPARQL_*``) travel with each task, so workers started with another environment
still build what a local run builds.
"""
from __future__ import annotations

import os
from collections import deque
from typing import Iterator

from kg.ingest import BATCH_ARTICLES, Built, Written
from kg.sources import Article

SETTINGS = ("KG_PIPELINE", "KG_BASE_IRI", "KG_SPARQL_QUERY", "KG_SPARQL_UPDATE", "KG_SPARQL_USER",
            "KG_SPARQL_PASSWORD", "KG_REMOTE_TIMEOUT")


class ClusterError(RuntimeError):
    """The Dask scheduler cannot be reached or the cluster cannot run the work."""


class Cluster:
    """The Dask cluster at ``address`` as :func:`kg.ingest.ingest` uses it (``cluster=``)."""

    def __init__(self, address: str, timeout: float = 10):
        self.client = connect(address, timeout)

    def built_items(self, todo: Iterator, remote: dict[str, str] | None = None) -> Iterator:
        return built_items(self.client, todo, remote=remote)

    def close(self) -> None:
        self.client.close()


def connect(address: str, timeout: float = 10):
    """A Dask client of the scheduler at ``address`` (``tcp://HOST:PORT``)."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--scheduler needs Dask distributed: pip install 'conflict-kg[cluster]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def settings() -> dict[str, str]:
    return {name: os.environ[name] for name in SETTINGS if name in os.environ}


def _apply(env: dict[str, str]) -> None:
    for name in SETTINGS:
        if name in env:
            os.environ[name] = env[name]
        else:
            os.environ.pop(name, None)


def extract_task(items: list, env: dict[str, str]) -> list:
    """On a worker: the chunk built (N-Triples for each new article), in order."""
    from kg.ingest import _build_chunk

    _apply(env)
    return _build_chunk(items)


def extract_and_write_task(items: list, env: dict[str, str], remote: dict[str, str]) -> list:
    """On a worker: the chunk built and each new graph written to the remote store (one atomic
    request per article, replacing its earlier versions); :class:`Written` records come back."""
    from kg.derive import attacks_in
    from kg.ingest import _build_chunk, previous_versions
    from kg.store import RemoteSparqlStore

    _apply(env)
    store = RemoteSparqlStore(**remote)
    out = []
    for item in _build_chunk(items):
        if isinstance(item, Built) and item.data:
            previous = previous_versions(store, item.article.source, item.graph)
            attacks = attacks_in(store, previous) if previous else set()
            store.put_graph(item.graph, item.data, replaces=previous)
            item = Written(item.article, item.graph, item.triples, bool(previous), attacks)
        out.append(item)
    return out


def built_items(client, todo: Iterator, *, remote: dict[str, str] | None = None, in_flight: int | None = None) -> Iterator:
    """Chunks of ``todo`` run on the cluster, at most ``in_flight`` at once; their items in order.

    Chunks with nothing to extract (unchanged articles, rejections) do not travel."""
    from kg.ingest import _chunks

    if in_flight is None:
        in_flight = max(2, 2 * max(1, len(client.scheduler_info().get("workers", {}))))
    env = settings()
    window: deque = deque()
    for chunk in _chunks(todo, BATCH_ARTICLES):
        if not any(isinstance(item, Article) for item in chunk):
            window.append(chunk)
        elif remote:
            window.append(client.submit(extract_and_write_task, chunk, env, remote, pure=False))
        else:
            window.append(client.submit(extract_task, chunk, env, pure=False))
        while len([f for f in window if not isinstance(f, list)]) >= in_flight:
            yield from _result(window.popleft())
    while window:
        yield from _result(window.popleft())


def _result(entry) -> list:
    if isinstance(entry, list):
        return entry
    try:
        return entry.result()
    finally:
        entry.release()


__all__ = ["Cluster", "ClusterError", "Written", "built_items", "connect", "extract_and_write_task", "extract_task"]
