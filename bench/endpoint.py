"""Endpoint benchmark: `kg serve` against Oxigraph's own Rust server on the same store and queries.

    PYTHONPATH=. .venv/bin/python bench/endpoint.py [--attacks 20000] [--requests 200] [--seconds 3]

Builds a store from ``seeds/`` plus synthetic articles shaped like the extractor's output (attacks
with perpetrators, targets, places inside countries, dates, casualty claims by several sources,
evidence mentions), serves it with ``kg serve`` and with ``oxigraph serve-read-only`` (on a copy), and runs the same mix
on both:

- point lookup: one attack's label;
- entity description: ``DESCRIBE`` one attack (N-Triples);
- join: attacks in one country with their perpetrators' and places' names;
- aggregate: actors ranked by number of attacks.

For each query it prints the median latency (p50) of sequential requests on one keep-alive
connection per server (the two servers' requests interleaved, so both meet the same machine load),
the throughput of ``--clients`` concurrent clients for ``--seconds`` (in slices alternating between
the servers), and the ratio of ours to Oxigraph's. Both servers get identical query texts (with PREFIX lines) and Accept headers.
Then one big answer: a ``--big-rows`` row SELECT as SPARQL JSON, timed on both, with the growth of
each server's resident memory while it streams.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
BASE = "http://localhost:5000/id/"
CKG = "https://w3id.org/ckg/ontology#"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
ATTACK_CLASSES = ("Airstrike", "MissileStrike", "Shelling", "Bombing", "Execution", "ArmedClash")
ACTOR_CLASSES = ("ArmedGroup", "StateActor", "Organization", "Person")
PROLOGUE = f"PREFIX ckg: <{CKG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


# --- the data ------------------------------------------------------------------------------------------


def iri(kind: str, key) -> str:
    return f"<{BASE}{kind}/{key}>"


def literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def typed(value, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def ckg(term: str) -> str:
    return f"<{CKG}{term}>"


def places(countries: int, cities_per_country: int) -> tuple[list[str], list[str], list[str]]:
    lines, country_iris, city_iris = [], [], []
    for c in range(countries):
        country = iri("place", f"country-{c}")
        country_iris.append(country)
        lines += [f"{country} {RDF_TYPE} {ckg('Country')} .", f"{country} {RDFS_LABEL} {literal(f'Country {c}')} ."]
        for t in range(cities_per_country):
            city = iri("place", f"city-{c}-{t}")
            city_iris.append(city)
            lines += [
                f"{city} {RDF_TYPE} {ckg('City')} .",
                f"{city} {RDFS_LABEL} {literal(f'City {c}-{t}')} .",
                f"{city} {ckg('locatedIn')} {country} .",
                f'{city} <http://www.w3.org/2003/01/geo/wgs84_pos#lat> "{30 + c % 10 + t / 100:.3f}" .',
            ]
    return lines, country_iris, city_iris


def actors(count: int) -> tuple[list[str], list[str]]:
    lines, iris = [], []
    for a in range(count):
        actor = iri("actor", f"actor-{a}")
        iris.append(actor)
        lines += [f"{actor} {RDF_TYPE} {ckg(ACTOR_CLASSES[a % len(ACTOR_CLASSES)])} .",
                  f"{actor} {RDFS_LABEL} {literal(f'Actor {a}')} ."]
    return lines, iris


def article_graph(article: int, first_attack: int, attacks: int, actor_iris, city_iris, rng) -> str:
    """One synthetic article's graph: the article, its attacks, claims and evidence mentions."""
    art = iri("article", f"article-{article}")
    lines = [f"{art} {RDF_TYPE} {ckg('Article')} .",
             f"{art} <http://purl.org/dc/terms/title> {literal(f'Report {article}')} ."]
    for n in range(first_attack, first_attack + attacks):
        attack, mention = iri("attack", f"attack-{n}"), iri("mention", f"m-{n}")
        perpetrator = actor_iris[min(int(rng.paretovariate(1.2)) - 1, len(actor_iris) - 1)]
        killed = rng.randrange(0, 60)
        lines += [
            f"{attack} {RDF_TYPE} {ckg(ATTACK_CLASSES[n % len(ATTACK_CLASSES)])} .",
            f"{attack} {RDFS_LABEL} {literal(f'Attack {n}')} .",
            f"{attack} {ckg('perpetrator')} {perpetrator} .",
            f"{attack} {ckg('target')} {rng.choice(actor_iris)} .",
            f"{attack} {ckg('location')} {rng.choice(city_iris)} .",
            f"{attack} {ckg('date')} {typed(f'20{rng.randrange(14, 24)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}', 'date')} .",
            f"{attack} {ckg('killed')} {typed(killed, 'nonNegativeInteger')} .",
            f"{attack} {ckg('evidence')} {mention} .",
            f"{mention} {RDF_TYPE} {ckg('Mention')} .",
            f"{mention} {ckg('text')} {literal(f'At least {killed} people were killed in attack {n}, officials said.')} .",
            f"{mention} {ckg('inArticle')} {art} .",
        ]
        for source in range(2):
            claim = iri("claim", f"claim-{n}-{source}")
            lines += [
                f"{claim} {RDF_TYPE} {ckg('Claim')} .",
                f"{claim} {ckg('about')} {attack} .",
                f"{claim} {ckg('claimedBy')} {rng.choice(actor_iris)} .",
                f"{claim} {ckg('killed')} {typed(killed + source * rng.randrange(0, 5), 'nonNegativeInteger')} .",
            ]
    return "\n".join(lines) + "\n"


