"""Issue 13: no request reaches the network, crashes the server or outlasts the time limit; bad entity
paths answer 4xx. Real app, real store, real worker and writer processes; loopback listeners only."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psutil
import pytest

from helpers import build_store, close_app, graphs_from_trig, make_app
from test_sparql_safety import listener, was_contacted

DATA = Path(__file__).parent / "data" / "sparql-sample.trig"
SPARQL_JSON = "application/sparql-results+json"
TOKEN = "s3cret-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:bulk:p> ?b . ?c <urn:bulk:p> ?d . ?e <urn:bulk:p> ?f }"
LIMIT = 2.0
linux_only = pytest.mark.skipif(not psutil.LINUX, reason="the network sandbox is a Linux seccomp filter")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    rows = "".join(f'<urn:bulk:s{i}> <urn:bulk:p> "{i}" .\n' for i in range(3000)).encode()
    graphs = {**graphs_from_trig(DATA), "urn:test:bulk": rows}
    return build_store(tmp_path_factory.mktemp("security") / "store", sources=(), graphs=graphs)


@pytest.fixture
def app(store, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    app = make_app(copy, UPDATE_TOKEN=TOKEN, QUERY_TIMEOUT=LIMIT, QUERY_WORKERS=2)
    yield app
    close_app(app)


def post_update(app, text: str):
    return app.test_client().post("/update", data=text, content_type="application/sparql-update", headers=BEARER)


def query(app, text: str):
    return app.test_client().get("/sparql", query_string={"query": text}, headers={"Accept": SPARQL_JSON})


def asks(app, text: str) -> bool:
    return json.loads(query(app, text).data)["boolean"]


def in_background(call, count: int = 1) -> list[threading.Thread]:
    threads = [threading.Thread(target=call, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


# --- 1. nothing reaches the network ---------------------------------------------------------------------


def hidden_load(port: int) -> str:
    """A LOAD hidden behind an IRI holding a quote inside a collection (the scan of old read a string)."""
    return (f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> <urn:p> (1 <http://e.x/it's>) }} }} ; "
            f"LOAD <http://127.0.0.1:{port}/data.nt> ; INSERT DATA {{ GRAPH <urn:g> {{ <urn:s> <urn:p> '' }} }}")


def test_an_update_with_a_hidden_load_is_refused_without_a_connection(app):
    with listener() as sock:
        response = post_update(app, hidden_load(sock.getsockname()[1]))
        assert response.status_code == 400 and b"LOAD" in response.data
        assert not was_contacted(sock, wait=0.5)


@pytest.mark.parametrize("spelling", ["1SERVICE", "1.5SERVICE", "1e5SERVICE", "trueSERVICE"])
def test_a_number_or_boolean_glued_to_service_is_refused(app, spelling):
    with listener() as sock:
        host, port = sock.getsockname()
        text = f"SELECT * {{ ?s ?p {spelling} <http://{host}:{port}/> {{ }} }}"
        response = query(app, text)
        assert response.status_code == 400 and b"SERVICE" in response.data
        assert not was_contacted(sock, wait=0.5)


@linux_only
@pytest.mark.parametrize("operation", ["LOAD <http://127.0.0.1:{port}/data.nt> INTO GRAPH <urn:g>",
                                       "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }"])
def test_an_update_that_slips_past_the_scan_still_cannot_connect(app, monkeypatch, operation):
    """The scan switched off: the update runs in the writer process, whose sandbox refuses the socket."""
    monkeypatch.setattr("server.sparql.forbidden_operation", lambda text: None)
    with listener() as sock:
        response = post_update(app, operation.replace("{port}", str(sock.getsockname()[1])))
        assert not was_contacted(sock, wait=0.5)
    assert response.status_code == 400
    assert b"network" in response.data
    assert post_update(app, 'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "after" } }').status_code == 204


def test_the_server_process_never_opens_the_store_for_writing(app):
    from server import db

    with app.app_context():
        store = db.get_store()
        writer = store._writer._process
        assert writer.process.pid != psutil.Process().pid
        if psutil.LINUX:
            assert writer.sandboxed
    assert post_update(app, 'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "c" } }').status_code == 204
    assert asks(app, 'ASK { <urn:a> <urn:b> "c" }')


# --- 2. nesting cannot crash anything -----------------------------------------------------------------


def nested_groups(depth: int) -> str:
    return "{ " * depth + "?s ?p ?o" + " }" * depth


@pytest.mark.parametrize("send", ["query", "update"])
def test_deep_nesting_is_refused_before_parsing(app, send):
    if send == "query":
        response = query(app, "SELECT * WHERE " + nested_groups(5000))
    else:
        response = post_update(app, "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE " + nested_groups(5000))
    assert response.status_code == 400
    assert b"nests 5000 brackets deep" in response.data
    assert asks(app, "ASK {}") is True  # the server and its workers are still there


def test_a_crashing_update_costs_one_request_not_the_server(app, monkeypatch):
    """With the bound switched off, the engine overflows its stack: the writer dies, not the server."""
    monkeypatch.setattr("server.sparql.too_deep", lambda text: None)
    response = post_update(app, "INSERT { GRAPH <urn:g> { ?s ?p ?o } } WHERE " + "{" * 20000 + "?s ?p ?o" + "}" * 20000)
    assert response.status_code == 500
    assert b"nothing changed" in response.data
    assert post_update(app, 'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "later" } }').status_code == 204
    assert asks(app, 'ASK { <urn:a> <urn:b> "later" }')


# --- 3 and 7. pages and waits obey the time limit -------------------------------------------------------


def held_stream(app):
    """A big answer whose client read one chunk and stopped: it holds its worker."""
    response = app.test_client().get("/sparql", query_string={"query": RUNAWAY.replace("(COUNT(*) AS ?n)", "*")},
                                     headers={"Accept": "text/tab-separated-values"}, buffered=False)
    assert response.status_code == 200
    next(iter(response.response))
    return response


def test_an_index_page_answers_503_at_the_limit_when_no_worker_frees_up(app):
    held = [held_stream(app), held_stream(app)]  # both workers are busy for as long as their clients wait
    start = time.monotonic()
    response = app.test_client().get("/attacks", headers={"Accept": "text/html"})  # its scans run in the workers
    took = time.monotonic() - start
    assert response.status_code == 503
    assert b"time limit" in response.data
    assert LIMIT - 0.2 < took < LIMIT + 1.0
    # an entity page counts its incoming links in a worker too (a count grows with the store): it waits as well
    assert app.test_client().get("/id/attack/market-strike", headers={"Accept": "text/html"}).status_code == 503
    for response in held:
        response.close()
    assert app.test_client().get("/attacks", headers={"Accept": "text/html"}).status_code == 200


def test_an_entity_page_stops_at_the_limit_between_its_queries(app, monkeypatch):
    from server import db

    real = db.whole

    def slow(result):  # reading each answer of the page takes a fifth of the limit
        time.sleep(LIMIT / 5)
        return real(result)

    monkeypatch.setattr(db, "whole", slow)
    start = time.monotonic()
    response = app.test_client().get("/id/attack/market-strike", headers={"Accept": "text/html"})
    took = time.monotonic() - start
    assert response.status_code == 503
    assert b"time limit" in response.data
    assert LIMIT - 0.2 < took < LIMIT + LIMIT / 5 + 1.0  # one query may start just before the limit
    monkeypatch.setattr(db, "whole", real)
    assert app.test_client().get("/id/attack/market-strike", headers={"Accept": "text/html"}).status_code == 200


def test_waiting_for_a_worker_counts_toward_the_limit(store, tmp_path):
    app = make_app(store, QUERY_TIMEOUT=LIMIT, QUERY_WORKERS=1)
    try:
        assert asks(app, "ASK {}")  # the worker is warm
        first = in_background(lambda: query(app, RUNAWAY))
        time.sleep(0.5)
        start = time.monotonic()
        response = query(app, RUNAWAY)  # waits for the worker, then would run for a whole limit more
        took = time.monotonic() - start
        assert response.status_code == 503
        assert took < LIMIT + 0.8, took
        first[0].join(timeout=10)
    finally:
        close_app(app)


def test_entity_pages_still_answer_quickly(app):
    client = app.test_client()
    client.get("/id/attack/market-strike", headers={"Accept": "text/html"})  # warm
    start = time.monotonic()
    for _ in range(5):
        assert client.get("/id/attack/market-strike", headers={"Accept": "text/html"}).status_code == 200
    assert (time.monotonic() - start) / 5 < 0.5


# --- 5. entity paths that are not IRIs ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/id/place/%ZZ", "/id/place/%FF", "/id/place/%FF.ttl", "/id/graph/%FF",
                                  "/id/place/%C3%28", "/id/%FF/x", "/id/place/a%00b"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_an_entity_path_that_is_not_an_iri_is_404(app, path, accept):
    response = app.test_client().get(path, headers={"Accept": accept})
    assert response.status_code == 404
    assert b"Traceback" not in response.data


# --- 8. HEAD and nosniff -------------------------------------------------------------------------------


def test_head_sparql_answers_like_get_without_a_body(app):
    client = app.test_client()
    got = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": SPARQL_JSON})
    head = client.head("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": SPARQL_JSON})
    assert head.status_code == got.status_code == 200
    assert head.headers["Content-Type"] == got.headers["Content-Type"] and head.data == b""
    assert client.head("/sparql", headers={"Accept": "text/turtle"}).status_code == 200  # the service description


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/sparql", "/export.nt", "/export.trig", "/update"])
def test_endpoint_and_exports_say_nosniff(app, path):
    response = app.test_client().get(path, headers={"Accept": "text/turtle"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
