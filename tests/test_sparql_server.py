"""`kg serve` as a real process on a loopback port, used by real SPARQL clients."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from helpers import REPO, build_store, chromium, free_port, graphs_from_trig, headless_chromium, oxigraph_cli
from test_sparql_safety import listener, service_query, was_contacted

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "sparql-sample.trig"
ATTACK = "http://localhost:5000/id/attack/market-strike"
TIMEOUT = 3.0


def start_server(store: Path, *options: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "conflict_kg", "serve", "--store", str(store), "--port", str(port), *options],
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited: {process.stderr.read()}")
        try:
            urllib.request.urlopen(f"{url}/sparql?{urlencode({'query': 'ASK {}'})}", timeout=5).read()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("kg serve did not answer within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    rows = "".join(f'<urn:bulk:s{i}> <urn:bulk:p> "{i}" .\n' for i in range(3000)).encode()
    graphs = graphs_from_trig(DATA) | {"urn:test:bulk": rows}
    store = build_store(tmp_path_factory.mktemp("served") / "store", sources=(), graphs=graphs)
    process, url = start_server(store, "--query-timeout", str(TIMEOUT))
    yield url, store
    stop_server(process)


def test_sparqlwrapper_get_json(server):
    from SPARQLWrapper import GET, JSON, SPARQLWrapper

    client = SPARQLWrapper(server[0] + "/sparql")
    client.setMethod(GET)
    client.setReturnFormat(JSON)
    client.setQuery("SELECT ?label WHERE { ?a a ckg:Airstrike ; rdfs:label ?label }")
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert [b["label"]["value"] for b in bindings] == ["Airstrike on the market"]


def test_sparqlwrapper_post_xml(server):
    from SPARQLWrapper import POST, XML, SPARQLWrapper

    client = SPARQLWrapper(server[0] + "/sparql")
    client.setMethod(POST)
    client.setReturnFormat(XML)
    client.setQuery("SELECT ?place WHERE { ?place ckg:locatedIn ?city }")
    document = client.queryAndConvert()
    values = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert values == ["http://localhost:5000/id/place/market"]


def test_sparqlwrapper_construct_turtle(server):
    from SPARQLWrapper import POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(server[0] + "/sparql")
    client.setMethod(POST)
    client.setReturnFormat(TURTLE)
    client.setQuery(f"CONSTRUCT {{ <{ATTACK}> ?p ?o }} WHERE {{ <{ATTACK}> ?p ?o }}")
    from rdflib import Graph

    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(graph) == 7


def test_rdflib_sparqlstore(server):
    from rdflib import Graph, Literal, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(server[0] + "/sparql"))
    rows = list(graph.query(f"SELECT ?killed WHERE {{ ?claim <https://w3id.org/ckg/ontology#about> <{ATTACK}> ; "
                            "<https://w3id.org/ckg/ontology#killed> ?killed }"))
    assert sorted(int(row.killed) for row in rows) == [3, 27]
    assert (URIRef(ATTACK), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Airstrike on the market")) in graph


def get(url: str, query: str, accept: str = "application/sparql-results+json"):
    request = urllib.request.Request(f"{url}/sparql?{urlencode({'query': query})}", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT + 60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_service_over_http_makes_no_connection(server):
    with listener() as sock:
        status, body = get(server[0], service_query(sock))
        assert status == 400
        assert "SERVICE" in json.loads(body)["error"]
        assert not was_contacted(sock, wait=0.5)


def test_runaway_query_stopped_while_a_small_one_answers(server):
    url = server[0]
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:bulk:p> ?b . ?c <urn:bulk:p> ?d . ?e <urn:bulk:p> ?f }"
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(result=get(url, runaway)))
    thread.start()
    thread.join(0.5)
    small = get(url, "ASK { <urn:bulk:s1> ?p ?o }")
    still_running = thread.is_alive()
    thread.join(TIMEOUT + 60)
    assert small[0] == 200 and json.loads(small[1])["boolean"] is True
    assert still_running
    status, body = outcome["result"]
    assert status == 503
    assert "time limit" in json.loads(body)["error"]


def test_a_second_server_on_the_same_store_is_refused(server):
    port = free_port()
    completed = subprocess.run(
        [sys.executable, "-m", "conflict_kg", "serve", "--store", str(server[1]), "--port", str(port)],
        env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode != 0
    assert "open in another process" in completed.stderr


def test_stopping_the_server_removes_workers_and_snapshots(tmp_path):
    import psutil

    store = build_store(tmp_path / "store", graphs=graphs_from_trig(DATA))
    process, url = start_server(store)
    workers = psutil.Process(process.pid).children(recursive=True)
    assert workers, "the first query started the query workers"
    assert list(tmp_path.glob(".store-snapshots-*"))
    stop_server(process)
    assert process.returncode == 0
    psutil.wait_procs(workers, timeout=10)
    assert not any(worker.is_running() for worker in workers)
    assert not list(tmp_path.glob(".store-snapshots-*"))


@pytest.mark.skipif(chromium() is None, reason="needs chromium and chromedriver on PATH (Debian: chromium, chromium-driver)")
def test_query_page_in_a_browser(server, tmp_path):
    """Load an example, run it, and follow the results table's links into the linked-data pages."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = headless_chromium("--window-size=1300,1000")
    try:
        browser.get(server[0] + "/sparql")
        highlighted = browser.find_elements(By.CSS_SELECTOR, "#sparql-highlight .sq-k")
        assert "SELECT" in [span.text for span in highlighted]
        claims = next(b for b in browser.find_elements(By.CSS_SELECTOR, ".sparql-example") if "Casualty" in b.text)
        claims.click()
        browser.find_element(By.ID, "sparql-run").click()
        WebDriverWait(browser, 30).until(lambda b: "rows" in b.find_element(By.ID, "sparql-status").text)
        assert browser.find_element(By.ID, "sparql-status").text.startswith("2 rows")
        links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#sparql-results td a")]
        assert server[0] + "/id/attack/market-strike" in links
        browser.save_screenshot(str(tmp_path / "query-page.png"))
    finally:
        browser.quit()


