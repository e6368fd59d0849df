"""`kg ingest --scheduler`: extraction on a real Dask cluster (a `dask scheduler` and two `dask worker`
processes on loopback), compared graph by graph with a local ingest of the same articles."""
import itertools
import json
import os
import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest

pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install '.[cluster]')")

from helpers import copy_seeds  # noqa: E402
from servers import DaskCluster, OxigraphServer  # noqa: E402

from kg.cluster import Cluster  # noqa: E402
from kg.derive import derived_graph, is_current  # noqa: E402
from kg.ingest import BATCH_ARTICLES, ingest  # noqa: E402
from kg.sources import Article  # noqa: E402
from kg.store import OxigraphStore, RemoteSparqlStore  # noqa: E402
from kg.store.base import _canonical  # noqa: E402
from kg.vocab import ONTOLOGY_IRI  # noqa: E402

pytestmark = pytest.mark.slow
PLACES = ["Idlib", "Aleppo", "Saraqeb", "Ariha", "Maarat al-Numan", "Jisr al-Shughur", "Azaz", "Afrin"]


_CLIENTS: dict[str, Cluster] = {}


def on(dask_cluster) -> Cluster:
    """The test cluster as ``kg.ingest.ingest`` takes it, one client per scheduler address."""
    if dask_cluster.address not in _CLIENTS:
        _CLIENTS[dask_cluster.address] = Cluster(dask_cluster.address)
    return _CLIENTS[dask_cluster.address]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = DaskCluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield started
    started.close()


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    """The seed articles and a JSON Lines file of wire reports, some about the same strike."""
    directory = copy_seeds(tmp_path_factory.mktemp("articles"), "1*")
    with (directory / "wire.jsonl").open("w") as out:
        for number in range(20):
            place = PLACES[number % len(PLACES)]
            text = (f"Government warplanes struck the town of {place} in Idlib province on Sunday, killing "
                    f"{number + 3} people and wounding {2 * number + 1}, the Syrian Observatory for Human Rights said.")
            out.write(json.dumps({"text": text, "title": f"Strike on {place}", "published": "2019-03-0" + str(1 + number % 8),
                                  "url": f"https://wire{number % 3}.example/{number}"}) + "\n")
    return directory


@pytest.fixture(scope="module")
def local(articles, tmp_path_factory):
    """The same articles ingested locally, graph by graph."""
    with OxigraphStore(tmp_path_factory.mktemp("local") / "store") as store:
        summary = ingest([str(articles)], store)
        yield summary, contents(store)


def contents(store) -> dict[str, set]:
    """Every named graph, its triples with canonical blank nodes."""
    return {g: _canonical(ox.parse(store.graph_ntriples(g), format=ox.RdfFormat.N_TRIPLES)) for g in store.graphs()
            if g != ONTOLOGY_IRI}  # `kg ingest` adds the ontology, `ingest()` does not


def test_an_embedded_store_gets_the_same_graphs_as_a_local_ingest(cluster, articles, local, tmp_path):
    ticks = []
    with OxigraphStore(tmp_path / "store") as store:
        summary = ingest([str(articles)], store, cluster=on(cluster), on_item=ticks.append)
        assert str(summary) == str(local[0]) and len(ticks) == local[0].total
        assert contents(store) == local[1]
        assert is_current(store)
        again = ingest([str(articles)], store, cluster=on(cluster))
        assert again.unchanged == local[0].total and again.added == 0


def test_a_remote_store_is_written_by_the_workers(cluster, articles, local, tmp_path):
    server = OxigraphServer(tmp_path / "remote")
    try:
        store = RemoteSparqlStore(server.url)
        summary = ingest([str(articles)], store, cluster=on(cluster))
        assert str(summary) == str(local[0])
        assert contents(store) == local[1]
        assert is_current(store) and str(derived_graph()) in store.graphs()
    finally:
        server.close()


def test_the_client_keeps_a_bounded_number_of_chunks_in_flight(cluster):
    from distributed import Client

    from kg.cluster import built_items

    consumed = itertools.count()

    def stream():
        for number in itertools.count():
            next(consumed)
            yield Article(text=f"Shelling hit the town of Idlib on day {number}, killing {number} people.", path=f"stream-{number}.txt")

    with Client(cluster.address, set_as_default=False) as client:
        results = built_items(client, itertools.islice(stream(), 19_000), in_flight=2)
        first = next(results)
        seen = next(consumed)
        results.close()
    assert first.graph and seen <= 3 * BATCH_ARTICLES + 1  # not 19,000 articles read ahead


def test_a_client_killed_mid_run_leaves_the_rerun_only_what_is_missing(cluster, articles, local, tmp_path):
    server = OxigraphServer(tmp_path / "remote")
    try:
        store = RemoteSparqlStore(server.url)
        env = dict(os.environ, KG_STORE=server.url)
        client = subprocess.Popen([sys.executable, "-m", "kg.cli", "ingest", str(articles), "--scheduler", cluster.address],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and client.poll() is None:
            if sum("/graph/article-" in g for g in store.graphs()) >= 2:
                break
            time.sleep(0.2)
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        assert client.returncode == -signal.SIGKILL, "the run ended before it could be killed"
        written = sum("/graph/article-" in g for g in store.graphs())
        summary = ingest([str(articles)], store, cluster=on(cluster))
        assert summary.unchanged >= 2 and summary.total == local[0].total
        assert summary.added + summary.unchanged + summary.replaced == local[0].total - len(local[0].rejected)
        assert written < local[0].total
        assert contents(store) == local[1]
    finally:
        server.close()


def test_a_worker_killed_mid_run_loses_nothing_and_writes_nothing_twice(cluster, articles, local, tmp_path):
    killed = []

    def kill_one_worker(_origin):
        if not killed:
            victim = cluster.alive()[0]
            victim.send_signal(signal.SIGKILL)
            killed.append(victim)

    try:
        with OxigraphStore(tmp_path / "store") as store:
            summary = ingest([str(articles)], store, cluster=on(cluster), on_item=kill_one_worker)
            assert killed and killed[0].wait(10) == -signal.SIGKILL
            assert str(summary) == str(local[0])
            assert contents(store) == local[1]
    finally:
        cluster.add_worker()
        cluster.wait_for(2)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli
    from helpers import free_port

    article = tmp_path / "a.txt"
    article.write_text("Shelling hit the town of Idlib on Monday, killing four people.\n")
    address = f"tcp://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(cli, ["ingest", str(article), "--scheduler", address, "--store", str(tmp_path / "store")])
    assert result.exit_code == 1 and f"cannot reach the Dask scheduler at {address}" in result.output
