"""The store behind the app: opened once per process, shared by every request.

The server process holds the store read-write, so Oxigraph's lock keeps any other writer (a
`kg ingest` run) out with a clear error instead of undefined behaviour.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app

from kg.store import GraphStore, open_store

_EXTENSION = "kg_store"
_opening = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = None


def get_store() -> GraphStore:
    """The app's store, opened on first use."""
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        with _opening:  # two first requests at once must not both open it (the second would hit the lock)
            store = current_app.extensions.get(_EXTENSION)
            if store is None:
                store = open_store(current_app.config["STORE"])
                current_app.extensions[_EXTENSION] = store
    return store


def close_store(app: Flask) -> None:
    """Release the app's store (its lock included), if it was opened."""
    store = app.extensions.get(_EXTENSION)
    app.extensions[_EXTENSION] = None
    if store is not None:
        store.close()
