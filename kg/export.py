"""The whole-store export, one function for `kg export` and the server's downloads, so both write
the same bytes.

- Turtle and TriG declare the prefixes of :func:`kg.formats.export_prefixes` (``ckg:``, ``attack:``
  ...), subjects grouped as the store holds them; TriG and N-Quads keep one graph per article.
- JSON-LD is compact, with the context of :mod:`kg.jsonld`.
- ``events-csv`` and ``geojson`` are the attack tables of :mod:`kg.events`.

Everything is streamed from the store except the tables, which are built from a few SPARQL
queries first (one row per attack).
"""
from __future__ import annotations

from typing import BinaryIO

from kg.formats import Format, export_prefixes
from kg.store.base import GraphStore

UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def write_export(store: GraphStore, out: BinaryIO, fmt: Format, base: str) -> None:
    """Write the whole store in ``fmt`` (from :data:`kg.formats.EXPORT_FORMATS`) to ``out``."""
    if fmt.name == "jsonld":
        from kg.jsonld import write_jsonld

        write_jsonld(store.query(UNION), out, base)
    elif fmt.name in ("events-csv", "geojson"):
        from kg import events

        rows = events.event_rows(store)
        (events.write_csv if fmt.name == "events-csv" else events.write_geojson)(rows, out)
    else:
        store.dump(out, fmt.engine, prefixes=export_prefixes(base))


def write_graph(store: GraphStore, out: BinaryIO, fmt: Format, graph: str, base: str) -> None:
    """Write one named graph (an article's, the ontology) in an RDF ``fmt``, prefixes declared."""
    if fmt.name == "jsonld":
        from kg.jsonld import write_jsonld
        from kg.store.union import sparql_iri

        write_jsonld(store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}"), out, base)
    else:
        store.dump(out, fmt.engine, graph=graph, prefixes=export_prefixes(base))
