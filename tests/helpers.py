"""Helpers the tests share (fixtures stay in ``conftest.py``; nothing imports from it).

Stores built from seeds or fixture graphs, apps over them, a free loopback port, the tools some
tests need found on ``PATH``, and small readers of an extraction.
"""
from __future__ import annotations

import gc
import shutil
import socket
import sys
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def build_store(path: Path, *, sources=(SEEDS,), graphs: dict[str, bytes] | None = None) -> Path:
    """A store at ``path`` with the ontology, the articles in ``sources`` and extra N-Triples ``graphs``.

    The store is closed again, so an app (or a server process) can open it.
    """
    from kg.ingest import ingest
    from kg.store import ensure_ontology, open_store

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


def make_app(store: Path, **config):
    """An app in testing mode over ``store``; close it with :func:`close_app`."""
    from server import create_app

    return create_app({"TESTING": True, "STORE": str(store), **config})


@contextmanager
def store_queries(monkeypatch):
    """The store queries run meanwhile, as a list that fills: those sent to a query worker
    (``ServerStore.query``) and an entity page's own, answered in the server process
    (``ServerStore.query_here``)."""
    from server.db import ServerStore

    calls = []

    def counting(name):
        real = getattr(ServerStore, name)

        def counted(self, *args, **kwargs):
            calls.append(args[0] if args else kwargs.get("sparql"))
            return real(self, *args, **kwargs)

        return real, counted

    reals = {}
    for name in ("query", "query_here"):
        reals[name], counted = counting(name)
        monkeypatch.setattr(ServerStore, name, counted)
    try:
        yield calls
    finally:
        for name, real in reals.items():
            monkeypatch.setattr(ServerStore, name, real)


def close_app(app) -> None:
    """Stop what the app started (query workers, snapshots) and release its store."""
    from server import db
    from server.sparql import close_pool

    close_pool(app)
    db.close_store(app)
    gc.collect()


def free_port() -> int:
    """A loopback TCP port nothing listens on now.

    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_cli() -> str | None:
    """The ``oxigraph`` server program (PyPI: oxigraph): on ``PATH``, else beside this Python."""
    return shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> tuple[str, str] | None:
    """(browser, driver) for headless Chromium, both found on ``PATH``, or None."""
    browser = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def headless_chromium(*flags: str):
    """A Selenium driver for headless Chromium with ``flags`` added; the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", *flags):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


# --- extraction ------------------------------------------------------------------------------------

def run(text: str, **meta):
    """The extraction of an article with ``text`` and sidecar ``meta``."""
    from kg.extract import extract
    from kg.sources import Article

    return extract(Article(text=text, path="test.txt", meta=dict(meta)))


def labels_of(x, kind: str) -> dict[str, object]:
    """Label → entity of the extraction's entities of ``kind``."""
    return {e.label: e for (k, _), e in x.entities.items() if k == kind}


def label(x, kind: str, key: str) -> str:
    return x.entities[(kind, key)].label


def attacks_of(x, type_: str) -> list:
    return [a for a in x.attacks if a.type == type_]


def copy_seeds(directory: Path, pattern: str) -> Path:
    """The seed articles matching ``pattern`` (texts and their sidecars) copied into ``directory``."""
    for path in SEEDS.glob(pattern):
        if path.suffix in (".txt", ".json"):
            shutil.copy(path, directory / path.name)
    return directory
