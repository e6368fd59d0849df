"""The graph store: one small interface (:class:`GraphStore`), one embedded backend (Oxigraph).

A remote SPARQL 1.1 backend implements the same interface; nothing above this package knows which
backend it talks to.
"""
from __future__ import annotations

from kg.store.base import GraphStore, StoreError, StoreLockedError
from kg.store.oxigraph import OxigraphStore


def open_store(path=None, *, read_only: bool = False) -> GraphStore:
    """Open (creating on first use) the store at ``path`` (default: ``--store``/``KG_STORE``)."""
    from kg.config import store_path

    return OxigraphStore(store_path(path), read_only=read_only)


__all__ = ["GraphStore", "OxigraphStore", "StoreError", "StoreLockedError", "open_store"]
