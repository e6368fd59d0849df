"""Endpoint benchmark: `kg serve` against Oxigraph's own Rust server on the same store and queries.

    PYTHONPATH=. .venv/bin/python bench/endpoint.py [--attacks 20000] [--requests 1000] [--baseline DIR]
        [--pages-store DIR] [--skip http,pages,big]

Builds a store from ``seeds/`` plus synthetic articles shaped like the extractor's output (attacks
with perpetrators, targets, places inside countries, dates, casualty claims by several sources,
evidence mentions), serves it with ``kg serve`` and with ``oxigraph serve-read-only`` (on a copy),
and runs the same mix on both (identical query texts with PREFIX lines, identical Accept headers):

- point lookup: one attack's label;
- entity description: ``DESCRIBE`` one attack (N-Triples);
- join: attacks in one country with their perpetrators' and places' names;
- aggregate: actors ranked by number of attacks.

Four tables, every figure taken with the compared servers' requests interleaved (or their runs in
alternating slices), so all meet the same machine load; medians and ratios, never one server alone:

1. the mix: p50 and p99 of ``--requests`` sequential requests on one keep-alive connection per
   server, and the ratios to Oxigraph's; ``uncached`` is ``kg serve`` remembering no answers
   (``KG_QUERY_CACHE_MB=0``), every request through a query worker; with ``--baseline DIR`` (another checkout of this project,
   e.g. ``git worktree add /tmp/before main``) its ``kg serve`` is measured in the same rounds;
2. concurrency: requests per second of 1 and of 16 concurrent keep-alive clients (``--clients``) on
   the point lookup, and 16 clients' rate over one client's (below 1.0 is a collapse);
3. HTTP servers: a bare WSGI app (two bytes) and ``/sparql`` (the point lookup, the project's app
   from ``server:create_app``) under waitress, gunicorn (``gthread``) and granian, each started by
   its own command line with 8 threads: the figures ``kg serve``'s choice rests on;
4. entity pages on ``--pages-store`` (built there when missing: ``--pages-articles`` real articles,
   FA-KES dev then Reuters-21578 from ``KG_EVAL_DIR`` or ``../shared/eval``, through ``kg ingest``,
   plus one synthetic attack reported by 100 synthetic articles, each with its own report, claim
   and sentences): p50 of each page kind's heaviest page, and the store queries it ran (the
   ``Server-Timing`` header), remembered (``kg serve``) and built every time (``built``:
   ``KG_PAGE_CACHE_MB=0 KG_QUERY_CACHE_MB=0``);

then one big answer: a ``--big-rows`` row SELECT as SPARQL JSON, timed on both, with the growth of
each server's resident memory while it streams.
"""
from __future__ import annotations

import argparse
import http.client
import json
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
    """One keep-alive HTTP connection issuing GET requests."""

    def __init__(self, port: int, path: str, timeout: float = 120) -> None:
        self.port, self.path, self.timeout = port, path, timeout
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers: dict[str, str] = {}

    def close(self) -> None:
        self.connection.close()

    def query(self, text: str, accept: str) -> bytes:
        return self.get(f"{self.path}?{urlencode({'query': PROLOGUE + text})}", accept)

    def get(self, url: str, accept: str) -> bytes:
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
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        if response.status != 200:
            raise RuntimeError(f"{response.status} from {SERVERS.get(self.port, self.port)} for {url[:120]}: {body[:300]!r}")
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        return body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def interleaved(targets: list[tuple[int, str]], text: str, accept: str, requests: int) -> list[tuple[float, float, int]]:
    """(p50, p99, answer size) per server, the servers' requests interleaved so all see the same load."""
    clients = [Client(port, path) for port, path in targets]
    sizes = [len(client.query(text, accept)) for client in clients for _ in range(20)][19::20]  # warm
    times: list[list[float]] = [[] for _ in clients]
    for _ in range(requests):
        for client, spent in zip(clients, times):
            start = time.perf_counter()
            client.query(text, accept)
            spent.append(time.perf_counter() - start)
    for client in clients:
        client.close()
    return [(statistics.median(spent), percentile(spent, 0.99), size) for spent, size in zip(times, sizes)]


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
    errors: list[BaseException] = []
    ready = threading.Barrier(clients + 1)
    stop = [0.0]

    def loop(slot: int) -> None:
        client = Client(port, path)
        try:
            client.query(text, accept)  # connected before the clock starts
            ready.wait()
            while time.perf_counter() < stop[0]:
                client.query(text, accept)
                done[slot] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop[0] = time.perf_counter() + seconds
    start = time.perf_counter()
    ready.wait()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {clients} clients failed on {SERVERS.get(port, port)}: {errors[0]}")
    return sum(done), time.perf_counter() - start


