"""The SPARQL 1.1 Protocol at /sparql through Flask's test client: one test per Accept case and error path."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import build_store, close_app, graphs_from_trig, make_app

DATA = Path(__file__).parent / "data" / "sparql-sample.trig"
ATTACKS, CLAIMS = "urn:test:graph:attacks", "urn:test:graph:claims"
ATTACK = "http://localhost:5000/id/attack/market-strike"
LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label"
GRAPH = "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s rdfs:label ?label }"
SPARQL_JSON, SPARQL_XML = "application/sparql-results+json", "application/sparql-results+xml"
BULK_ROWS = 3000


def bulk_graph(rows: int) -> bytes:
    return "".join(f'<urn:bulk:s{i}> <urn:bulk:p> "row {i} {"x" * 40}" .\n' for i in range(rows)).encode()


@pytest.fixture(scope="module")
def data_store(tmp_path_factory) -> Path:
    graphs = graphs_from_trig(DATA) | {"urn:test:graph:bulk": bulk_graph(BULK_ROWS)}
    return build_store(tmp_path_factory.mktemp("sparql") / "store", sources=(), graphs=graphs)


@pytest.fixture(scope="module")
def sparql_app(data_store):
    app = make_app(data_store)
    yield app
    close_app(app)


@pytest.fixture
def http(sparql_app):
    return sparql_app.test_client()


def select(http, query=LABELS, **headers):
    return http.get("/sparql", query_string={"query": query}, headers=headers)


def labels_in(body: bytes) -> set[str]:
    return {b["label"]["value"] for b in json.loads(body)["results"]["bindings"]}


# --- the query operation ------------------------------------------------------------------------------


def test_get_without_accept_answers_sparql_json(http):
    response = select(http)
    assert response.status_code == 200
    assert response.mimetype == SPARQL_JSON
    assert {"Airstrike on the market", "Aleppo", "Ministry"} <= labels_in(response.data)


def test_post_form(http):
    response = http.post("/sparql", data={"query": LABELS}, headers={"Accept": SPARQL_JSON})
    assert response.status_code == 200
    assert "Idlib" in labels_in(response.data)


def test_post_sparql_query_body(http):
    response = http.post("/sparql", data=LABELS, content_type="application/sparql-query")
    assert response.status_code == 200
    assert "Idlib" in labels_in(response.data)


def test_predeclared_prefixes_need_no_prefix_lines(http):
    response = select(http, "SELECT ?a WHERE { ?a a ckg:Airstrike }")
    assert [b["a"]["value"] for b in json.loads(response.data)["results"]["bindings"]] == [ATTACK]


def test_declared_prefix_overrides_nothing_else(http):
    response = select(http, "PREFIX x: <https://w3id.org/ckg/ontology#> SELECT ?a WHERE { ?a a x:ArmedClash }")
    assert len(json.loads(response.data)["results"]["bindings"]) == 1


# --- negotiation of SELECT/ASK results ----------------------------------------------------------------


def test_accept_sparql_xml(http):
    response = select(http, Accept=SPARQL_XML)
    assert response.mimetype == SPARQL_XML
    root = ET.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"


def test_accept_csv(http):
    response = select(http, Accept="text/csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows[0] == ["s", "label"]
    assert ["http://localhost:5000/id/place/aleppo", "Aleppo"] in rows


def test_accept_tsv(http):
    response = select(http, Accept="text/tab-separated-values")
    assert response.mimetype == "text/tab-separated-values"
    assert response.data.decode().splitlines()[0] == "?s\t?label"


def test_accept_plain_json_gets_sparql_json(http):
    assert select(http, Accept="application/json").mimetype == SPARQL_JSON


def test_accept_q_values_pick_the_preferred(http):
    assert select(http, Accept=f"text/csv;q=0.5, {SPARQL_XML}").mimetype == SPARQL_XML


def test_accept_several_with_an_unsupported_one(http):
    assert select(http, Accept="image/png, text/tab-separated-values;q=0.1").mimetype == "text/tab-separated-values"


def test_accept_anything_gets_json(http):
    assert select(http, Accept="*/*").mimetype == SPARQL_JSON


def test_format_parameter_overrides_accept(http):
    response = http.get("/sparql", query_string={"query": LABELS, "format": "csv"}, headers={"Accept": SPARQL_JSON})
    assert response.mimetype == "text/csv"


def test_unknown_format_parameter_is_400(http):
    response = http.get("/sparql", query_string={"query": LABELS, "format": "yaml"})
    assert response.status_code == 400
    assert b"unknown format 'yaml'" in response.data


def test_select_with_only_rdf_acceptable_is_406(http):
    response = select(http, Accept="text/turtle")
    assert response.status_code == 406
    assert b"application/sparql-results+json" in response.data


@pytest.mark.parametrize("accept, expected", [(SPARQL_JSON, b'"boolean":true'), (SPARQL_XML, b"<boolean>true</boolean>")])
def test_ask(http, accept, expected):
    response = select(http, "ASK { ?a ckg:killed 27 }", Accept=accept)
    assert response.mimetype == accept
    assert expected in response.data


# --- negotiation of CONSTRUCT/DESCRIBE graphs ------------------------------------------------------------


def parsed_graph(response) -> set:
    fmt = ox.RdfFormat.from_media_type(response.mimetype)
    return {(q.subject, q.predicate, q.object) for q in ox.parse(response.data, fmt)}


@pytest.mark.parametrize(
    "accept",
    ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "application/n-quads", "application/trig"],
)
def test_construct_in_each_rdf_format(http, accept):
    response = select(http, GRAPH, Accept=accept)
    assert response.status_code == 200
    assert response.mimetype == accept
    triples = parsed_graph(response)
    assert (ox.NamedNode(ATTACK), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Airstrike on the market")) in triples


def test_construct_default_is_turtle_with_our_prefixes(http):
    response = select(http, GRAPH)
    assert response.mimetype == "text/turtle"
    assert b"@prefix ckg: <https://w3id.org/ckg/ontology#>" in response.data


def test_construct_for_a_plain_json_client_is_json_ld(http):
    response = select(http, GRAPH, Accept="application/json")
    assert response.mimetype == "application/ld+json"
    assert isinstance(json.loads(response.data), (list, dict))


def test_construct_with_only_results_types_acceptable_is_406(http):
    assert select(http, GRAPH, Accept="text/csv").status_code == 406


def test_describe(http):
    response = select(http, f"DESCRIBE <{ATTACK}>", Accept="application/n-triples")
    subjects = {s for s, _, _ in parsed_graph(response)}
    assert subjects == {ox.NamedNode(ATTACK)}


# --- the dataset --------------------------------------------------------------------------------------------


def test_default_graph_is_the_union_of_all_graphs(http):
    labels = labels_in(select(http).data)
    assert {"Idlib", "Observatory"} <= labels  # from two different named graphs


def test_default_graph_uri_restricts_the_default_graph(http):
    response = http.get("/sparql", query_string={"query": LABELS, "default-graph-uri": CLAIMS})
    assert labels_in(response.data) == {"Observatory", "Ministry"}


def test_named_graph_uri_limits_graph_patterns(http):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = http.get("/sparql", query_string={"query": query, "named-graph-uri": [ATTACKS, CLAIMS]})
    graphs = {b["g"]["value"] for b in json.loads(response.data)["results"]["bindings"]}
    assert graphs == {ATTACKS, CLAIMS}


def test_named_graph_uri_alone_leaves_the_default_graph_empty(http):
    response = http.get("/sparql", query_string={"query": LABELS, "named-graph-uri": ATTACKS})
    assert labels_in(response.data) == set()


def test_dataset_in_a_post_form(http):
    response = http.post("/sparql", data={"query": LABELS, "default-graph-uri": CLAIMS})
    assert labels_in(response.data) == {"Observatory", "Ministry"}


def test_relative_graph_uri_is_400(http):
    response = http.get("/sparql", query_string={"query": LABELS, "default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert b"default-graph-uri" in response.data


# --- errors ---------------------------------------------------------------------------------------------------


def test_syntax_error_is_400_with_position(http):
    response = select(http, "SELECT * WHERE { ?s ?p }", Accept="text/csv")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert b"error at 1:" in response.data


def test_syntax_error_for_a_json_client_is_json(http):
    response = select(http, "SELECT * WHERE { ?s ?p }", Accept=SPARQL_JSON)
    assert response.status_code == 400
    body = json.loads(response.data)
    assert body["status"] == 400 and "invalid SPARQL" in body["error"]


def test_unknown_prefix_is_400(http):
    response = select(http, "SELECT * WHERE { ?s nope:p ?o }")
    assert response.status_code == 400
    assert b"nope" in response.data


def test_query_given_twice_is_400(http):
    response = http.get("/sparql", query_string=[("query", LABELS), ("query", LABELS)])
    assert response.status_code == 400


def test_unsupported_post_type_is_415(http):
    response = http.post("/sparql", data=LABELS, content_type="text/plain")
    assert response.status_code == 415


def test_query_longer_than_the_limit_is_413(http, sparql_app):
    long_query = "SELECT * WHERE { ?s ?p ?o }" + " " * sparql_app.config["MAX_QUERY_LENGTH"]
    response = http.post("/sparql", data=long_query, content_type="application/sparql-query")
    assert response.status_code == 413


def test_body_larger_than_the_limit_is_413(http, sparql_app):
    body = "#" * (sparql_app.config["MAX_CONTENT_LENGTH"] + 1)
    response = http.post("/sparql", data=body, content_type="application/sparql-query")
    assert response.status_code == 413


def test_get_with_update_is_400(http):
    response = http.get("/sparql", query_string={"update": "CLEAR ALL"})
    assert response.status_code == 400
    assert b"POST" in response.data


# --- SERVICE is refused -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "select * where { service <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:1/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?s<?o)SERVICE#>\n<http://127.0.0.1:1/sparql> { ?a ?b ?c } }",
    ],
    ids=["upper", "lower", "silent", "variable", "escaped", "comparison-before-comment"],
)
def test_service_is_refused_with_a_reason(http, query):
    response = select(http, query, Accept=SPARQL_JSON)
    assert response.status_code == 400
    assert "SERVICE" in json.loads(response.data)["error"]


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/>" }',
        "SELECT ?s WHERE { ?s <http://example.org/SERVICE> ?o }",
        "SELECT ?service WHERE { ?service ?p ?o } # SERVICE <http://127.0.0.1:1/>",
    ],
    ids=["in-string", "in-iri", "variable-and-comment"],
)
def test_the_word_service_elsewhere_is_fine(http, query):
    assert select(http, query).status_code == 200


# --- streaming ---------------------------------------------------------------------------------------------------


def test_large_result_streams_in_chunks(http):
    response = http.get(
        "/sparql",
        query_string={"query": "SELECT ?s ?o WHERE { ?s <urn:bulk:p> ?o }"},
        headers={"Accept": "text/tab-separated-values"},
        buffered=False,
    )
    assert response.is_streamed
    chunks = list(response.response)
    response.close()
    assert len(chunks) > 1
    assert b"".join(chunks).count(b"\n") == BULK_ROWS + 1


def test_worker_survives_a_client_that_stops_reading(http):
    response = http.get("/sparql", query_string={"query": "SELECT * WHERE { ?s <urn:bulk:p> ?o }"}, buffered=False)
    next(iter(response.response))
    response.close()
    assert select(http).status_code == 200


# --- the page and the service description -------------------------------------------------------------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browser_gets_the_query_page(http):
    response = http.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert 'id="sparql-query"' in page
    assert "Casualty claims side by side" in page
    assert "https://w3id.org/ckg/ontology#" in page  # the predeclared prefixes are listed


def test_query_page_with_a_query_shows_it_escaped(http):
    response = http.get("/sparql", query_string={"query": "SELECT * { ?s ?p '</textarea><script>alert(1)</script>' }"},
                        headers={"Accept": BROWSER})
    assert response.mimetype == "text/html"
    assert b"<script>alert(1)" not in response.data
    assert b"&lt;script&gt;alert(1)" in response.data


def test_query_page_assets_are_served(http):
    for asset in ("/static/sparql.js", "/static/sparql.css"):
        assert http.get(asset).status_code == 200


SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"])
def test_service_description(http, accept):
    response = http.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    triples = parsed_graph(response)
    endpoint = ox.NamedNode("http://localhost/sparql")
    assert any(p == ox.NamedNode(SD + "endpoint") and o == endpoint for _, p, o in triples)
    assert any(o == ox.NamedNode(SD + "UnionDefaultGraph") for _, _, o in triples)
    assert not any(o == ox.NamedNode(SD + "SPARQL11Update") for _, _, o in triples)  # updates are off


def test_no_query_for_a_results_client_is_400(http):
    response = http.get("/sparql", headers={"Accept": SPARQL_JSON})
    assert response.status_code == 400
    assert "query" in json.loads(response.data)["error"]


# --- CORS -------------------------------------------------------------------------------------------------------------


def test_cors_on_answers(http):
    response = select(http, Origin="https://yasgui.example")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.vary


def test_cors_on_errors(http):
    assert select(http, "SELECT", Origin="https://yasgui.example").headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(http):
    response = http.options(
        "/sparql",
        headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


# --- the worked examples ------------------------------------------------------------------------------------------------


def _examples():
    from server.sparql_examples import EXAMPLES

    return EXAMPLES


@pytest.mark.parametrize("example", _examples(), ids=lambda e: e.title)
def test_every_example_runs(http, example):
    response = http.post("/sparql", data={"query": example.query}, headers={"Accept": f"{SPARQL_JSON}, text/turtle;q=0.9"})
    assert response.status_code == 200, response.data


def test_claims_example_shows_the_disagreement(http):
    from server.sparql_examples import EXAMPLES

    claims = next(e for e in EXAMPLES if e.title.startswith("Casualty claims"))
    rows = json.loads(http.post("/sparql", data={"query": claims.query}).data)["results"]["bindings"]
    assert {(r["sourceName"]["value"], r["killed"]["value"]) for r in rows} == {("Observatory", "27"), ("Ministry", "3")}


@pytest.mark.parametrize("params", [{"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"},
                                    {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "file:///etc/passwd"}],
                         ids=["FROM", "default-graph-uri"])
def test_file_iris_name_graphs_and_read_nothing(http, params):
    response = http.get("/sparql", query_string=params, headers={"Accept": SPARQL_JSON})
    assert response.status_code == 200
    assert json.loads(response.data)["results"]["bindings"] == []


def test_from_in_the_query_picks_the_default_graph(http):
    response = select(http, f"SELECT ?s ?label FROM <{CLAIMS}> WHERE {{ ?s rdfs:label ?label }}")
    assert labels_in(response.data) == {"Observatory", "Ministry"}


def test_from_named_in_the_query_picks_the_named_graphs(http):
    response = select(http, f"SELECT DISTINCT ?g FROM NAMED <{ATTACKS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [b["g"]["value"] for b in json.loads(response.data)["results"]["bindings"]] == [ATTACKS]


def test_protocol_graphs_override_from(http):
    query = f"SELECT ?s ?label FROM <{ATTACKS}> WHERE {{ ?s rdfs:label ?label }}"
    response = http.get("/sparql", query_string={"query": query, "default-graph-uri": CLAIMS})
    assert labels_in(response.data) == {"Observatory", "Ministry"}
