"""Ingest: read articles, extract, and write one named graph per article, all or nothing each;
then, when anything changed, recompute the derived figures of the attacks those articles are about
(figures consolidated across articles, see ``kg.derive``).

Extraction is the slow part and runs in worker processes when asked; writing stays in this process,
the store's single writer.
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from rdflib.namespace import DCTERMS

from kg.derive import attacks_in, mark_pending, new_write, pending_writes, refresh_derived, update_derived
from kg.sources import MAX_ARTICLE_BYTES, Article, Rejected, quoted, read_inputs
from kg.store import GraphStore
from kg.vocab import CKG

ProgressHook = Callable[[str], None]
BATCH_ARTICLES = 8  # articles extracted together: spaCy parses a batch of docs faster than one at a time


@dataclass
class Summary:
    """What one ingest run did."""

    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    triples: int = 0
    notes: list[str] = field(default_factory=list)  # what reading changed ("title cut to 2,000 characters")
    written: list[str] = field(default_factory=list, repr=False)  # graphs written by this run
    attacks: set[str] = field(default_factory=set, repr=False)  # attacks of the versions it replaced

    @property
    def total(self) -> int:
        return self.added + self.unchanged + self.replaced + len(self.rejected)

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.unchanged} unchanged, {self.replaced} replaced, "
            f"{len(self.rejected)} rejected; {self.triples} triples written"
        )


@dataclass
class Built:
    """One article turned into N-Triples, ready to write."""

    article: Article
    graph: str
    data: bytes
    triples: int


def build(article: Article) -> Built | Rejected:
    """Extract one article and serialize its graph; an extraction failure rejects the article."""
    from kg.extract import extract

    try:
        extraction = extract(article)
    except Exception as exc:  # noqa: BLE001 - one article's failure must not stop the run
        return _failed(article, exc)
    return _serialised(article, extraction)


def build_many(articles: list[Article]) -> list[Built | Rejected]:
    """Build several articles with one batched extraction (their segments parsed together); when
    that fails, each article alone, so only the one that fails is rejected."""
    from kg.extract import extract_many

    if len(articles) <= 1:
        return [build(article) for article in articles]
    try:
        extractions = extract_many(articles)
    except Exception:  # noqa: BLE001 - find the article that fails, build the others
        return [build(article) for article in articles]
    return [_serialised(article, extraction) for article, extraction in zip(articles, extractions)]


def _serialised(article: Article, extraction) -> Built | Rejected:
    from kg.rdf import graph_iri, to_rdf

    try:
        graph = to_rdf(article, extraction)
        data = graph.serialize(format="nt", encoding="utf-8")
    except Exception as exc:  # noqa: BLE001
        return _failed(article, exc)
    return Built(article, str(graph_iri(article)), data, len(graph))


def _failed(article: Article, exc: Exception) -> Rejected:
    return Rejected(article.origin, f"extraction failed: {type(exc).__name__}: {exc}")


def ingest(
    paths: Iterable[str],
    store: GraphStore,
    *,
    workers: int = 1,
    max_bytes: int = MAX_ARTICLE_BYTES,
    on_item: ProgressHook | None = None,
    cluster=None,
) -> Summary:
    """Ingest every article under ``paths`` into ``store``; with ``cluster`` (a
    :class:`kg.cluster.Cluster`) extraction runs on that Dask cluster instead of ``workers`` local
    processes (the caller closes it)."""
    summary = Summary()
    behind = pending_writes(store)  # a run that died before its derive step, a user's update
    this_run = new_write("ingest")
    mark_pending(store, this_run)  # before the first article is written
    for item in _built_items(read_inputs(paths, max_bytes=max_bytes), store, workers, cluster):
        _record(item, store, summary)
        if on_item:
            on_item(item.origin if isinstance(item, Rejected) else item.article.origin)
    finish(store, summary, behind, this_run)
    return summary


@dataclass
class Written:
    """An article a cluster worker built and wrote to the remote store itself."""

    article: Article
    graph: str
    triples: int
    replaced: bool
    attacks: set[str] = field(default_factory=set)  # of the versions it replaced


def _record(item, store: GraphStore, summary: Summary) -> None:
    if isinstance(item, Rejected):
        summary.rejected.append(item)
        return
    summary.notes.extend(f"{quoted(item.article.origin)}: {note}" for note in item.article.notes)
    if isinstance(item, Written):  # a worker wrote it to the remote store
        summary.written.append(item.graph)
        summary.attacks |= item.attacks
        summary.triples += item.triples
        if item.replaced:
            summary.replaced += 1
        else:
            summary.added += 1
    else:
        _write(item, store, summary)


def finish(store: GraphStore, summary: Summary, behind: set[str], this_run: str) -> None:
    """The derive step of a run, clearing its pending write: for the attacks its articles are about
    when the derived graph followed every write at the start, else (``behind``: writes it did not
    follow) all of it again, clearing those too."""
    if behind:
        refresh_derived(store, behind | {this_run})
    else:
        attacks = summary.attacks | attacks_in(store, summary.written) if summary.added or summary.replaced else set()
        update_derived(store, attacks, done=[this_run])


def _built_items(items: Iterator[Article | Rejected], store: GraphStore, workers: int, cluster=None) -> Iterator[Built | Rejected]:
    """Build what is new; already-stored versions pass through as ``Built`` with no data."""

    def todo() -> Iterator[Article | Rejected]:
        from kg.rdf import graph_iri

        for item in items:
            graph = str(graph_iri(item)) if isinstance(item, Article) else None
            if graph and store.has_graph(graph):
                yield Built(item, graph, b"", 0)  # unchanged: nothing to extract
            else:
                yield item

    if cluster is not None:
        yield from cluster.built_items(todo(), remote=getattr(store, "remote_spec", None))
        return
    chunks = _chunks(todo(), BATCH_ARTICLES)
    if workers <= 1:
        for chunk in chunks:
            yield from _build_chunk(chunk)
        return
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(workers, initializer=_warm_up) as pool:
        for built in pool.imap(_build_chunk, chunks):
            yield from built


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _build_chunk(items: list[Article | Rejected | Built]) -> list[Built | Rejected]:
    """The chunk in order: its new articles built together, the rest passed through."""
    if _START_FAILURE:
        raise WorkerFailed(f"an extraction worker could not start: {_START_FAILURE}")
    built = iter(build_many([item for item in items if isinstance(item, Article)]))
    return [next(built) if isinstance(item, Article) else item for item in items]


class WorkerFailed(RuntimeError):
    """An extraction worker process could not start (its model or data would not load)."""


_START_FAILURE: str | None = None  # in a worker process: why it could not start


def _warm_up() -> None:
    """Pool initializer. A failure is kept and raised by the worker's first task, so the run stops
    with the reason; raised here, it would make the pool start replacement workers forever."""
    global _START_FAILURE
    from kg.extract import warm_up

    try:
        warm_up()
    except Exception as exc:  # noqa: BLE001 - reported through the first task
        _START_FAILURE = f"{type(exc).__name__}: {exc}"


def _write(built: Built, store: GraphStore, summary: Summary) -> None:
    if not built.data:
        summary.unchanged += 1
        return
    previous = previous_versions(store, built.article.source, built.graph)
    if previous:
        summary.attacks |= attacks_in(store, previous)
    store.put_graph(built.graph, built.data, replaces=previous)
    summary.written.append(built.graph)
    summary.triples += built.triples
    if previous:
        summary.replaced += 1
    else:
        summary.added += 1


def previous_versions(store: GraphStore, source: str, current: str) -> list[str]:
    """Graphs holding an earlier version of the article from ``source``."""
    from kg.rdf import source_term

    term = source_term(source).n3()
    rows = store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?a a <{CKG.Article}> ; <{DCTERMS.source}> {term} }} }}"
    )
    return [row["g"].value for row in rows if row["g"].value not in (current, store.union_graph)]
