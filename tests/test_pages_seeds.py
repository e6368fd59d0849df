"""The pages over a store built from `seeds/` by the real `kg ingest`: whatever the extractor
minted dereferences, as a page and as data, and the export round-trips."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

REPO = Path(__file__).resolve().parent.parent
SEED_BASE = "http://seeds.example.net/id/"
MAX_CHECKED = 300  # IRIs dereferenced, to keep the test quick on a richer extractor


@pytest.fixture(scope="module")
def seeds_client(tmp_path_factory):
    store = tmp_path_factory.mktemp("seeds") / "store"
    env = {**os.environ, "KG_BASE_IRI": SEED_BASE, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "ingest", str(REPO / "seeds"), "--store", str(store)],
        env=env, capture_output=True, text=True, timeout=600, cwd=store.parent,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from helpers import close_app, make_app

    app = make_app(store, BASE_IRI=SEED_BASE)
    yield app.test_client()
    close_app(app)


def minted(client) -> list[str]:
    graph = rdflib.Graph().parse(data=client.get("/export.nt").data, format="nt")
    iris = {str(t) for triple in graph for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(SEED_BASE)}
    return sorted(iris)


def test_home_and_article_index_list_the_seed_article(seeds_client):
    home = seeds_client.get("/", headers={"Accept": "text/html"})
    assert home.status_code == 200
    articles = seeds_client.get("/articles", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/id/article/' in articles


def test_every_minted_iri_dereferences(seeds_client):
    iris = minted(seeds_client)
    assert any("/article/" in iri for iri in iris)
    for iri in iris[:MAX_CHECKED]:
        path = "/id/" + iri[len(SEED_BASE):]
        html = seeds_client.get(path, headers={"Accept": "text/html"})
        assert html.status_code == 200, path
        turtle = seeds_client.get(path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, path
        graph = rdflib.Graph().parse(data=turtle.data, format="turtle")
        assert (rdflib.URIRef(iri), None, None) in graph or (None, None, rdflib.URIRef(iri)) in graph or "/graph/" in iri


def test_seed_article_page_shows_its_text(seeds_client):
    import re
    from html import unescape

    from kg.iris import digest

    text = (REPO / "seeds" / "000_91ad30bc2c40ecf8.txt").read_text(encoding="utf-8")
    article = next(iri for iri in minted(seeds_client) if iri.endswith("/article/" + digest(text, 16)))
    html = seeds_client.get("/id/" + article[len(SEED_BASE):], headers={"Accept": "text/html"}).get_data(as_text=True)
    shown = re.search(r'<div class="article-text">(.*?)</div>', html, re.S).group(1)
    assert unescape(re.sub(r"<[^>]+>", "", shown)).strip() == text.strip()


def test_seed_export_round_trips(seeds_client):
    nquads = seeds_client.get("/export.nq").data
    trig = seeds_client.get("/export.trig").data
    from_nq, from_trig = rdflib.Dataset(), rdflib.Dataset()
    from_nq.parse(data=nquads, format="nquads")
    from_trig.parse(data=trig, format="trig")
    names = {g.identifier for g in from_nq.graphs() if len(g)}
    assert names and names == {g.identifier for g in from_trig.graphs() if len(g)}
    for name in names:
        assert isomorphic(from_nq.graph(name), from_trig.graph(name))
