"""Settings read from the environment, with defaults that work in a fresh checkout."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_BASE_IRI = "http://localhost:5000/id/"
DEFAULT_STORE_DIR = "kg-store"


def base_iri() -> str:
    """The base under which entity IRIs are minted (``KG_BASE_IRI``), always ending in ``/``.

    >>> import os; os.environ.pop("KG_BASE_IRI", None) and None
    >>> base_iri()
    'http://localhost:5000/id/'
    """
    base = os.environ.get("KG_BASE_IRI", DEFAULT_BASE_IRI).strip()
    return base if base.endswith(("/", "#")) else base + "/"


def store_path(explicit: str | os.PathLike | None = None) -> Path | str:
    """Where the store lives: ``--store``, else ``KG_STORE``, else ``./kg-store``.

    A folder for the embedded store; an ``http(s)://`` URL (kept as a string) for a remote one.
    """
    location = explicit or os.environ.get("KG_STORE") or DEFAULT_STORE_DIR
    return str(location) if str(location).startswith(("http://", "https://")) else Path(location)
