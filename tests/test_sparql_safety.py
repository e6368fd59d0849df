"""Safe by default: no network from queries, a time limit that really stops work, guarded atomic updates."""
from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest

from helpers import build_store, close_app, graphs_from_trig, make_app
from server.errors import HTTPError

DATA = Path(__file__).parent / "data" / "sparql-sample.trig"
SPARQL_JSON = "application/sparql-results+json"
TOKEN = "s3cret-token"


# --- SERVICE makes no connection ---------------------------------------------------------------------------


@contextmanager
def listener():
    """A loopback socket that records whether anything connected to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    try:
        yield sock
    finally:
        sock.close()


def was_contacted(sock: socket.socket, wait: float = 0.0) -> bool:
    sock.settimeout(wait) if wait else sock.setblocking(False)
    try:
        connection, _ = sock.accept()
    except (BlockingIOError, socket.timeout):
        return False
    connection.close()
    return True


def service_query(sock: socket.socket) -> str:
    host, port = sock.getsockname()
    return f"SELECT * WHERE {{ SERVICE <http://{host}:{port}/sparql> {{ ?s ?p ?o }} }}"


def test_listener_notices_pyoxigraph_service_calls():
    """The control: left alone, pyoxigraph really connects, so the tests below could fail."""
    with listener() as sock:
        thread = threading.Thread(target=lambda: _swallow(lambda: list(ox.Store().query(service_query(sock)))), daemon=True)
        thread.start()
        assert was_contacted(sock, wait=10)


def _swallow(call):
    try:
        call()
    except Exception:  # noqa: BLE001 - the control only cares about the connection
        pass


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("safety") / "store", graphs=graphs_from_trig(DATA))


@pytest.fixture
def sample_app(sample_store):
    app = make_app(sample_store)
    yield app
    close_app(app)


def test_service_query_is_refused_without_any_connection(sample_app):
    with listener() as sock:
        response = sample_app.test_client().get("/sparql", query_string={"query": service_query(sock)},
                                                headers={"Accept": SPARQL_JSON})
        assert response.status_code == 400
        assert "SERVICE" in json.loads(response.data)["error"]
        assert not was_contacted(sock, wait=0.5)


@pytest.mark.skipif(not psutil.LINUX, reason="the worker's network sandbox is a Linux seccomp filter")
def test_worker_cannot_connect_even_if_the_check_is_bypassed(sample_app):
    """The query goes straight to a worker, past the endpoint's SERVICE check: the sandbox stops it."""
    from server.query_runner import Budget, QueryRequest
    from server.sparql import get_pool

    with sample_app.app_context(), listener() as sock:
        pool = get_pool()
        with pytest.raises(HTTPError) as raised:
            pool.execute(QueryRequest(service_query(sock), results_format=SPARQL_JSON, rdf_format=None))
        assert raised.value.status == 400 and "network connection" in str(raised.value)
        assert not was_contacted(sock, wait=0.5)
        for worker in pool._idle:  # the one that ran the query and its fresh replacement
            worker.wait_ready(Budget(30))
        assert [worker.sandboxed for worker in pool._idle] == [True] * sample_app.config["QUERY_WORKERS"]


# --- the time limit ---------------------------------------------------------------------------------------------

RUNAWAY_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:bulk:p> ?b . ?c <urn:bulk:p> ?d . ?e <urn:bulk:p> ?f }"
RUNAWAY_STREAM = "SELECT * WHERE { ?a <urn:bulk:p> ?b . ?c <urn:bulk:p> ?d . ?e <urn:bulk:p> ?f }"
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def bulk_store(tmp_path_factory) -> Path:
    rows = "".join(f'<urn:bulk:s{i}> <urn:bulk:p> "{i}" .\n' for i in range(3000)).encode()
    return build_store(tmp_path_factory.mktemp("bulk") / "store", sources=(), graphs={"urn:test:bulk": rows})


