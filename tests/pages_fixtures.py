"""Fixtures for the page, export and browser tests: a store built from ``tests/data/pages.trig``.

The fixture's entity IRIs are relative and resolved against :data:`BASE`, a host that is *not*
the one the test client talks to, so every test also checks that request URLs map onto the
configured base. The app comes and goes through ``helpers.make_app``/``close_app``.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import open_store

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "pages.trig"
BASE = "http://kg.example.org/id/"


def load_fixture(store_dir: Path, base: str = BASE) -> None:
    """Write the fixture's graphs into a store at ``store_dir`` through the GraphStore interface."""
    by_graph: dict[str, list] = defaultdict(list)
    for quad in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG, base_iri=base):
        by_graph[quad.graph_name.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    with open_store(store_dir) as store:
        for graph, triples in by_graph.items():
            store.put_graph(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))


def fixture_quads(base: str = BASE) -> list:
    return list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG, base_iri=base))


@pytest.fixture(scope="session")
def pages_store_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "store"
    load_fixture(path)
    return path


@pytest.fixture(scope="session")
def pages_app(pages_store_dir):
    from helpers import close_app, make_app

    app = make_app(pages_store_dir, BASE_IRI=BASE)
    yield app
    close_app(app)


@pytest.fixture()
def pages_client(pages_app):
    return pages_app.test_client()
