"""Costs that must not grow with the store: `python bench/scale.py [--store-articles 10000] [--large-store DIR] [--json]`.

Prints, in one run:

- the ingest rate (articles/s, real extraction) of ``--measured`` new articles into an empty store and
  into a store already holding ``--store-articles`` articles, and their ratio (goal: at least 0.8);
  the articles go in as ``--batches`` ingest runs alternating between the two stores;
- the write phase alone (one ``put_graph`` with its earlier-version lookup, per article), median ms
  in each store, and the derive step of one run on each;
- a one-triple SPARQL Update (``GraphStore.update``) on the large store, median ms (goal: < 100 ms),
  and an update choosing its graph by a variable (``GRAPH ?g``);
- ``kg ingest`` of one new article into the large store and into a small one, start to exit,
  beside loading spaCy's model alone, median wall and CPU seconds (goal: < 3 s);
- with ``--dask`` (local clusters of ``dask scheduler`` and one or two ``dask worker`` processes on
  loopback), ``kg ingest`` articles/s with 1 and 2 Dask workers against ``--workers 1`` and
  ``--workers 2``;
- with ``--remote`` (``oxigraph serve`` on loopback), the remote store's write rate against the
  embedded one's.

The large store is NOT built by extracting 10,000 articles (hours on two cores): it is generated from
the graphs of ``--templates`` really extracted articles (FA-KES dev articles about the Syrian war), each
copy with its own article, graph, mention, claim and report IRIs, blank nodes and source, actors and
places shared as in a real store, and each attack shared by five copies. They are bulk-loaded with
the union default graph, then the derived graph is computed once. The measured articles are other
FA-KES / Reuters articles, extracted for real in both stores.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import REPO, eval_dir, kg_command, kg_env, median  # noqa: E402
from ingest import FAKES, REUTERS  # noqa: E402
from ingest import write_corpus as write_eval_corpus  # noqa: E402

import pyoxigraph as ox  # noqa: E402

SUMMARY = re.compile(r"(\d+) added, (\d+) unchanged, (\d+) replaced, (\d+) rejected; (\d+) triples written")


def write_corpus(path: Path, articles: int) -> int:
    """Up to ``articles`` FA-KES dev then Reuters-21578 articles as JSON Lines (``bench/ingest.py``'s corpus)."""
    return write_eval_corpus(path, articles, eval_dir() / FAKES, eval_dir() / REUTERS)


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def template_graphs(records: list[dict], workdir: Path) -> list[tuple[str, str]]:
    """(graph IRI, N-Triples) of each record, really extracted."""
    from kg.ingest import Built, build_many
    from kg.sources import read_inputs

    articles = list(read_inputs([str(write_jsonl(workdir / "templates.jsonl", records))]))
    out = []
    for start in range(0, len(articles), 8):
        for built in build_many([a for a in articles[start:start + 8]]):
            if isinstance(built, Built):
                out.append((built.graph, built.data.decode("utf-8")))
    return out


_OWN = re.compile(r"<(http[^>]*/id/(?:mention|claim|report|article|graph)/[^>]+)>")
_ATTACK = re.compile(r"<(http[^>]*/id/attack/[^>]+)>")
_BLANK = re.compile(r"_:([A-Za-z0-9]+)")
_SOURCE = re.compile(r"(<http://purl.org/dc/terms/source> )(<[^>]+>|\"[^\"]*\")")


def copy_graph(graph: str, ntriples: str, number: int) -> tuple[str, str]:
    """Copy ``number`` of a template graph: its own IRIs, blank nodes and source; attacks shared by five copies."""
    suffix = f"-s{number}"
    text = _OWN.sub(lambda m: f"<{m.group(1)}{suffix}>", ntriples)
    text = _ATTACK.sub(lambda m: f"<{m.group(1)}-a{number // 5}>", text)
    text = _BLANK.sub(lambda m: f"_:{m.group(1)}s{number}", text)
    text = _SOURCE.sub(lambda m: f"{m.group(1)}<https://bench.invalid/source/{number}>", text)
    return graph + suffix, text


def generated(templates, count: int, first: int = 0):
    for number in range(first, first + count):
        graph, data = templates[number % len(templates)]
        yield copy_graph(graph, data, number)


def bulk_fill(store, templates, count: int) -> None:
    """``count`` generated article graphs, with the union default graph, bulk-loaded into an
    Oxigraph store; then the derived graph computed once."""
    from kg.derive import refresh_derived

    chunk: list[str] = []
    for index, (graph, data) in enumerate(generated(templates, count), 1):
        lines = [line for line in data.splitlines() if line.strip()]
        chunk.extend(line[:-1].rstrip() + f" <{graph}> .\n" for line in lines)
        chunk.extend(line + "\n" for line in lines)
        if index % 500 == 0 or index == count:
            store.raw.bulk_load("".join(chunk).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
            chunk = []
            log(f"  {index} generated articles loaded")
    store.raw.optimize()
    refresh_derived(store)


def timed_ingest(jsonl: Path, store) -> tuple[float, float, object]:
    """(seconds of the whole in-process ingest, seconds of its derive step, summary)."""
    import kg.ingest as ingest_module

    derive_seconds = []
    name = "update_derived" if hasattr(ingest_module, "update_derived") else "refresh_derived"  # before the change
    original = getattr(ingest_module, name)

    def measured(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            derive_seconds.append(time.perf_counter() - start)

    setattr(ingest_module, name, measured)
    try:
        start = time.perf_counter()
        summary = ingest_module.ingest([str(jsonl)], store)
        return time.perf_counter() - start, sum(derive_seconds), summary
    finally:
        setattr(ingest_module, name, original)


def write_only_ms(store, templates, first: int, count: int) -> float:
    """Median ms of writing one prebuilt article graph as ingest does (earlier-version lookup, put_graph)."""
    from kg.ingest import previous_versions

    times = []
    for graph, data in generated(templates, count, first):
        source = f"https://bench.invalid/source/{graph.rsplit('-s', 1)[1]}"
        start = time.perf_counter()
        store.put_graph(graph, data.encode("utf-8"), replaces=previous_versions(store, source, graph))
        times.append(time.perf_counter() - start)
    return median(times) * 1000


def update_ms(store, repeat: int) -> float:
    graph = store.graphs()[len(store.graphs()) // 2]
    times = []
    for number in range(repeat):
        start = time.perf_counter()
        store.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <https://bench.invalid/s> <https://bench.invalid/p> "{number}" }} }}')
        times.append(time.perf_counter() - start)
    return median(times) * 1000


def cli_ingest_rate(jsonl: Path, articles: int, store: str, *extra: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(kg_command("ingest", str(jsonl), "--store", store, *extra), cwd=REPO, env=kg_env(), capture_output=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or not SUMMARY.search(done.stderr.decode(errors="replace")):
        raise RuntimeError(f"kg ingest {' '.join(extra)} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return articles / seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def growth(args, workdir: Path, corpus: list[dict], figures: dict) -> None:
    from kg.store import OxigraphStore

    templates_records = corpus[: args.templates]
    measured = corpus[args.templates: args.templates + args.measured]
    singles = corpus[args.templates + args.measured: args.templates + args.measured + args.startup_rounds]
    log(f"extracting {len(templates_records)} template articles")
    templates = template_graphs(templates_records, workdir)
    log(f"{len(templates)} templates, {median([d.count(chr(10)) for _, d in templates])} triples each (median)")

    empty = OxigraphStore(workdir / "empty")
    large = OxigraphStore(prepared_large_store(args, workdir, templates, figures))
    figures["large_store"]["quads"] = len(large)
    from kg.extract import warm_up

    warm_up()
    # the same articles into both stores, in batches alternating between them, so that a machine
    # busier at one moment than at another weighs on both alike
    empty_s = empty_derive = large_s = large_derive = 0.0
    batches = [measured[i::args.batches] for i in range(args.batches)]
    for number, batch in enumerate(batches):
        path = write_jsonl(workdir / f"measured-{number}.jsonl", batch)
        order = (("empty", empty), ("large", large)) if number % 2 == 0 else (("large", large), ("empty", empty))
        for name, store in order:
            seconds, derive_seconds, summary = timed_ingest(path, store)
            log(f"  batch {number + 1}/{len(batches)} into the {name} store: {summary}, {seconds:.1f} s")
            if name == "empty":
                empty_s, empty_derive = empty_s + seconds, empty_derive + derive_seconds
            else:
                large_s, large_derive = large_s + seconds, large_derive + derive_seconds
    figures["ingest"] = {
        "articles": len(measured),
        "empty_articles_per_s": round(len(measured) / empty_s, 2),
        "large_articles_per_s": round(len(measured) / large_s, 2),
        "ratio": round(empty_s / large_s, 3),
        "goal_ratio": 0.8,
        "derive_s_empty": round(empty_derive, 3),
        "derive_s_large": round(large_derive, 3),
    }
    first = args.store_articles + 1000
    figures["write_ms_median"] = {"empty": round(write_only_ms(empty, templates, first, 50), 2),
                                  "large": round(write_only_ms(large, templates, first, 50), 2)}
    figures["one_triple_update_ms_median"] = {"large": round(update_ms(large, args.update_repeat), 2), "goal": 100}
    figures["large_store"]["quads_after"] = len(large)
    empty.close()
    large.close()
    del empty, large
    figures["one_graph_variable_update_ms_median"] = {"large": round(graph_variable_update_ms(workdir / "large", args.update_repeat), 2),
                                                      "goal": 100}
    startup(workdir, singles, figures)


def prepared_large_store(args, workdir: Path, templates, figures: dict) -> Path:
    """``workdir/large``: a copy of ``--large-store DIR`` when that holds a store of
    ``--store-articles`` generated articles, else built (and, with ``--large-store``, kept there for
    the next run). Measured writes go into the copy, so the kept store never changes."""
    from kg.store import OxigraphStore

    target = workdir / "large"
    kept = Path(args.large_store) if args.large_store else None
    stamp = kept / "bench-scale.json" if kept else None
    wanted = {"articles": args.store_articles, "templates": args.templates}
    if stamp and stamp.exists() and json.loads(stamp.read_text()).get("articles") == args.store_articles:
        log(f"copying the large store from {kept}")
        shutil.copytree(kept / "store", target)
        figures["large_store"] = {**json.loads(stamp.read_text()), "reused_from": str(kept)}
        return target
    log(f"building the large store: {args.store_articles} generated articles")
    start = time.perf_counter()
    store = OxigraphStore(target)
    bulk_fill(store, templates, args.store_articles)
    store.close()
    figures["large_store"] = {**wanted, "build_s": round(time.perf_counter() - start, 1)}
    if kept:
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir(parents=True)
        shutil.copytree(target, kept / "store")
        stamp.write_text(json.dumps(figures["large_store"]))
    return target


def graph_variable_update_ms(store_dir: Path, repeat: int) -> float:
    """Median ms of a user's update choosing its graph by a variable (``GRAPH ?g`` in the WHERE
    clause), on one subject's triples: before, such an update rebuilt the whole union."""
    from kg.store import OxigraphStore

    times = []
    with OxigraphStore(store_dir) as store:
        graph = store.graphs()[len(store.graphs()) // 3]
        store.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <https://bench.invalid/v> <https://bench.invalid/p> 0 }} }}')
        for number in range(repeat):
            start = time.perf_counter()
            store.update("DELETE { GRAPH ?g { ?s <https://bench.invalid/p> ?old } } "
                         f"INSERT {{ GRAPH ?g {{ ?s <https://bench.invalid/p> {number + 1} }} }} "
                         "WHERE { GRAPH ?g { ?s <https://bench.invalid/p> ?old } FILTER(?s = <https://bench.invalid/v>) }")
            times.append(time.perf_counter() - start)
    return median(times) * 1000


def startup(workdir: Path, singles: list[dict], figures: dict) -> None:
    """``kg ingest`` of one new article, start to exit, into the large store and into a small one,
    beside loading spaCy's English model alone (the floor under any run), rounds interleaved:
    median wall seconds and the child's CPU seconds."""
    from kg.store import OxigraphStore, ensure_ontology

    small = workdir / "small"
    with OxigraphStore(small) as store:
        ensure_ontology(store)
    floor = [sys.executable, "-c", "import kg.extract.nlp as n; n.load_model()"]
    runs: dict[str, list[tuple[float, float]]] = {"large": [], "small": [], "spaCy model alone": []}
    log(f"start-up: kg ingest of one article, {len(singles)} rounds (large store, small store, spaCy alone)")
    for number, record in enumerate(singles):
        path = write_jsonl(workdir / f"one-{number}.jsonl", [record])
        for name, argv in (("large", kg_command("ingest", str(path), "--store", str(workdir / "large"))),
                           ("small", kg_command("ingest", str(path), "--store", str(small))),
                           ("spaCy model alone", floor)):
            runs[name].append(timed_process(argv))
    figures["kg_ingest_one_s_median"] = {
        **{name: {"wall": round(median([w for w, _ in times]), 2), "cpu": round(median([c for _, c in times]), 2)}
           for name, times in runs.items()},
        "goal": 3,
    }


def timed_process(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``argv`` in the repository, which must succeed
    (``kg ingest`` exits 1 only when it rejected something: not here)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, env=kg_env(), capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors="replace")[-2000:])
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cluster_rates(args, workdir: Path, corpus: list[dict], figures: dict) -> None:
    """``kg ingest`` articles/s: 1 and 2 local Dask workers against --workers 1 and 2, alternating."""
    sys.path.insert(0, str(REPO / "tests"))
    from servers import DaskCluster

    jsonl = write_jsonl(workdir / "cluster.jsonl", corpus[: args.cluster_articles])
    rates: dict[str, list[float]] = {}
    for workers in (1, 2):
        cluster = DaskCluster(workdir, workers=workers)
        try:
            for round_number in range(args.repeat):
                for name, extra in ((f"workers_{workers}", ("--workers", str(workers))), (f"dask_{workers}", ("--scheduler", cluster.address))):
                    store = workdir / f"cluster-store-{name}-{round_number}"
                    rates.setdefault(name, []).append(cli_ingest_rate(jsonl, args.cluster_articles, str(store), *extra))
                    shutil.rmtree(store, ignore_errors=True)
                    log(f"  {name}: {rates[name][-1]:.2f} articles/s")
        finally:
            cluster.close()
    medians = {name: round(median(values), 2) for name, values in rates.items()}
    figures["cluster_articles_per_s_median"] = {**medians, "articles": args.cluster_articles,
                                                "dask_1_vs_workers_1": round(medians["dask_1"] / medians["workers_1"], 2),
                                                "dask_2_vs_workers_2": round(medians["dask_2"] / medians["workers_2"], 2)}


def remote_rate(args, workdir: Path, figures: dict, templates=None) -> None:
    """Write rate (article graphs/s, put_graph as ingest does) into Oxigraph's server against the embedded store."""
    sys.path.insert(0, str(REPO / "tests"))
    from servers import OxigraphServer

    from kg.store import OxigraphStore, RemoteSparqlStore

    if templates is None:
        corpus_file = workdir / "remote-corpus.jsonl"
        write_corpus(corpus_file, args.templates)
        templates = template_graphs(read_jsonl(corpus_file), workdir)
    server = OxigraphServer(workdir / "remote-server")
    try:
        rates = {}
        for name, store in (("embedded", OxigraphStore(workdir / "remote-embedded")), ("remote", RemoteSparqlStore(server.url))):
            start = time.perf_counter()
            write_only_ms(store, templates, 0, args.remote_articles)
            rates[name] = args.remote_articles / (time.perf_counter() - start)
            store.close()
    finally:
        server.close()
    figures["write_articles_per_s"] = {k: round(v, 1) for k, v in rates.items()}
    figures["write_articles_per_s"]["remote_vs_embedded"] = round(rates["remote"] / rates["embedded"], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store-articles", type=int, default=10_000)
    parser.add_argument("--templates", type=int, default=40)
    parser.add_argument("--measured", type=int, default=100)
    parser.add_argument("--batches", type=int, default=4, help="Ingest runs the measured articles are split into, alternating stores.")
    parser.add_argument("--update-repeat", type=int, default=7)
    parser.add_argument("--large-store", metavar="DIR", help="Keep the generated large store in DIR and reuse it "
                        "(copied into the work folder each run); built there when missing or of another size.")
    parser.add_argument("--startup-rounds", type=int, default=5, help="Rounds of the start-up figure (one new article each).")
    parser.add_argument("--skip-growth", action="store_true", help="Leave out the large-store figures.")
    parser.add_argument("--dask", action="store_true", help="Also: kg ingest with local Dask clusters of 1 and 2 workers.")
    parser.add_argument("--cluster-articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1, help="Rounds of the cluster comparison (alternating).")
    parser.add_argument("--remote", action="store_true", help="Also: write rate into `oxigraph serve` against the embedded store.")
    parser.add_argument("--remote-articles", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kg-scale-"))
    figures: dict = {}
    try:
        corpus_file = workdir / "corpus.jsonl"
        write_corpus(corpus_file, args.templates + args.measured + args.startup_rounds + 200)
        corpus = read_jsonl(corpus_file)
        if not args.skip_growth:
            growth(args, workdir, corpus, figures)
        if args.remote:
            remote_rate(args, workdir, figures)
        if args.dask:
            cluster_rates(args, workdir, corpus[args.templates:], figures)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {json.dumps(value)}")


if __name__ == "__main__":
    main()