@pytest.fixture
def limited_app(bulk_store):
    app = make_app(bulk_store, QUERY_TIMEOUT=TIMEOUT, QUERY_STREAM_TIMEOUT=2 * TIMEOUT, QUERY_WORKERS=2)
    yield app
    close_app(app)


def worker_pids(app) -> set[int]:
    from server.sparql import get_pool

    with app.app_context():
        return {worker.process.pid for worker in get_pool()._idle}


def test_runaway_query_is_stopped_while_a_small_query_answers(limited_app):
    started = worker_pids(limited_app)
    outcome = {}

    def run_runaway():
        outcome["response"] = limited_app.test_client().get("/sparql", query_string={"query": RUNAWAY_COUNT},
                                                            headers={"Accept": SPARQL_JSON})

    runaway = threading.Thread(target=run_runaway)
    runaway.start()
    runaway.join(0.5)  # let it get going
    small = limited_app.test_client().get("/sparql", query_string={"query": "ASK { <urn:bulk:s7> ?p ?o }"})
    runaway_was_running = runaway.is_alive()
    runaway.join(TIMEOUT + 20)  # generous: a loaded CI machine

    assert small.status_code == 200 and b"true" in small.data
    assert runaway_was_running
    response = outcome["response"]
    assert response.status_code == 503
    assert "time limit" in json.loads(response.data)["error"]
    assert any(not psutil.pid_exists(pid) for pid in started), "the runaway's worker was killed"
    assert limited_app.test_client().get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_runaway_stream_is_cut_at_the_limit(limited_app):
    response = limited_app.test_client().get("/sparql", query_string={"query": RUNAWAY_STREAM},
                                             headers={"Accept": "text/tab-separated-values"}, buffered=False)
    assert response.status_code == 200  # it started streaming at once
    received = 0
    with pytest.raises(RuntimeError, match="cut short"):
        for chunk in response.response:
            received += len(chunk)
    assert received > 0
    assert limited_app.test_client().get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


# --- updates ------------------------------------------------------------------------------------------------------

INSERT = 'INSERT DATA { GRAPH <urn:test:new> { <http://localhost:5000/id/actor/new> rdfs:label "Newcomer" } }'
ASK_NEW = 'ASK { <http://localhost:5000/id/actor/new> rdfs:label "Newcomer" }'


@pytest.fixture
def update_app(tmp_path):
    app = make_app(build_store(tmp_path / "store", graphs=graphs_from_trig(DATA)), UPDATE_TOKEN=TOKEN)
    yield app
    close_app(app)


def asks(app, query: str) -> bool:
    response = app.test_client().get("/sparql", query_string={"query": query}, headers={"Accept": SPARQL_JSON})
    return json.loads(response.data)["boolean"]


