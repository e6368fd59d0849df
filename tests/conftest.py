"""Shared fixtures, after the Flask tutorial: a store built from ``seeds/`` once per session, and per
test an ``app`` over it with its ``client`` and CLI ``runner``.

Tests that need more data build their own store with :func:`build_store`.
"""
from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def build_store(path: Path, *, sources=(SEEDS,), graphs: dict[str, bytes] | None = None) -> Path:
    """A store at ``path`` with the ontology, the articles in ``sources`` and extra N-Triples ``graphs``.

    The store is closed again, so an app (or a server process) can open it.
    """
    from kg.store import ensure_ontology
    from kg.ingest import ingest
    from kg.store import open_store

    store = open_store(path)
    try:
        ensure_ontology(store)
        if sources:
            summary = ingest([str(source) for source in sources], store)
            assert not summary.rejected, summary.rejected
        for name, data in (graphs or {}).items():
            store.put_graph(name, data)
    finally:
        store.close()
        del store
        gc.collect()  # drop the last reference so the lock is released now
    return path


def graphs_from_trig(path: Path) -> dict[str, bytes]:
    """The named graphs of a TriG file as N-Triples, ready for :func:`build_store`."""
    import pyoxigraph as ox

    graphs: dict[str, list] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return {name: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) for name, triples in graphs.items()}


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory) -> Path:
    """A store built from ``seeds/`` (read it, do not write it: it is shared by the session)."""
    return build_store(tmp_path_factory.mktemp("seed-store") / "store")


@pytest.fixture(scope="session")
def seed_store(store_dir, tmp_path_factory):
    """The seed store opened for reading through SPARQL (a copy, so apps can still open ``store_dir``)."""
    from kg.store import open_store

    copy = tmp_path_factory.mktemp("seed-store-open") / "store"
    shutil.copytree(store_dir, copy)
    store = open_store(copy)
    yield store
    store.close()


@pytest.fixture
def store_copy(store_dir, tmp_path) -> Path:
    """A private copy of the seed store that a test may change."""
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy)
    return copy


def make_app(store: Path, **config):
    """An app in testing mode over ``store``; close it with :func:`close_app`."""
    from server import create_app

    return create_app({"TESTING": True, "STORE": str(store), **config})


def close_app(app) -> None:
    """Stop what the app started (query workers, snapshots) and release its store."""
    from server import db

    try:
        from server.sparql import close_pool
    except ModuleNotFoundError:
        pass
    else:
        close_pool(app)
    db.close_store(app)
    gc.collect()


@pytest.fixture
def app(store_dir):
    app = make_app(store_dir)
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def offline_jsonld_contexts(monkeypatch):
    """rdflib fetches a JSON-LD document's remote ``@context`` over HTTP; tests stay offline, so
    the context of this project (``<root>/context.jsonld``) is answered from :func:`kg.jsonld.context`
    and any other remote context is refused. That the server serves the same object is tested
    in test_exports.py."""
    from rdflib.plugins.shared.jsonld import context as rdflib_context

    from kg.jsonld import context

    def load(source, *args, **kwargs):
        url = str(source)
        if not url.endswith("/context.jsonld"):
            raise AssertionError(f"a test tried to fetch the JSON-LD context {url}")
        return context(url[: -len("context.jsonld")] + "id/"), None

    monkeypatch.setattr(rdflib_context, "source_to_json", load)
