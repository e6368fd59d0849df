"""Whole-store and per-graph downloads, streamed: the same bytes as ``kg export``.

The store writes into one end of a pipe from a worker thread; the response reads the other end in
chunks, so memory stays flat however big the store is, and a client that goes away stops the dump
(the writer gets a broken pipe).
"""
from __future__ import annotations

import logging
import os
import threading
from typing import BinaryIO, Callable, Iterator

from flask import Blueprint, Response

from kg.formats import Format, rdf_format
from server.db import get_store
from server.errors import HTTPError

bp = Blueprint("exports", __name__)
log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# The whole store: triple formats merge every graph; TriG and N-Quads keep one graph per article.
EXPORT_FORMATS: tuple[Format, ...] = tuple(rdf_format(n) for n in ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"))


def stream_dump(write: Callable[[BinaryIO], None]) -> Iterator[bytes]:
    """Run ``write(out)`` in a thread and yield what it writes, chunk by chunk.

    >>> b"".join(stream_dump(lambda out: out.write(b"x" * 100_000)))[-3:]
    b'xxx'
    """
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=0)

    def produce() -> None:
        try:
            with os.fdopen(write_fd, "wb", buffering=CHUNK) as out:
                write(out)
        except BrokenPipeError:
            log.info("export stopped: the client went away")
        except Exception:  # noqa: BLE001 - the response is already under way; log and end it
            log.exception("export failed mid-stream")

    worker = threading.Thread(target=produce, name="kg-export", daemon=True)
    worker.start()
    try:
        while chunk := reader.read(CHUNK):
            yield chunk
    finally:
        reader.close()
        worker.join(timeout=5)


def download(write: Callable[[BinaryIO], None], fmt: Format, filename: str, *, inline: bool = False) -> Response:
    """A streamed response of ``fmt`` whose body ``write`` produces."""
    disposition = "inline" if inline else "attachment"
    response = Response(stream_dump(write), mimetype=fmt.media_type)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def graph_download(graph: str, fmt: Format, filename: str, *, inline: bool = True) -> Response:
    """One named graph (an article's, or the ontology) in ``fmt``, streamed; the quad formats
    keep the graph's name."""
    store = get_store()
    return download(lambda out: store.dump(out, fmt.engine, graph=graph), fmt, filename, inline=inline)


@bp.get("/export.<suffix>")
def export(suffix: str) -> Response:
    """The whole store: /export.ttl .nt .jsonld .rdf (union graph), .trig .nq (graph per article)."""
    fmt = next((f for f in EXPORT_FORMATS if f.suffix == suffix), None)
    if fmt is None:
        choices = ", ".join(f"/export.{f.suffix}" for f in EXPORT_FORMATS)
        raise HTTPError(404, f"no export format .{suffix}; choose one of {choices}")
    store = get_store()
    return download(lambda out: store.dump(out, fmt.engine), fmt, f"conflict-kg.{fmt.suffix}")