def bearer(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_updates_are_off_without_a_token(sample_app):
    response = sample_app.test_client().post("/update", data=INSERT, content_type="application/sparql-update",
                                             headers=bearer())
    assert response.status_code == 403
    assert b"--update-token" in response.data
    assert not asks(sample_app, ASK_NEW)


def test_update_without_credentials_is_401(update_app):
    response = update_app.test_client().post("/update", data=INSERT, content_type="application/sparql-update")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not asks(update_app, ASK_NEW)


def test_update_with_a_wrong_token_is_403(update_app):
    response = update_app.test_client().post("/update", data=INSERT, content_type="application/sparql-update",
                                             headers=bearer("guess"))
    assert response.status_code == 403
    assert not asks(update_app, ASK_NEW)


def test_update_with_the_token_is_visible_to_the_next_query(update_app):
    assert not asks(update_app, ASK_NEW)  # the workers now read the old snapshot
    response = update_app.test_client().post("/update", data=INSERT, content_type="application/sparql-update",
                                             headers=bearer())
    assert response.status_code == 204
    assert asks(update_app, ASK_NEW)


def test_update_as_a_form_to_sparql(update_app):
    response = update_app.test_client().post("/sparql", data={"update": INSERT}, headers=bearer())
    assert response.status_code == 204
    assert asks(update_app, ASK_NEW)


def test_update_posted_to_sparql_as_sparql_update(update_app):
    response = update_app.test_client().post("/sparql", data=INSERT, content_type="application/sparql-update",
                                             headers=bearer())
    assert response.status_code == 204


def test_update_is_atomic(update_app):
    both = INSERT + " ; DROP GRAPH <urn:test:no-such-graph>"  # the second operation fails
    response = update_app.test_client().post("/update", data=both, content_type="application/sparql-update",
                                             headers=bearer())
    assert response.status_code == 400
    assert not asks(update_app, ASK_NEW)


def test_update_syntax_error_points_at_the_clients_line(update_app):
    response = update_app.test_client().post("/update", data="INSERT DATA {\n  <urn:a> <urn:b> }",
                                             content_type="application/sparql-update", headers=bearer())
    assert response.status_code == 400
    assert b"error at 2:" in response.data


@pytest.mark.parametrize("update", ["LOAD <file:///etc/passwd>", "LOAD <http://127.0.0.1:1/data.ttl> INTO GRAPH <urn:g>",
                                    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"])
def test_update_cannot_fetch_anything(update_app, update):
    response = update_app.test_client().post("/update", data=update, content_type="application/sparql-update",
                                             headers=bearer())
    assert response.status_code == 400


def test_query_sent_to_update_is_400(update_app):
    response = update_app.test_client().post("/update", data={"query": "ASK {}"}, headers=bearer())
    assert response.status_code == 400


def test_service_description_lists_update_when_enabled(update_app):
    response = update_app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    assert b"SPARQL11Update" in response.data


def test_query_needing_too_much_memory_is_stopped(bulk_store):
    app = make_app(bulk_store, QUERY_TIMEOUT=60, QUERY_WORKERS=1, QUERY_MEMORY_MB=400)
    try:
        hog = ("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?a <urn:bulk:p> ?b . ?c <urn:bulk:p> ?d "
               "BIND(CONCAT(?b, '-', ?d, '-padding-padding-padding-padding-padding') AS ?x) }")
        response = app.test_client().get("/sparql", query_string={"query": hog}, headers={"Accept": SPARQL_JSON})
        assert response.status_code == 503
        assert "memory" in json.loads(response.data)["error"]
        assert app.test_client().get("/sparql", query_string={"query": "ASK { <urn:bulk:s1> ?p ?o }"}).status_code == 200
    finally:
        close_app(app)


def test_update_while_an_answer_streams(tmp_path):
    """The streaming answer stays whole and consistent (its snapshot), later queries see the update,
    and the old snapshot goes once its last reader is done."""
    rows = "".join(f'<urn:bulk:s{i}> <urn:bulk:p> "{i}" .\n' for i in range(3000)).encode()
    app = make_app(build_store(tmp_path / "store", sources=(), graphs={"urn:test:bulk": rows}), UPDATE_TOKEN=TOKEN)
    try:
        client = app.test_client()
        streaming = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s <urn:bulk:p> ?o }"},
                               headers={"Accept": "text/tab-separated-values"}, buffered=False)
        chunks = iter(streaming.response)
        first = next(chunks)
        added = client.post("/update", data='INSERT DATA { GRAPH <urn:test:bulk> { <urn:bulk:new> <urn:bulk:p> "new" } }',
                            content_type="application/sparql-update", headers=bearer())
        assert added.status_code == 204
        answer = first + b"".join(chunks)
        streaming.close()
        assert answer.count(b"\n") == 1 + 3000 and b"urn:bulk:new" not in answer
        assert asks(app, "ASK { <urn:bulk:new> <urn:bulk:p> ?o }")
        assert [path.name for path in tmp_path.glob(".store-snapshots-*/*")] == ["2"]
    finally:
        close_app(app)
    assert not list(tmp_path.glob(".store-snapshots-*"))
