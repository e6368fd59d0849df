"""The same ingest and query path against a remote SPARQL 1.1 server (Oxigraph's, on loopback)."""
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from helpers import free_port, oxigraph_cli
from kg.cli import cli

OXIGRAPH = oxigraph_cli()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server CLI (PyPI: oxigraph) is not installed"),
]


@pytest.fixture
def server_url(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "remote"), "--bind", f"127.0.0.1:{port}", ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(10)


def test_ingest_query_and_export_through_a_remote_server(server_url, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Government artillery shelled the town of Idlib on Monday, killing four people.\n")
    run = lambda *args: CliRunner().invoke(cli, [*args, "--store", server_url], catch_exceptions=False)  # noqa: E731
    assert "1 added" in run("ingest", str(article)).output
    assert "1 unchanged" in run("ingest", str(article)).output
    article.write_text("Rebels shelled the town of Idlib on Tuesday, killing two people.\n")
    assert "1 replaced" in run("ingest", str(article)).output
    out = run("query", "--format", "csv", "SELECT (COUNT(*) AS ?n) { ?a a ckg:Article ; ckg:text ?t FILTER CONTAINS(?t, 'Rebels') }")
    assert out.output.splitlines() == ["n", "1"]
    quads = run("export", "--format", "nquads").output
    assert "/graph/article-" in quads and "Government artillery" not in quads


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    result = CliRunner().invoke(cli, ["query", "ASK {}", "--store", url])
    assert result.exit_code != 0 and "cannot reach the SPARQL server" in result.output


MEASURE_PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.write(done.stderr.decode(errors="replace"))
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_exporting_a_million_triples_from_a_remote_store_streams(tmp_path):
    """The answers are parsed as they arrive: the export's peak memory stays far below the data."""
    from servers import OxigraphServer

    data = tmp_path / "million.nq"
    with data.open("w") as out:
        for number in range(1_000_000):
            triple = f'<http://e.x/id/attack/a{number // 10}> <http://e.x/p{number % 10}> "value {number} of a long enough literal" '
            out.write(triple + f"<http://e.x/id/graph/g{number // 1000}> .\n")
            out.write(triple + ".\n")  # the union default graph
    subprocess.run([OXIGRAPH, "load", "--location", str(tmp_path / "remote"), "--file", str(data)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data.unlink()
    server = OxigraphServer(tmp_path / "remote")
    try:
        for fmt in ("nquads", "turtle"):
            output = tmp_path / f"export.{fmt}"
            command = [sys.executable, "-m", "kg.cli", "export", "--format", fmt, "--store", server.url, "-o", str(output)]
            done = subprocess.run([sys.executable, "-c", MEASURE_PEAK, *command], capture_output=True, text=True, timeout=600)
            code, peak_kib = map(int, done.stdout.split())
            assert code == 0, done.stderr
            with output.open("rb") as handle:
                lines = sum(1 for _ in handle)
            assert lines >= 1_000_000 if fmt == "nquads" else lines > 100_000
            assert peak_kib < 200 * 1024, f"kg export --format {fmt} peaked at {peak_kib / 1024:.0f} MB"
            output.unlink()
    finally:
        server.close()
