"""The ``kg`` program: the core package's commands (:mod:`kg.cli`) and ``kg serve``.

It sits above both packages, as Datasette's ``cli.py`` sits above its app: ``kg`` (extraction,
RDF, the store) never imports ``server``, and ``server`` is loaded only when ``kg serve`` runs, so
``kg ingest`` loads nothing of the web package.

>>> sorted(program.commands)
['export', 'ingest', 'query', 'serve', 'train', 'validate']
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import cli as core
from kg.cli import store_option
from kg.store import StoreError, is_remote


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--query-timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a SPARQL query may run before it is stopped (the client gets a 503).")
@click.option("--stream-timeout", default=None, type=click.FloatRange(min=0.1),
              help="Seconds a query may work in all while its answer streams (default: 10 x --query-timeout).")
@click.option("--query-workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes running SPARQL queries (each query runs in one).")
@click.option("--query-memory", default=2048, show_default=True, type=click.IntRange(0),
              help="MiB of memory one query may use before it is stopped (0: no limit).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads serving HTTP requests.")
@click.option("--http-server", default="granian", show_default=True, type=click.Choice(["granian", "waitress"]),
              help="The HTTP server: granian (Rust; the faster, see bench/endpoint.py) or waitress (pure Python).")
@click.option("--update-token", envvar="KG_UPDATE_TOKEN", default=None,
              help="Enable SPARQL Update for requests carrying 'Authorization: Bearer TOKEN' (also KG_UPDATE_TOKEN).")
def serve(store_dir, host, port, query_timeout, stream_timeout, query_workers, query_memory, threads, http_server,
          update_token) -> None:
    """Serve the SPARQL endpoint, linked-data pages and exports over the store.

    The server holds the store (stop it before `kg ingest` on the same store). Queries run in
    separate worker processes on a snapshot of the store, without network access, and are stopped
    after --query-timeout seconds without an answer (or --stream-timeout seconds of work while the
    answer streams). Served by granian in this process (--http-server waitress for the pure-Python
    server).
    """
    from server import create_app
    from server.httpd import check_address, run

    if not is_remote(store_dir) and not Path(store_dir).exists():
        raise click.ClickException(f"no store at {store_dir}: run `kg ingest PATH` first, or pass --store")
    try:
        check_address(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        app = create_app({"STORE": store_dir, "QUERY_TIMEOUT": query_timeout, "QUERY_WORKERS": query_workers,
                          "QUERY_MEMORY_MB": query_memory, "QUERY_STREAM_TIMEOUT": stream_timeout,
                          "UPDATE_TOKEN": update_token, "WARM_UP": True})
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot snapshot the store for the query workers: {exc}") from None
    click.echo(f"serving {store_dir} on http://{host}:{port}/ (SPARQL at /sparql)", err=True)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # exit cleanly: query workers and snapshots go too
    run(app, host=host, port=port, threads=threads, server=http_server)


program = click.Group(
    "kg", commands=[*core.cli.commands.values(), serve], help=core.cli.help, params=core.cli.params,
    context_settings=core.cli.context_settings,
)


def main() -> None:
    """The ``kg`` command (see :func:`kg.cli.main`)."""
    core.main(program)


if __name__ == "__main__":
    main()