def build_store(path: Path, attacks: int) -> int:
    """Seeds plus synthetic articles (10 attacks each) in ``path``; returns the number of quads."""
    sys.path.insert(0, str(REPO))
    from kg.store import ensure_ontology
    from kg.ingest import ingest
    from kg.store import open_store

    rng = random.Random(7)
    place_lines, _, city_iris = places(20, 50)
    actor_lines, actor_iris = actors(400)
    store = open_store(path)
    ensure_ontology(store)
    ingest([str(REPO / "seeds")], store)
    store.put_graph(BASE + "graph/gazetteer", ("\n".join(place_lines + actor_lines) + "\n").encode())
    per_article = 10
    for article in range(attacks // per_article):
        data = article_graph(article, article * per_article, per_article, actor_iris, city_iris, rng)
        store.put_graph(f"{BASE}graph/article-{article}", data.encode())
    size = len(store)
    store.close()
    return size


# --- the query mix -------------------------------------------------------------------------------------------

JSON = "application/sparql-results+json"
MIX = (
    ("point lookup", f"SELECT ?label WHERE {{ {iri('attack', 'attack-4242')} rdfs:label ?label }}", JSON),
    ("entity description", f"DESCRIBE {iri('attack', 'attack-4242')}", "application/n-triples"),
    (
        "join attacks/actors/places",
        f"""SELECT ?attack ?actorName ?placeName WHERE {{
  ?attack ckg:perpetrator ?actor ; ckg:location ?place .
  ?place ckg:locatedIn {iri('place', 'country-3')} ; rdfs:label ?placeName .
  ?actor rdfs:label ?actorName .
}} LIMIT 100""",
        JSON,
    ),
    (
        "aggregate",
        """SELECT ?actor (COUNT(?attack) AS ?attacks) WHERE { ?attack ckg:perpetrator ?actor }
GROUP BY ?actor ORDER BY DESC(?attacks) LIMIT 20""",
        JSON,
    ),
)


SERVERS: dict[int, str] = {}  # port → server name, for error messages


class Client:
    """One keep-alive HTTP connection issuing GET queries."""

    def __init__(self, port: int, path: str) -> None:
        self.port, self.path = port, path
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def close(self) -> None:
        self.connection.close()

    def query(self, text: str, accept: str) -> bytes:
        url = f"{self.path}?{urlencode({'query': PROLOGUE + text})}"
        for attempt in range(2):
            try:
                self.connection.request("GET", url, headers={"Accept": accept})
                response = self.connection.getresponse()
                body = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                if attempt:
                    raise
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        if response.status != 200:
            raise RuntimeError(f"{response.status} from {SERVERS.get(self.port, self.port)}: {body[:300]!r}")
        return body


BIG = "SELECT ?a ?b WHERE {{ ?a ckg:killed ?k . ?b ckg:killed ?k2 }} LIMIT {rows}"


def big_answer(port: int, path: str, pid: int, rows: int) -> tuple[float, int, int]:
    """Seconds and bytes of a ``rows``-row answer, and how much the server's RSS grew meanwhile."""
    import psutil

    process = psutil.Process(pid)
    rss = peak = process.memory_info().rss
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    connection.request("GET", f"{path}?{urlencode({'query': PROLOGUE + BIG.format(rows=rows)})}", headers={"Accept": JSON})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(1 << 20):
        size += len(chunk)
        peak = max(peak, process.memory_info().rss)
    if response.status != 200:
        raise RuntimeError(f"{response.status} for the big answer from port {port}")
    return time.perf_counter() - start, size, peak - rss


def latencies_p50(targets: list[tuple[int, str]], text: str, accept: str, requests: int) -> list[tuple[float, int]]:
    """p50 latency and answer size per server, their requests interleaved so both see the same load."""
    clients = [Client(port, path) for port, path in targets]
    sizes = [len(client.query(text, accept)) for client in clients for _ in range(10)][9::10]
    times: list[list[float]] = [[] for _ in clients]
    for _ in range(requests):
        for client, spent in zip(clients, times):
            start = time.perf_counter()
            client.query(text, accept)
            spent.append(time.perf_counter() - start)
    for client in clients:
        client.close()
    return [(statistics.median(spent), size) for spent, size in zip(times, sizes)]


def throughputs(targets: list[tuple[int, str]], text: str, accept: str, clients: int, seconds: float,
                slices: int = 4) -> list[float]:
    """Requests per second per server with ``clients`` concurrent clients, alternating in slices."""
    done, spent = [0] * len(targets), [0.0] * len(targets)
    for _ in range(slices):
        for index, (port, path) in enumerate(targets):
            count, elapsed = throughput(port, path, text, accept, clients, seconds / slices)
            done[index] += count
            spent[index] += elapsed
    return [count / elapsed for count, elapsed in zip(done, spent)]


def throughput(port: int, path: str, text: str, accept: str, clients: int, seconds: float) -> tuple[int, float]:
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def loop(slot: int) -> None:
        client = Client(port, path)
        while time.perf_counter() < stop:
            client.query(text, accept)
            done[slot] += 1
        client.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), time.perf_counter() - start


