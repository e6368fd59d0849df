"""The remote store against Virtuoso Open Source 7 (Debian's virtuoso-opensource), started from a
private virtuoso.ini on loopback ports: what the embedded store does, graph by graph."""
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from helpers import copy_seeds
from servers import VIRTUOSO, VirtuosoServer

from kg.cli import cli
from kg.derive import derived_graph, is_current
from kg.ingest import ingest
from kg.store import OxigraphStore, RemoteSparqlStore
from kg.store.base import _canonical
from kg.vocab import CKG

pytestmark = [pytest.mark.slow, pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-t not installed (Debian: virtuoso-opensource)")]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.close()


@pytest.fixture
def env(virtuoso, monkeypatch):
    for name, value in virtuoso.env.items():
        monkeypatch.setenv(name, value)
    return virtuoso


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    return copy_seeds(tmp_path_factory.mktemp("articles"), "10[1-6]*")


INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
NON_NEGATIVE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")


def as_virtuoso_keeps_it(term):
    """Virtuoso stores an xsd:nonNegativeInteger as an xsd:integer of the same value."""
    if isinstance(term, ox.Literal) and term.datatype == NON_NEGATIVE:
        return ox.Literal(term.value, datatype=INTEGER)
    return term


def contents(store) -> dict[str, set]:
    out = {}
    for g in store.graphs():
        triples = ox.parse(store.graph_ntriples(g), format=ox.RdfFormat.N_TRIPLES)
        out[g] = _canonical(ox.Triple(t.subject, t.predicate, as_virtuoso_keeps_it(t.object)) for t in triples)
    return out


def count(store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)


def test_ingest_reingest_and_replace_match_the_embedded_store(env, articles, tmp_path):
    remote = RemoteSparqlStore(env.url)
    with OxigraphStore(tmp_path / "local") as local:
        for _ in range(2):  # the second run changes nothing
            expected, got = ingest([str(articles)], local), ingest([str(articles)], remote)
            assert str(got) == str(expected)
        text = articles / "102_car_bomb_azaz.txt"
        text.write_text(text.read_text() + "\nThe toll rose to 30 on Monday, the Syrian Observatory for Human Rights said.\n")
        expected, got = ingest([str(articles)], local), ingest([str(articles)], remote)
        assert got.replaced == expected.replaced == 1 and str(got) == str(expected)
        assert contents(remote) == contents(local)
        assert is_current(remote) and str(derived_graph()) in remote.graphs()
        assert len(remote) == len(local)
        # the union: each triple once, however many articles state it
        union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert count(remote, union) == count(local, union)
        figures = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{CKG.Attack}> ; <{CKG.killed}> ?k }}"
        assert count(remote, figures) == count(local, figures) > 0
        # a user's update keeps the union in step there too
        graph = sorted(g for g in local.graphs() if "/graph/article-" in g)[0]
        for store in (local, remote):
            store.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <http://e.x/s> <http://e.x/p> "user" }} }}')
        assert count(remote, union) == count(local, union)
        for store in (local, remote):  # one choosing its graphs by a variable: the union follows what it matched
            store.update('DELETE { GRAPH ?g { ?s <http://e.x/p> ?o } } INSERT { GRAPH ?g { ?s <http://e.x/p> "changed" } } '
                         'WHERE { GRAPH ?g { ?s <http://e.x/p> ?o } }')
        changed = 'SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e.x/p> "changed" }'
        assert count(remote, changed) == count(local, changed) == 1
        assert count(remote, union) == count(local, union)
        assert contents(remote) == contents(local)


def test_every_export_format_and_the_cli_work_there(env, articles):
    run = lambda *args: CliRunner().invoke(cli, [*args, "--store", env.url], catch_exceptions=False)  # noqa: E731
    assert run("ingest", str(articles)).exit_code == 0
    out = run("query", "--format", "csv", "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ckg:Attack }").output
    assert int(out.splitlines()[1]) > 0
    quads = ox.Dataset(ox.parse(run("export", "--format", "nquads").output.encode(), format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads}
    assert "urn:kg:union" not in graphs and any("/graph/article-" in g for g in graphs)
    assert not any(isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith("urn:kg:genid:") for q in quads)
    for fmt in ("turtle", "trig", "ntriples", "jsonld", "events-csv", "geojson", "rdfxml"):
        result = run("export", "--format", fmt)
        assert result.exit_code == 0 and len(result.output) > 100, fmt
    assert json.loads(run("export", "--format", "geojson").output)["type"] == "FeatureCollection"


def test_kg_serve_pages_and_sparql_over_virtuoso(env, articles):
    from conftest import close_app, make_app

    CliRunner().invoke(cli, ["ingest", str(articles), "--store", env.url], catch_exceptions=False)
    app = make_app(env.url)
    try:
        client = app.test_client()
        answer = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/ckg/ontology#Attack> }"},
                            headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and int(answer.get_json()["results"]["bindings"][0]["n"]["value"]) > 0
        assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    finally:
        close_app(app)
