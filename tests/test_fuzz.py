"""Seeded fuzzing, bounded in time (a few seconds each): the SERVICE/LOAD scan against the engine
itself, nesting, entity paths with random percent-encodings, every route with every method.

The scan's oracle is pyoxigraph run here, unsandboxed, against a loopback listener: a spelling the
scan lets through must not make the engine connect. Change ``SEED`` (or set ``KG_FUZZ_SEED``) to
explore further; ``KG_FUZZ_CASES`` scales the number of cases.
"""
from __future__ import annotations

import os
import random
import socket
import threading
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from helpers import build_store, close_app, graphs_from_trig, make_app
from server.sparql_text import MAX_NESTING, forbidden_operation

SEED = int(os.environ.get("KG_FUZZ_SEED", "13"))
SCALE = float(os.environ.get("KG_FUZZ_CASES", "1"))
DATA = Path(__file__).parent / "data" / "sparql-sample.trig"
TOKEN = "fuzz-token"


class Loopback:
    """A loopback HTTP listener answering 500 at once, counting connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.hits = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/x"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            connection.settimeout(1)
            try:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            connection.close()


@pytest.fixture(scope="module")
def loopback():
    listener = Loopback()
    yield listener
    listener.sock.close()


# --- spellings of SERVICE and LOAD ---------------------------------------------------------------------

# Terms the triple before a glued keyword ends with; the store holds a triple ending with each.
GLUE_OBJECTS = ["1", "1.5", "2e3", "true", "false", "07", "1E+2"]
# Things that could make a scanner lose track: quotes in IRIs, collections, escapes, comments, '<'.
NOISE = [
    "VALUES (?v ?w) {{ (1 <http://e.x/it's>) }}",
    "VALUES (?v ?w) {{ (<http://e.x/a> <http://e.x/#>) }}",
    "VALUES (?v ?w) {{ (1 <http://e.x/'''>) }}",
    'BIND("a\\u0022" AS ?q1)',
    "BIND('it\\'s' AS ?q2)",
    "BIND('''x ' '' y''' AS ?q3)",
    "FILTER(?o<?o || true)",
    "FILTER(1<2)",
    "# a comment ' \" < {{\n",
    "BIND(<http://e.x/?a=1#f> AS ?q4)",
    'BIND("\\\\" AS ?q5)',
    "VALUES ?u {{ <http://e.x/\\u0027> }}",
]
GAPS = ["", " ", "\n", "\t", "#c\n", "\r\n", " #'\n"]


def spell(rng: random.Random, word: str) -> str:
    """``word`` in random case, sometimes with a \\u escape (an engine may decode those)."""
    letters = [c.upper() if rng.random() < 0.5 else c.lower() for c in word]
    if rng.random() < 0.2:
        i = rng.randrange(len(letters))
        letters[i] = f"\\u{ord(letters[i]):04X}"
    return "".join(letters)


def service_query(rng: random.Random, url: str) -> str:
    noise = " ".join(rng.choice(NOISE).format() for _ in range(rng.randint(0, 3)))
    gap = rng.choice(GAPS)
    if rng.random() < 0.5:
        before = f"?s ?p {rng.choice(GLUE_OBJECTS)}"  # glued: the number swallows nothing
    else:
        before = f"?s ?p ?o .{gap}"
    silent = rng.choice(["", f" {spell(rng, 'silent')}"])
    return (f"SELECT * WHERE {{ {noise} {before}{spell(rng, 'service')}{silent}{rng.choice(GAPS) or ' '}<{url}> "
            f"{{ ?s ?p ?o }} {rng.choice(['', noise])} }}")


def load_update(rng: random.Random, url: str) -> str:
    head = rng.choice([
        "INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> (1 <http://e.x/it's>) } }",
        "INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> (<http://e.x/a> <http://e.x/#>) } }",
        'INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> "a\\u0022" } }',
        "CLEAR SILENT GRAPH <urn:none>",
        "INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 } }",
    ])
    tail = rng.choice(["", " ; INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> '' } }", " ; # '\nCLEAR SILENT GRAPH <urn:x>"])
    into = rng.choice(["", f" {spell(rng, 'into')} {spell(rng, 'graph')} <urn:g>"])
    return f"{head}{rng.choice(GAPS)};{rng.choice(GAPS)}{spell(rng, 'load')}{rng.choice(['', ' SILENT'])} <{url}>{into}{tail}"


def oracle_store() -> ox.Store:
    store = ox.Store()
    triples = " ".join(f"<urn:s> <urn:p> {term} ." for term in ["<urn:o>", *GLUE_OBJECTS])
    store.update(f"INSERT DATA {{ {triples} }}")
    return store


def reaches_network(loopback: Loopback, text: str, *, update: bool) -> bool:
    """Whether the engine, left alone, connects while running ``text``."""
    before = loopback.hits
    store = oracle_store()
    try:
        if update:
            store.update(text)
        else:
            result = store.query(text)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return loopback.hits > before


@pytest.mark.parametrize("kind", ["query", "update"])
def test_no_spelling_the_scan_lets_through_reaches_the_network(loopback, kind):
    rng = random.Random(f"{SEED}-{kind}")
    make = service_query if kind == "query" else load_update
    refused_live = 0
    for number in range(int(300 * SCALE)):
        text = make(rng, loopback.url)
        if forbidden_operation(text) is None:
            assert not reaches_network(loopback, text, update=kind == "update"), f"the scan let this reach the network:\n{text}"
        elif number % 10 == 0 and reaches_network(loopback, text, update=kind == "update"):
            refused_live += 1  # a refused spelling the engine would really have run
    assert refused_live >= 3 * SCALE, "the corpus no longer holds spellings the engine runs: it tests nothing"


def test_the_control_service_spelling_really_connects(loopback):
    """Without the scan, the glued spelling connects: the oracle above can fail."""
    assert reaches_network(loopback, f"SELECT * WHERE {{ ?s ?p 1.5SERVICE <{loopback.url}> {{ ?s ?p ?o }} }}", update=False)


BENIGN = [
    'SELECT * WHERE {{ ?s ?p "{word} <http://e.x/>" }}',
    "SELECT * WHERE {{ ?s ?p '''\n{word}\n''' }}",
    "SELECT * WHERE {{ ?s <http://e.x/{word}> ?o }}",
    "SELECT * WHERE {{ ?s ?p ?o }} # {word} <http://e.x/>",
    "SELECT ?{word} WHERE {{ ?{word} ?p ?o }}",
    "PREFIX {word}: <http://e.x/> SELECT * WHERE {{ ?s {word}:{word} ?o }}",
    'SELECT * WHERE {{ ?s ?p "x"@{word} }}',
    "SELECT * WHERE {{ VALUES (?a ?b) {{ (<http://e.x/{word}> <http://e.x/down{word}>) }} }}",
    "SELECT * WHERE {{ ?s ?p _:{word} }}",
]


def test_the_words_in_names_strings_and_comments_are_not_refused():
    rng = random.Random(SEED)
    for _ in range(int(200 * SCALE)):
        word = rng.choice(["service", "load", "Service", "LOAD", "selfservice", "download"])
        text = rng.choice(BENIGN).format(word=word)
        assert forbidden_operation(text) is None, text


# --- the real app: nesting, entity paths, every route and method ----------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("fuzz") / "store", sources=(), graphs=graphs_from_trig(DATA))
    app = make_app(store, UPDATE_TOKEN=TOKEN, QUERY_TIMEOUT=5)
    yield app
    close_app(app)


def nested(rng: random.Random, depth: int) -> str:
    """A query ``depth`` brackets deep, mixing groups, parentheses, blank nodes and collections."""
    text = "?o"
    for level in range(depth):
        shape = rng.choice(["group", "paren", "bnode", "list"])
        if shape == "group" or level == depth - 1:
            text = f"{{ ?s ?p {text} }}" if text.startswith("?") else f"{{ {text} }}"
        elif shape == "paren":
            text = f"({text})" if not text.startswith("{") else f"{{ {text} }}"
        elif shape == "bnode" and not text.startswith("{"):
            text = f"[ ?q {text} ]"
        elif not text.startswith("{"):
            text = f"( {text} )"
        else:
            text = f"{{ {text} }}"
    return "SELECT * WHERE " + (text if text.startswith("{") else f"{{ ?s ?p {text} }}")


def test_nesting_at_any_depth_answers_and_never_crashes(app):
    rng = random.Random(SEED)
    client = app.test_client()
    for _ in range(int(40 * SCALE)):
        depth = rng.choice([rng.randint(1, 40), rng.randint(MAX_NESTING - 3, MAX_NESTING + 3), rng.randint(100, 20000)])
        text = nested(rng, depth)
        method = rng.choice(["query", "update"])
        if method == "query":
            response = client.get("/sparql", query_string={"query": text}, headers={"Accept": "application/json"})
        else:
            body = text.replace("SELECT * WHERE", "INSERT { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } } WHERE", 1)
            response = client.post("/update", data=body, content_type="application/sparql-update",
                                   headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code in (200, 204, 400, 413), (response.status_code, response.data[:300])
        if response.status_code >= 400:
            assert b"Traceback" not in response.data and b"internal error" not in response.data
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_entity_paths_with_random_percent_encodings(app):
    rng = random.Random(SEED)
    client = app.test_client()
    kinds = ["attack", "actor", "place", "claim", "article", "graph", "nope"]
    for _ in range(int(150 * SCALE)):
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        slug = quote(raw, safe="") if rng.random() < 0.7 else "".join(rng.choice(["%", "%Z", "%F", "a", "%0", ".", "-"]) for _ in range(5))
        suffix = rng.choice(["", ".ttl", ".jsonld", ".nt", ".rdf", ".trig"])
        accept = rng.choice(["text/html", "text/turtle", "application/ld+json", "*/*", "image/png"])
        response = client.get(f"/id/{rng.choice(kinds)}/{slug}{suffix}", headers={"Accept": accept})
        assert response.status_code in (200, 400, 404, 406), (slug, response.status_code, response.data[:300])


def concrete_paths(app) -> list[str]:
    """Every route, its variables filled in."""
    fill = {"kind": "place", "name": "market", "suffix": "ttl"}
    paths = ["/attacks", "/actors", "/places", "/claims", "/articles", "/export.nq", "/export.jsonld",
             "/id/attack/market-strike", "/id/attack/market-strike.ttl", "/id/graph/none", "/search"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            paths.append("/static/none.css")
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", fill.get(argument, "x"))
            for converter in ("path", "any(attacks, actors, places, claims, articles)"):
                path = path.replace(f"<{converter}:{argument}>", "attacks" if converter.startswith("any") else fill.get(argument, "x"))
        paths.append(path)
    return sorted(set(paths))


def test_every_route_with_every_method_and_odd_requests(app):
    rng = random.Random(SEED)
    client = app.test_client()
    odd_params = [{}, {"query": "ASK {}"}, {"q": "%FF\x00'\"<>"}, {"page": "-1"}, {"page": "9" * 30}, {"sort": "<x>"},
                  {"format": "nope"}, {"query": "SELECT * { SERVICE <http://127.0.0.1:1/> {} }"}, {"update": "CLEAR ALL"}]
    odd_headers = [{}, {"Accept": "text/html"}, {"Accept": "*/*;q=x, \x7f"}, {"Accept": "application/sparql-results+json"},
                   {"Content-Type": "application/sparql-query"}, {"Authorization": "Bearer \x00"}]
    for path in concrete_paths(app):
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            for _ in range(max(1, int(2 * SCALE))):
                response = client.open(path, method=method, query_string=rng.choice(odd_params),
                                       headers=rng.choice(odd_headers), data=rng.choice([b"", b"ASK {}", bytes(range(256))]))
                body = response.get_data()
                assert response.status_code < 500, (method, path, response.status_code, body[:300])
                assert b"Traceback" not in body
                response.close()