# --- the servers -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, path: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            Client(port, path).query("ASK {}", JSON)
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


def start_ours(store: Path, port: int, extra: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "conflict_kg", "serve", "--store", str(store), "--port", str(port),
               "--query-timeout", "60", *extra]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_oxigraph(store: Path, port: int) -> subprocess.Popen:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    # No --timeout-s: Oxigraph 0.5.13 keeps a thread per query for its whole timeout, so a busy run
    # piles up thousands of threads until thread creation fails. Our store's default graph is
    # already the union of its graphs, so no --union-default-graph either.
    command = [binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attacks", type=int, default=20000, help="synthetic attacks (10 per article)")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per query for p50")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for throughput")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each throughput run")
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="rows of the big answer")
    parser.add_argument("--serve-option", action="append", default=[], help="extra option for kg serve")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kg-bench-endpoint-"))
    try:
        started = time.perf_counter()
        quads = build_store(work / "store", args.attacks)
        shutil.copytree(work / "store", work / "oxigraph-copy")
        print(f"store: {quads} quads, {args.attacks} synthetic attacks ({time.perf_counter() - started:.1f} s to build)")
        servers = {"kg serve": (start_ours(work / "store", port := free_port(), args.serve_option), port, "/sparql"),
                   "oxigraph": (start_oxigraph(work / "oxigraph-copy", oxport := free_port()), oxport, "/query")}
        try:
            for label, (process, port, path) in servers.items():
                SERVERS[port] = label
                wait_until_up(port, path, process)
            report(servers, args)
        finally:
            for process, _, _ in servers.values():
                stop(process)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(servers: dict, args) -> None:
    print(f"p50 of {args.requests} sequential requests per server, interleaved; throughput of {args.clients} "
          f"clients for {args.seconds:g} s per server, in alternating slices")
    header = f"{'query':28} {'bytes':>8} {'kg p50 ms':>10} {'ox p50 ms':>10} {'ratio':>6} {'kg req/s':>9} {'ox req/s':>9} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    targets = [(servers[label][1], servers[label][2]) for label in ("kg serve", "oxigraph")]
    for name, text, accept in MIX:
        (ours, size), (theirs, _) = latencies_p50(targets, text, accept, args.requests)
        our_rate, their_rate = throughputs(targets, text, accept, args.clients, args.seconds)
        worst = max(worst, ours / theirs)
        print(f"{name:28} {size:>8} {ours * 1000:>10.2f} {theirs * 1000:>10.2f} {ours / theirs:>6.2f} "
              f"{our_rate:>9.0f} {their_rate:>9.0f} {our_rate / their_rate:>6.2f}")
    verdict = "meets" if worst <= 1.5 else "misses"
    print(f"worst p50 ratio {worst:.2f} ({verdict} the 1.5x goal)")
    for label, (process, port, path) in servers.items():
        seconds, size, growth = big_answer(port, path, process.pid, args.big_rows)
        print(f"{label}: {args.big_rows}-row SELECT as JSON, {size / 1e6:.0f} MB in {seconds:.2f} s, "
              f"server memory grew {growth / 1e6:.0f} MB while streaming")


if __name__ == "__main__":
    main()
