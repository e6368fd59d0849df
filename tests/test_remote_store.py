"""The same ingest and query path against a remote SPARQL 1.1 server (Oxigraph's, on loopback)."""
import socket
import subprocess
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
