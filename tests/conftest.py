"""Shared fixtures, after the Flask tutorial: a store built from ``seeds/`` once per session, and per
test an ``app`` over it with its ``client`` and CLI ``runner``.

Tests that need more data build their own store with :func:`helpers.build_store`; the helpers the
tests share live in ``helpers.py``, never imported from here.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import build_store, close_app, make_app


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
