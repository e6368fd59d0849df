"""Whole-store and per-graph downloads, streamed: the same bytes as ``kg export``.

The store writes into one end of a pipe from a worker thread; the response reads the other end in
chunks, so memory stays flat however big the store is, and a client that goes away stops the dump
(the writer gets a broken pipe).
"""
from __future__ import annotations

import io
import json
import logging
import os
import threading
from typing import BinaryIO, Callable, Iterator

import pyoxigraph as ox

from flask import Blueprint, Response, copy_current_request_context, current_app, render_template, request

from kg.export import write_export, write_graph
from kg.formats import TABLE_FORMATS, Format, export_prefixes, rdf_format
from server.db import get_store
from server.errors import HTTPError

bp = Blueprint("exports", __name__)
log = logging.getLogger(__name__)

CHUNK = 64 * 1024
# The whole store: triple formats merge every graph; TriG and N-Quads keep one graph per article.
EXPORT_FORMATS: tuple[Format, ...] = tuple(rdf_format(n) for n in ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"))
VOID_FORMATS: tuple[Format, ...] = tuple(rdf_format(n) for n in ("turtle", "ntriples", "jsonld", "rdfxml"))
# What each download is, for the exports page.
DESCRIPTIONS = {
    "turtle": ("Turtle", "every graph merged, prefixes declared"),
    "ntriples": ("N-Triples", "every graph merged, one triple a line"),
    "jsonld": ("JSON-LD", "every graph merged, compact, with the context at /context.jsonld"),
    "rdfxml": ("RDF/XML", "every graph merged"),
    "trig": ("TriG", "one named graph per article, prefixes declared"),
    "nquads": ("N-Quads", "one named graph per article, one quad a line"),
    "events-csv": ("Events table (CSV)", "one row per attack, ACLED's columns then ours; opens in a spreadsheet or pandas"),
    "geojson": ("Events (GeoJSON)", "one point per attack with coordinates, the table's columns as properties; opens in QGIS"),
}


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
    # the writer runs in a thread after the view has returned: it keeps this request's context (its
    # queries go to the query workers within the request's time limit)
    response = Response(stream_dump(copy_current_request_context(write)), mimetype=fmt.media_type)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def graph_download(graph: str, fmt: Format, filename: str, *, inline: bool = True) -> Response:
    """One named graph (an article's, or the ontology) in ``fmt``, streamed; the quad formats
    keep the graph's name."""
    store, base = get_store(), current_app.config["BASE_IRI"]
    return download(lambda out: write_graph(store, out, fmt, graph, base), fmt, filename, inline=inline)


def export_download(fmt: Format) -> Response:
    """The whole store in ``fmt``: the bytes `kg export --format NAME` writes."""
    store, base = get_store(), current_app.config["BASE_IRI"]
    filename = "conflict-kg-events." + fmt.suffix if fmt in TABLE_FORMATS else f"conflict-kg.{fmt.suffix}"
    return download(lambda out: write_export(store, out, fmt, base), fmt, filename)


def export_links() -> list[dict]:
    """Every download with its address, media type and what it holds."""
    links = [(f"/export.{f.suffix}", f) for f in EXPORT_FORMATS] + [(f"/export/events.{f.suffix}", f) for f in TABLE_FORMATS]
    return [{"href": href, "name": f.name, "media_type": f.media_type, "label": DESCRIPTIONS[f.name][0],
             "about": DESCRIPTIONS[f.name][1], "command": f"kg export --format {f.name}"} for href, f in links]


@bp.get("/export.<suffix>")
def export(suffix: str) -> Response:
    """The whole store: /export.ttl .nt .jsonld .rdf (union graph), .trig .nq (graph per article)."""
    fmt = next((f for f in EXPORT_FORMATS if f.suffix == suffix), None)
    if fmt is None:
        choices = ", ".join(link["href"] for link in export_links())
        raise HTTPError(404, f"no export format .{suffix}; choose one of {choices}")
    return export_download(fmt)


@bp.get("/export/events.<suffix>")
def events(suffix: str) -> Response:
    """The events table: /export/events.csv, /export/events.geojson."""
    fmt = next((f for f in TABLE_FORMATS if f.suffix == suffix), None)
    if fmt is None:
        choices = ", ".join(f"/export/events.{f.suffix}" for f in TABLE_FORMATS)
        raise HTTPError(404, f"no events table format .{suffix}; choose one of {choices}")
    return export_download(fmt)


@bp.get("/exports")
def exports_page() -> Response:
    """The downloads, each with its media type and the `kg export` command writing the same."""
    return Response(render_template("exports.html", exports=export_links()), mimetype="text/html")


@bp.get("/context.jsonld")
def jsonld_context() -> Response:
    """The JSON-LD context every JSON-LD document of this server references."""
    from kg.jsonld import context

    response = Response(json.dumps(context(current_app.config["BASE_IRI"]), indent=1), mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # JSON-LD processors in browsers fetch it cross-origin
    return response


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset, in the RDF format ``Accept`` asks for (Turtle by default)."""
    from kg.void import describe
    from server.negotiation import negotiate

    fmt = negotiate(request.headers.get("Accept"), VOID_FORMATS, default="turtle")
    if fmt is None:
        offered = ", ".join(f.media_type for f in VOID_FORMATS)
        raise HTTPError(406, f"cannot answer with any type in Accept: {request.headers.get('Accept')}; available: {offered}")
    graph = describe(get_store(), current_app.config["BASE_IRI"])
    response = Response(rdf_bytes(_ox_triples(graph), fmt, extra_prefixes={"void": "http://rdfs.org/ns/void#"}), mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response


def rdf_bytes(triples, fmt: Format, *, extra_prefixes: dict | None = None) -> bytes:
    """Triples (pyoxigraph) serialized in a triple ``fmt``: JSON-LD compact with the context,
    Turtle with the export prefixes."""
    base = current_app.config["BASE_IRI"]
    if fmt.name == "jsonld":
        from kg.jsonld import write_jsonld

        out = io.BytesIO()
        write_jsonld(triples, out, base)
        return out.getvalue()
    prefixes = {**export_prefixes(base), **(extra_prefixes or {})} if fmt.name == "turtle" else None
    return ox.serialize(triples, format=fmt.engine, prefixes=prefixes)


def _ox_triples(graph) -> list:
    """An rdflib graph's triples as pyoxigraph triples, through N-Triples."""
    return [quad.triple for quad in ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)]
