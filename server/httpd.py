"""The HTTP server under ``kg serve``: granian (Rust, hyper) in this process, or waitress.

Chosen on figures (``python bench/endpoint.py``, its HTTP servers table, 8 threads each, the three
interleaved): on a bare WSGI app granian's p50 was 0.74 of waitress's and gunicorn's 1.45, with
1.4 and 2.0 times gunicorn's throughput under 16 clients (its p99 there was waitress's worst case:
5.8 ms against 3.5); on ``/sparql`` (this app) granian had the lowest p50 (0.95 of waitress's), the
lowest p99 (3.8 ms against 5.5 and 4.1) and 1.7 times waitress's 16-client throughput.

granian normally runs the app in worker processes it forks. ``kg serve`` runs it in its own
process instead (granian's threaded server, as it runs on free-threaded Python, here under the
GIL: the Rust side parses HTTP and holds the connections, a pool of ``threads`` Python threads runs
the app). So the process that holds the store's writer, the query workers and the snapshots is the
one answering, a startup error (the store is in use) is printed before anything listens, and
SIGTERM or Ctrl-C stops the listener, then the process exits through its ``atexit`` clean-up
(workers stopped, snapshots removed). The parts of granian used that are not its command line are
its server classes (``granian.server``); the version is pinned to a minor release in
``pyproject.toml`` for that reason.
"""
from __future__ import annotations

SERVERS = ("granian", "waitress")


def check_address(host: str, port: int) -> None:
    """OSError if nothing may listen on ``host:port`` (another server has it).

    granian binds with ``SO_REUSEPORT``, so a second ``kg serve`` on a taken port would start and
    silently share the port's connections with the first; a plain bind says "in use" instead.
    """
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a just-stopped server's TIME_WAIT is no obstacle
        probe.bind((host, port))


def run(app, *, host: str, port: int, threads: int, server: str = "granian") -> None:
    """Serve ``app`` until SIGINT or SIGTERM.

    What is loaded by now (the app, its libraries) stays for the life of the process, so it is moved
    out of the garbage collector's sight (``gc.freeze``): a full collection then walks only what
    requests allocate, not every object of Flask, rdflib and pyoxigraph, which shows at p99.
    """
    import gc

    gc.collect()
    gc.freeze()
    if server == "waitress":
        import waitress

        waitress.serve(app, host=host, port=port, threads=threads, ident="kg", _quiet=True)
        return
    if server != "granian":
        raise ValueError(f"unknown HTTP server {server!r}; choose one of {', '.join(SERVERS)}")
    _granian_server(app, host=host, port=port, threads=threads).serve(target_loader=lambda *_: app, wrap_loader=False)


def _granian_server(app, *, host: str, port: int, threads: int):
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server.common import AbstractServer
    from granian.server.mt import MTServer

    class InProcessServer(MTServer):
        """granian's threaded server, running the app in this process."""

        def _check_gil(self) -> None:
            """Under the GIL the WSGI threads take turns, as in granian's own worker processes."""

        def serve(self, spawn_target=None, target_loader=None, wrap_loader=True):
            AbstractServer.serve(self, spawn_target, target_loader, wrap_loader)  # without the free-threading notice

    return InProcessServer(
        "kg",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=threads,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(keep_alive=True),
        websockets=False,
        log_level="warning",
    )