def big_answer(port: int, path: str, pid: int, rows: int) -> tuple[float, int, int]:
    """Seconds and bytes of a ``rows``-row answer, and how much the server's RSS grew meanwhile."""
    import psutil

    process = psutil.Process(pid)
    rss = peak = process.memory_info().rss
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    big = "SELECT ?a ?b WHERE {{ ?a ckg:killed ?k . ?b ckg:killed ?k2 }} LIMIT {rows}"
    connection.request("GET", f"{path}?{urlencode({'query': PROLOGUE + big.format(rows=rows)})}", headers={"Accept": JSON})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(1 << 20):
        size += len(chunk)
        peak = max(peak, process.memory_info().rss)
    if response.status != 200:
        raise RuntimeError(f"{response.status} for the big answer from port {port}")
    return time.perf_counter() - start, size, peak - rss


# --- the servers -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, path: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{SERVERS.get(port, port)} on port {port} exited with {process.returncode}")
        try:
            client = Client(port, path)
            client.query("ASK {}", JSON) if path.endswith(("sparql", "query")) else client.get(path, "*/*")
            client.close()
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError(f"{SERVERS.get(port, port)} on port {port} did not come up")


def start_ours(repo: Path, store: Path, port: int, extra: list[str], env: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(repo), **(env or {}))
    program = "conflict_kg" if (repo / "conflict_kg.py").exists() else "kg.cli"  # a baseline checkout may predate it
    command = [sys.executable, "-m", program, "serve", "--store", str(store), "--port", str(port),
               "--query-timeout", "60", *extra]
    return subprocess.Popen(command, env=env, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def oxigraph_binary() -> str:
    return shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def start_oxigraph(store: Path, port: int) -> subprocess.Popen:
    # No --timeout-s: Oxigraph 0.5.13 keeps a thread per query for its whole timeout, so a busy run
    # piles up thousands of threads until thread creation fails. Our store's default graph is
    # already the union of its graphs, so no --union-default-graph either.
    command = [oxigraph_binary(), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_wsgi(server: str, target: str, port: int, store: Path | None) -> subprocess.Popen:
    """``target`` (``module:object``, or ``module:factory()``) under ``server``'s own command line, 8 threads."""
    factory = target.endswith("()")
    name = target[:-2] if factory else target
    commands = {
        "waitress": ["-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=8", *(["--call"] if factory else []), name],
        "gunicorn": ["-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", "-k", "gthread", "--threads", "8",
                     "--keep-alive", "120", "--log-level", "warning", target],
        "granian": ["-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                    "--blocking-threads", "8", "--log-level", "warning", *(["--factory"] if factory else []), name],
    }
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "bench")]))
    if store is not None:
        env |= {"KG_STORE": str(store), "KG_QUERY_TIMEOUT": "60"}
    return subprocess.Popen([sys.executable, *commands[server]], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def copy_store(source: Path, target: Path) -> None:
    """A consistent copy of a closed store (Oxigraph's backup: hard links where it can)."""
    import pyoxigraph as ox

    store = ox.Store(str(source))
    store.backup(str(target))
    del store


class Servers:
    """Started servers by label; stopped together."""

    def __init__(self) -> None:
        self.running: dict[str, tuple[subprocess.Popen, int, str]] = {}

    def start(self, label: str, process: subprocess.Popen, port: int, path: str) -> None:
        SERVERS[port] = label
        self.running[label] = (process, port, path)
        wait_until_up(port, path, process)

    def target(self, label: str) -> tuple[int, str]:
        return self.running[label][1], self.running[label][2]

    def stop_all(self) -> None:
        for process, _, _ in self.running.values():
            stop(process)
        self.running.clear()


# --- the tables --------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def mix_table(servers: Servers, labels: list[str], args) -> dict:
    """Table 1: p50/p99 per query per server; ratios to Oxigraph's."""
    print(f"\n1. the mix: p50 and p99 of {args.requests} sequential requests per server on one keep-alive connection, "
          f"interleaved; ratio = server / oxigraph")
    ours = [label for label in labels if label != "oxigraph"]
    columns = "".join(f" {label + ' p50':>16} {'p99':>7} {'x p50':>6} {'x p99':>6}" for label in ours)
    header = f"{'query':28} {'bytes':>7} {'ox p50':>7} {'ox p99':>7}{columns}"
    print(header)
    print("-" * len(header))
    worst: dict[str, list[float]] = {label: [0.0, 0.0] for label in ours}
    targets = [servers.target(label) for label in labels]
    for name, text, accept in MIX:
        figures = dict(zip(labels, interleaved(targets, text, accept, args.requests)))
        ox50, ox99, size = figures["oxigraph"]
        line = f"{name:28} {size:>7} {ms(ox50):>7} {ms(ox99):>7}"
        for label in ours:
            p50, p99, _ = figures[label]
            worst[label] = [max(worst[label][0], p50 / ox50), max(worst[label][1], p99 / ox99)]
            line += f" {ms(p50):>16} {ms(p99):>7} {p50 / ox50:>6.2f} {p99 / ox99:>6.2f}"
        print(line)
    for label, (p50, p99) in worst.items():
        verdict = "meets" if p50 <= 1.5 and p99 <= 2.0 else "misses"
        print(f"{label}: worst ratio p50 {p50:.2f}, p99 {p99:.2f} ({verdict} the goal of 1.5x at p50 and 2x at p99)")
    return worst


def concurrency_table(servers: Servers, labels: list[str], args) -> None:
    """Table 2: 1 and N concurrent clients on the point lookup."""
    name, text, accept = MIX[0]
    targets = [servers.target(label) for label in labels]
    print(f"\n2. concurrency: requests/s on the {name}, 1 client and {args.clients} clients, {args.seconds:g} s per "
          f"figure in alternating slices")
    one = throughputs(targets, text, accept, 1, args.seconds)
    many = throughputs(targets, text, accept, args.clients, args.seconds)
    print(f"{'server':16} {'1 client':>10} {str(args.clients) + ' clients':>12} {'ratio':>6}")
    for label, rate1, rate_n in zip(labels, one, many):
        print(f"{label:16} {rate1:>10.0f} {rate_n:>12.0f} {rate_n / rate1:>6.2f}")


def http_table(work: Path, store: Path, args) -> None:
    """Table 3: waitress, gunicorn and granian on a bare WSGI app and on /sparql."""
    print(f"\n3. HTTP servers, 8 threads each, by their own command lines: p50/p99 of {args.requests} interleaved "
          f"sequential requests, and requests/s of {args.clients} clients")
    kinds = ("waitress", "gunicorn", "granian")
    for what, target, path in (("bare WSGI app", "wsgi_hello:app", "/"), ("/sparql point lookup", "server:create_app()", "/sparql")):
        servers = Servers()
        try:
            for kind in kinds:
                copy = None
                if path == "/sparql":
                    copy = work / f"store-{kind}"
                    if not copy.exists():
                        copy_store(store, copy)
                port = free_port()
                servers.start(kind, start_wsgi(kind, target, port, copy), port, path)
            targets = [servers.target(kind) for kind in kinds]
            if path == "/":
                lat = bare_latencies(targets, args.requests)
                rates = bare_throughputs(targets, args.clients, args.seconds)
            else:
                name, text, accept = MIX[0]
                lat = interleaved(targets, text, accept, args.requests)
                rates = throughputs(targets, text, accept, args.clients, args.seconds)
            base50, base99 = lat[0][0], lat[0][1]
            print(f"{what}:")
            print(f"  {'server':10} {'p50 ms':>7} {'p99 ms':>7} {'p50/waitress':>13} {'req/s':>7}")
            for kind, (p50, p99, _), rate in zip(kinds, lat, rates):
                print(f"  {kind:10} {ms(p50):>7} {ms(p99):>7} {p50 / base50:>13.2f} {rate:>7.0f}")
        finally:
            servers.stop_all()


def bare_latencies(targets, requests: int) -> list[tuple[float, float, int]]:
    clients = [Client(port, path) for port, path in targets]
    for client in clients:
        for _ in range(20):
            client.get("/", "*/*")
    times: list[list[float]] = [[] for _ in clients]
    for _ in range(requests):
        for client, spent in zip(clients, times):
            start = time.perf_counter()
            client.get("/", "*/*")
            spent.append(time.perf_counter() - start)
    for client in clients:
        client.close()
    return [(statistics.median(spent), percentile(spent, 0.99), 2) for spent in times]


def bare_throughputs(targets, clients: int, seconds: float) -> list[float]:
    original = Client.query
    Client.query = lambda self, text, accept: self.get("/", accept)  # the bare app answers any path
    try:
        return throughputs(targets, "", "*/*", clients, seconds)
    finally:
        Client.query = original


# --- entity pages -----------------------------------------------------------------------------------------

BIG_ATTACK = "bench-attack-reported-by-100"
REPORTING_ARTICLES = 100


def eval_dir() -> Path:
    return Path(os.environ.get("KG_EVAL_DIR") or REPO.parent / "shared" / "eval")


def build_pages_store(path: Path, articles: int, work: Path) -> None:
    """``articles`` real articles through ``kg ingest``, then the synthetic attack of 100 articles."""
    sys.path.insert(0, str(REPO / "bench"))
    import ingest as ingest_bench

    corpus = work / "pages-articles.jsonl"
    source = eval_dir()
    written = ingest_bench.write_corpus(corpus, articles, source / "dev" / "fakes_syria_dev.jsonl",
                                        source / "corpus" / "reuters21578.jsonl")
    print(f"building the pages store in {path}: {written} articles through kg ingest --workers 2 (takes a while)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "ingest", "--workers", "2", "--store", str(path), str(corpus)],
                          env=dict(os.environ, PYTHONPATH=str(REPO)), cwd=REPO, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"kg ingest failed: {done.stderr[-2000:]}")
    print(f"  {done.stderr.strip().splitlines()[-1]} ({time.perf_counter() - started:.0f} s)")
    corpus.unlink()
    add_reported_attack(path)


def add_reported_attack(path: Path) -> None:
    """One synthetic airstrike reported by 100 synthetic articles: in each, the attack with its
    sentence, the article's own report of the toll, and a claim by one of 20 sources with its
    statement, all with character offsets into the article's text, as kg/rdf.py writes them."""
    sys.path.insert(0, str(REPO))
    from kg.store import open_store

    store = open_store(path)
    attack = iri("attack", BIG_ATTACK)
    place, perpetrator = iri("place", "bench-town"), iri("actor", "bench-air-force")
    common = [f"{place} {RDF_TYPE} {ckg('City')} .", f"{place} {RDFS_LABEL} {literal('Bench Town')} .",
              f"{perpetrator} {RDF_TYPE} {ckg('StateActor')} .", f"{perpetrator} {RDFS_LABEL} {literal('Bench Air Force')} ."]
    for n in range(REPORTING_ARTICLES):
        art, source = iri("article", f"bench-report-{n}"), iri("actor", f"bench-source-{n % 20}")
        attack_sentence = "Warplanes struck the market in Bench Town on Monday."
        figure_sentence = f"At least {30 + n % 7} people were killed, the local council said."
        claim_sentence = f"Source {n % 20} said {28 + n % 11} civilians died in the strike."
        text = " ".join([attack_sentence, figure_sentence, claim_sentence])
        spans = {"attack": (0, len(attack_sentence))}
        spans["report"] = (spans["attack"][1] + 1, spans["attack"][1] + 1 + len(figure_sentence))
        spans["claim"] = (spans["report"][1] + 1, len(text))
        lines = [*common,
                 f"{art} {RDF_TYPE} {ckg('Article')} .",
                 f"{art} <http://purl.org/dc/terms/title> {literal(f'Bench report {n}: strike on a market')} .",
                 f"{art} <http://purl.org/dc/terms/issued> {typed(f'2024-03-{1 + n % 28:02d}', 'date')} .",
                 f"{art} {ckg('text')} {literal(text)} .",
                 f"{attack} {RDF_TYPE} {ckg('Airstrike')} .", f"{attack} {ckg('location')} {place} .",
                 f"{attack} {ckg('perpetrator')} {perpetrator} .", f"{attack} {ckg('date')} {typed('2024-03-04', 'date')} .",
                 f"{source} {RDF_TYPE} {ckg('Organization')} .", f"{source} {RDFS_LABEL} {literal(f'Source {n % 20}')} ."]
        nodes = {"attack": attack, "report": iri("report", f"bench-{n}"), "claim": iri("claim", f"bench-{n}")}
        lines += [f"{nodes['report']} {RDF_TYPE} {ckg('Report')} .", f"{nodes['report']} {ckg('about')} {attack} .",
                  f"{nodes['report']} {ckg('killed')} {typed(30 + n % 7, 'nonNegativeInteger')} .",
                  f"{nodes['claim']} {RDF_TYPE} {ckg('Claim')} .", f"{nodes['claim']} {ckg('about')} {attack} .",
                  f"{nodes['claim']} {ckg('claimedBy')} {source} .",
                  f"{nodes['claim']} {ckg('killed')} {typed(28 + n % 11, 'nonNegativeInteger')} .",
                  f"{nodes['claim']} {ckg('statement')} {literal(claim_sentence)} ."]
        for role, (start, end) in spans.items():
            mention = iri("mention", f"bench-{n}-{start}-{end}")
            lines += [f"{nodes[role]} {ckg('evidence')} {mention} .", f"{mention} {RDF_TYPE} {ckg('Mention')} .",
                      f"{mention} {ckg('text')} {literal(text[start:end])} .",
                      f"{mention} {ckg('startOffset')} {typed(start, 'integer')} .",
                      f"{mention} {ckg('endOffset')} {typed(end, 'integer')} .",
                      f"{mention} {ckg('inArticle')} {art} ."]
        store.put_graph(f"{BASE}graph/article-bench-report-{n}", ("\n".join(lines) + "\n").encode())
    store.close()


PAGE_PICKS = {  # page → the query picking the heaviest of its kind (the synthetic attack aside)
    "actor (most attacks)": """SELECT ?x (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a ckg:perpetrator|ckg:target|ckg:victim ?x }
GROUP BY ?x ORDER BY DESC(?n) LIMIT 1""",
    "place (most attacks within)": """SELECT ?x (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a ckg:location/ckg:locatedIn* ?x }
GROUP BY ?x ORDER BY DESC(?n) LIMIT 1""",
    "attack (most claims, real)": f"""SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c ckg:about ?x . ?x a ?t .
?t rdfs:subClassOf* ckg:Attack FILTER(?x != {iri('attack', BIG_ATTACK)}) }} GROUP BY ?x ORDER BY DESC(?n) LIMIT 1""",
    "article (most mentions)": """SELECT ?x (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m ckg:inArticle ?x }
GROUP BY ?x ORDER BY DESC(?n) LIMIT 1""",
}


def pick_pages(port: int) -> dict[str, str]:
    client = Client(port, "/sparql")
    pages = {f"attack reported by {REPORTING_ARTICLES} articles": f"{BASE}attack/{BIG_ATTACK}",
             "claim about it": f"{BASE}claim/bench-0", "report about it": f"{BASE}report/bench-0"}
    for name, text in PAGE_PICKS.items():
        rows = json.loads(client.query(text, JSON))["results"]["bindings"]
        if rows:
            pages[name] = rows[0]["x"]["value"]
    client.close()
    return pages


def page_timings(port: int, pages: dict[str, str], rounds: int, timeout: float) -> dict[str, tuple[float, str]]:
    """p50 of each page over ``rounds`` rounds (the pages interleaved), and its Server-Timing; a page
    slower than ``timeout`` seconds is reported as such."""
    client = Client(port, "/", timeout)
    paths = {name: "/" + iri_path.removeprefix(BASE.removesuffix("id/")) for name, iri_path in pages.items()}
    times: dict[str, list[float]] = {name: [] for name in pages}
    timing: dict[str, str] = {}
    failed: dict[str, str] = {}
    for name, path in paths.items():
        try:
            client.get(path, "text/html")  # warm
        except (RuntimeError, TimeoutError) as exc:  # over the time limit (the baseline's, say): reported, not timed
            failed[name] = str(exc).split(" ", 1)[0] if isinstance(exc, RuntimeError) else f">{timeout:g}s"
            client.close()
            client = Client(port, "/", timeout)
    for _ in range(rounds):
        for name, path in paths.items():
            if name in failed:
                continue
            start = time.perf_counter()
            client.get(path, "text/html")
            times[name].append(time.perf_counter() - start)
            timing[name] = client.headers.get("server-timing", "")
    client.close()
    return {name: (statistics.median(spent), timing[name]) if name not in failed else (float("nan"), "failed " + failed[name])
            for name, spent in times.items()}


def queries_of(timing: str) -> str:
    """The store queries a page ran, from its ``Server-Timing: store;desc="N queries";dur=…``."""
    for part in timing.split(","):
        if part.strip().startswith("store") and "desc=" in part:
            return part.split('desc="', 1)[1].split(" ", 1)[0]
    return "?"


def pages_table(work: Path, args) -> None:
    store = Path(args.pages_store)
    if not (store / "CURRENT").exists():
        build_pages_store(store, args.pages_articles, work)
    # "built": the same server remembering no pages and no answers, so every request builds the page (the cost of
    # the first request after an update); "kg serve" remembers a page per snapshot (server.page_cache)
    checkouts = [("kg serve", REPO, {}), ("built", REPO, {"KG_PAGE_CACHE_MB": "0", "KG_QUERY_CACHE_MB": "0"})]
    checkouts += [("baseline", Path(args.baseline), {})] if args.baseline else []
    print(f"\n4. entity pages on {store} (real articles + one attack reported by {REPORTING_ARTICLES} synthetic ones): "
          f"p50 of {args.page_rounds} rounds ({args.baseline_page_rounds} for the baseline), pages interleaved; the "
          f"servers one after the other; 'built' is kg serve remembering no pages and no answers (every request builds its page)")
    results = {}
    pages = None
    for label, repo, env in checkouts:
        port = free_port()
        servers = Servers()
        try:
            servers.start(label, start_ours(repo, store, port, args.serve_option, env), port, "/sparql")
            pages = pages or pick_pages(port)
            if label != "baseline":
                results[label] = page_timings(port, pages, args.page_rounds, 120)
            else:
                results[label] = page_timings(port, pages, args.baseline_page_rounds, args.baseline_page_timeout)
        finally:
            servers.stop_all()
    header = f"{'page':38} " + " ".join(f"{label + ' p50 ms':>17} {'queries':>8}" for label, _, _ in checkouts)
    print(header)
    print("-" * len(header))
    for name in pages:
        line = f"{name:38} "
        for label, _, _ in checkouts:
            p50, timing = results[label][name]
            shown = timing if timing.startswith("failed") else f"{p50 * 1000:.1f}"
            line += f" {shown:>17} {queries_of(timing):>8}"
        print(line)
    for label in ("kg serve", "built"):
        worst = max(results[label][name][0] for name in pages)
        print(f"slowest {label} page p50 {ms(worst)} ms ({'meets' if worst < 0.05 else 'misses'} the 50 ms goal)")
    print("pages: " + "; ".join(f"{name} = <{page}>" for name, page in pages.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attacks", type=int, default=20000, help="synthetic attacks (10 per article)")
    parser.add_argument("--requests", type=int, default=1000, help="sequential requests per query for p50 and p99")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for throughput")
    parser.add_argument("--seconds", type=float, default=4.0, help="duration of each throughput figure")
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="rows of the big answer")
    parser.add_argument("--serve-option", action="append", default=[], help="extra option for kg serve")
    parser.add_argument("--baseline", help="another checkout of this project whose kg serve is measured beside this one")
    parser.add_argument("--pages-store", default=str(Path(tempfile.gettempdir()) / "kg-bench-pages-store"),
                        help="store for the page timings; built there when missing, kept for the next run")
    parser.add_argument("--pages-articles", type=int, default=10000, help="real articles in a new pages store")
    parser.add_argument("--page-rounds", type=int, default=30, help="requests per page for its p50")
    parser.add_argument("--baseline-page-rounds", type=int, default=1, help="requests per page for the baseline's p50")
    parser.add_argument("--baseline-page-timeout", type=float, default=60, help="seconds before a baseline page counts as failed")
    parser.add_argument("--skip", default="", help="tables to leave out: comma-separated of mix, http, pages, big")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    work = Path(tempfile.mkdtemp(prefix="kg-bench-endpoint-"))
    try:
        started = time.perf_counter()
        quads = build_store(work / "store", args.attacks)
        print(f"store: {quads} quads, {args.attacks} synthetic attacks ({time.perf_counter() - started:.1f} s to build)")
        if "mix" not in skip:
            copy_store(work / "store", work / "oxigraph-copy")
            copy_store(work / "store", work / "uncached-copy")
            if args.baseline:
                copy_store(work / "store", work / "baseline-copy")
            servers = Servers()
            try:
                servers.start("kg serve", start_ours(REPO, work / "store", port := free_port(), args.serve_option), port, "/sparql")
                servers.start("oxigraph", start_oxigraph(work / "oxigraph-copy", port := free_port()), port, "/query")
                # "uncached": the same server remembering no answers, so every request goes to a query worker
                servers.start("uncached", start_ours(REPO, work / "uncached-copy", port := free_port(), args.serve_option,
                                                     {"KG_QUERY_CACHE_MB": "0"}), port, "/sparql")
                labels = ["oxigraph", "kg serve", "uncached"]
                if args.baseline:
                    servers.start("baseline", start_ours(Path(args.baseline), work / "baseline-copy", port := free_port(),
                                                         args.serve_option), port, "/sparql")
                    labels.append("baseline")
                mix_table(servers, labels, args)
                concurrency_table(servers, labels, args)
                if "big" not in skip:
                    print()
                    for label in labels:
                        process, port, path = servers.running[label]
                        seconds, size, growth = big_answer(port, path, process.pid, args.big_rows)
                        print(f"{label}: {args.big_rows}-row SELECT as JSON, {size / 1e6:.0f} MB in {seconds:.2f} s, "
                              f"server memory grew {growth / 1e6:.0f} MB while streaming")
            finally:
                servers.stop_all()
        if "http" not in skip:
            http_table(work, work / "store", args)
        if "pages" not in skip:
            pages_table(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