def test_endpoint_over_a_remote_store(tmp_path):
    """`kg serve --store http://…` answers from another SPARQL server (here Oxigraph's own)."""
    oxigraph = oxigraph_cli()
    if oxigraph is None:
        pytest.skip("needs the oxigraph server (PyPI package oxigraph)")
    store = build_store(tmp_path / "store", sources=(), graphs=graphs_from_trig(DATA))
    port = free_port()
    backend = subprocess.Popen([str(oxigraph), "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}",
                               ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process, url = start_server(f"http://127.0.0.1:{port}/")
        try:
            status, body = get(url, "SELECT ?label WHERE { ?a a ckg:ArmedClash ; rdfs:label ?label }", "text/csv")
            assert (status, body.decode().splitlines()) == (200, ["label", "Clash at the checkpoint"])
            status, body = get(url, f"CONSTRUCT {{ <{ATTACK}> ?p ?o }} WHERE {{ <{ATTACK}> ?p ?o }}", "application/n-triples")
            assert status == 200 and body.count(b"\n") == 7
            with listener() as sock:
                assert get(url, service_query(sock))[0] == 400
                assert not was_contacted(sock, wait=0.5)
        finally:
            stop_server(process)
    finally:
        backend.terminate()
        backend.wait(10)


def test_waitress_still_serves_when_asked(tmp_path):
    """`--http-server waitress` (the pure-Python server) answers queries and stops cleanly too."""
    store = build_store(tmp_path / "store", sources=(), graphs=graphs_from_trig(DATA))
    process, url = start_server(store, "--http-server", "waitress")
    try:
        with urllib.request.urlopen(f"{url}/sparql?{urlencode({'query': f'ASK {{ <{ATTACK}> ?p ?o }}'})}", timeout=10) as response:
            assert json.loads(response.read())["boolean"] is True
            assert response.headers["Server"].startswith("kg")  # waitress's ident, not granian's
    finally:
        stop_server(process)
    assert process.returncode == 0


def test_a_second_server_on_a_taken_port_is_refused(server, tmp_path):
    """granian binds with SO_REUSEPORT; kg serve checks first, so two servers never share a port."""
    store = build_store(tmp_path / "store", sources=(), graphs=graphs_from_trig(DATA))
    port = int(server[0].rsplit(":", 1)[1])
    completed = subprocess.run(
        [sys.executable, "-m", "conflict_kg", "serve", "--store", str(store), "--port", str(port)],
        env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in completed.stderr
    assert not list(tmp_path.glob(".store-snapshots-*"))  # refused before anything started
