"""The fast path of /sparql (server/fast.py): taken for plain query requests, answering exactly as
the Flask view does, and handing everything else (and every error) to the view."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import build_store, close_app, graphs_from_trig, make_app

DATA = Path(__file__).parent / "data" / "sparql-sample.trig"
LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label"
DESCRIBE = "DESCRIBE <http://localhost:5000/id/attack/market-strike>"
JSON_TYPE = "application/sparql-results+json"


@pytest.fixture(scope="module")
def fast_app(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("fast") / "store", sources=(), graphs=graphs_from_trig(DATA))
    app = make_app(store)
    from server.sparql import get_pool

    with app.app_context():
        get_pool()  # as kg serve does at start: the fast path needs the warm pool
    yield app
    close_app(app)


@pytest.fixture
def flask_calls(fast_app, monkeypatch):
    """The requests that reached Flask's own WSGI app (the fast path declined them)."""
    middleware = fast_app.wsgi_app
    calls = []
    real = middleware.flask_wsgi

    def counted(environ, start_response):
        calls.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        return real(environ, start_response)

    monkeypatch.setattr(middleware, "flask_wsgi", counted)
    return calls


def headers_of(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name not in ("Date", "Server")}


def test_a_plain_query_skips_flask_and_answers_as_the_view_does(fast_app, flask_calls):
    client = fast_app.test_client()
    fast = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": JSON_TYPE})
    assert flask_calls == []
    # format=json makes the fast path decline: the Flask view answers the same query
    slow = client.get("/sparql", query_string={"query": LABELS, "format": "json"}, headers={"Accept": JSON_TYPE})
    assert len(flask_calls) == 1
    assert fast.status_code == slow.status_code == 200
    assert fast.get_data() == slow.get_data()
    assert headers_of(fast) == headers_of(slow)
    assert fast.headers["Access-Control-Allow-Origin"] == "*" and fast.headers["Vary"] == "Accept"
    assert fast.headers["X-Content-Type-Options"] == "nosniff"
    assert int(fast.headers["Content-Length"]) == len(fast.get_data())
    assert {b["label"]["value"] for b in json.loads(fast.get_data())["results"]["bindings"]}


def test_a_posted_query_and_a_graph_take_the_fast_path(fast_app, flask_calls):
    client = fast_app.test_client()
    posted = client.post("/sparql", data=LABELS, content_type="application/sparql-query", headers={"Accept": JSON_TYPE})
    described = client.get("/sparql", query_string={"query": DESCRIBE}, headers={"Accept": "application/n-triples"})
    assert flask_calls == []
    assert posted.status_code == 200 and json.loads(posted.get_data())["results"]["bindings"]
    assert described.status_code == 200 and described.mimetype == "application/n-triples"
    assert b"market-strike" in described.get_data()


def test_an_engine_error_is_worded_by_the_view(fast_app, flask_calls):
    client = fast_app.test_client()
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x nope:p ?y }"}, headers={"Accept": JSON_TYPE})
    assert response.status_code == 400
    body = json.loads(response.get_data())
    assert body["status"] == 400 and "unknown prefix nope:" in body["error"]  # the view's explanation, as JSON


@pytest.mark.parametrize("query", ["SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }",
                                   "SELECT * WHERE " + "{" * 70 + " ?s ?p ?o " + "}" * 70])
def test_refused_queries_are_refused_by_the_view_without_reaching_a_worker(fast_app, flask_calls, query):
    response = fast_app.test_client().get("/sparql", query_string={"query": query}, headers={"Accept": JSON_TYPE})
    assert response.status_code == 400
    assert len(flask_calls) == 1


def test_a_declined_post_is_still_readable_by_the_view(fast_app, flask_calls):
    """A browser POSTing a query gets the query page with its text: the body was read twice."""
    response = fast_app.test_client().post("/sparql", data=LABELS, content_type="application/sparql-query",
                                           headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "rdfs:label ?label" in response.get_data(as_text=True)
    assert len(flask_calls) == 1


def test_a_body_that_is_not_utf8_gets_the_views_400(fast_app):
    response = fast_app.test_client().post("/sparql", data=b"SELECT \xff", content_type="application/sparql-query")
    assert response.status_code == 400
    assert "not UTF-8 (byte 7)" in response.get_data(as_text=True)
