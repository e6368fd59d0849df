"""Whole-store exports: streamed, the same bytes as `kg export`, round-tripping, readable by Raptor."""
from __future__ import annotations

import io
import shutil
import subprocess
import threading

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from pages_fixtures import pages_app, pages_client, pages_store_dir  # noqa: F401 - fixtures

TRIPLE_EXPORTS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
QUAD_EXPORTS = {"trig": "trig", "nq": "nquads"}


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    plain = term.language or term.datatype.value == "http://www.w3.org/2001/XMLSchema#string"
    return rdflib.Literal(term.value, lang=term.language, datatype=None if plain else rdflib.URIRef(term.datatype.value))


@pytest.fixture(scope="module")
def held(pages_app):
    """What the store holds, read by SELECT (not by dump): the union graph and every named graph."""
    from server.db import get_store

    with pages_app.app_context():
        store = get_store()
        union = rdflib.Graph()
        for row in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"):
            union.add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))
        graphs: dict[str, rdflib.Graph] = {}
        for row in store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
            graphs.setdefault(row["g"].value, rdflib.Graph()).add((to_rdflib(row["s"]), to_rdflib(row["p"]), to_rdflib(row["o"])))
    assert len(union) > 200 and len(graphs) == 3
    return union, graphs


@pytest.mark.parametrize("suffix", sorted(TRIPLE_EXPORTS))
def test_triple_exports_round_trip_to_the_union_graph(pages_client, held, suffix):
    response = pages_client.get(f"/export.{suffix}")
    assert response.status_code == 200 and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    parsed = rdflib.Graph().parse(data=response.data, format=TRIPLE_EXPORTS[suffix])
    assert isomorphic(parsed, held[0])


@pytest.mark.parametrize("suffix", sorted(QUAD_EXPORTS))
def test_quad_exports_round_trip_graph_by_graph(pages_client, held, suffix):
    response = pages_client.get(f"/export.{suffix}")
    assert response.status_code == 200 and response.is_streamed
    dataset = rdflib.Dataset()
    dataset.parse(data=response.data, format=QUAD_EXPORTS[suffix])
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == set(held[1])
    for name, graph in held[1].items():
        assert isomorphic(dataset.graph(rdflib.URIRef(name)), graph), name


@pytest.mark.parametrize(("suffix", "fmt"), [("nq", ox.RdfFormat.N_QUADS), ("nt", ox.RdfFormat.N_TRIPLES)])
def test_export_is_what_kg_export_writes(pages_app, pages_client, suffix, fmt):
    """`kg export` is store.dump to a file; the endpoint streams the same dump."""
    from server.db import get_store

    with pages_app.app_context():
        expected = io.BytesIO()
        get_store().dump(expected, fmt)
    assert pages_client.get(f"/export.{suffix}").data == expected.getvalue()


def test_unknown_export_format_is_404(pages_client):
    response = pages_client.get("/export.xlsx", headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert "/export.ttl" in response.get_data(as_text=True)


@pytest.mark.parametrize(("suffix", "syntax"), [("ttl", "turtle"), ("nt", "ntriples")])
def test_rapper_reads_the_export(pages_client, tmp_path, suffix, syntax):
    rapper = shutil.which("rapper")
    if rapper is None:
        pytest.skip("Raptor's `rapper` is not installed (Debian package raptor2-utils)")
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(pages_client.get(f"/export.{suffix}").data)
    result = subprocess.run([rapper, "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    count = int(result.stderr.split("returned ")[1].split(" triples")[0])
    assert count > 200


def test_stream_stops_when_the_client_goes_away():
    from server.exports import CHUNK, stream_dump

    stopped = threading.Event()

    def endless(out):
        try:
            while True:
                out.write(b"<http://s> <http://p> <http://o> .\n" * 1000)
        except BrokenPipeError:
            stopped.set()
            raise

    chunks = stream_dump(endless)
    assert 0 < len(next(chunks)) <= CHUNK
    chunks.close()  # what the WSGI server does when the client disconnects
    assert stopped.wait(5)


def test_stream_yields_everything_written():
    from server.exports import stream_dump

    payload = bytes(range(256)) * 5000
    assert b"".join(stream_dump(lambda out: out.write(payload))) == payload
