"""The graph store: one small interface (:class:`GraphStore`), one embedded backend (Oxigraph).

A remote SPARQL 1.1 backend implements the same interface; nothing above this package knows which
backend it talks to.
"""
from __future__ import annotations

from kg.store.base import GraphStore, StoreError, StoreLockedError
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteSparqlStore


def is_remote(location) -> bool:
    """Whether a ``--store`` value names a SPARQL server rather than a folder.

    >>> is_remote("http://localhost:7878/"), is_remote("kg-store")
    (True, False)
    """
    return str(location).startswith(("http://", "https://"))


def open_store(location=None, *, read_only: bool = False) -> GraphStore:
    """Open the store at ``location`` (default: ``--store``/``KG_STORE``/``./kg-store``).

    A folder is an embedded Oxigraph store, created on first use; an ``http(s)://`` URL is a remote
    SPARQL 1.1 server.
    """
    from kg.config import store_path

    location = store_path(location)
    if is_remote(location):
        return RemoteSparqlStore(str(location))
    return OxigraphStore(location, read_only=read_only)


def ensure_ontology(store: GraphStore) -> None:
    """Put the ontology in its own named graph, refreshed when the file changed."""
    from kg.vocab import ONTOLOGY_FILE, ONTOLOGY_IRI

    if ONTOLOGY_FILE.exists():
        store.add_files(ONTOLOGY_IRI, [ONTOLOGY_FILE])


__all__ = ["GraphStore", "OxigraphStore", "RemoteSparqlStore", "StoreError", "StoreLockedError", "ensure_ontology", "is_remote", "open_store"]
