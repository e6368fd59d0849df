"""One table of serialization formats, looked up by short name, file suffix or media type.

>>> rdf_format("ttl").media_type
'text/turtle'
>>> rdf_format("application/n-quads").name
'nquads'
>>> results_format("json").media_type
'application/sparql-results+json'
>>> rdf_format("yaml")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
...
kg.formats.UnknownFormat: unknown RDF format 'yaml'; choose one of turtle, ntriples, nquads, trig, jsonld, rdfxml, n3
>>> export_format("application/geo+json").name
'geojson'
>>> export_format("csv").name
'events-csv'
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.vocab import CKG_NS, GEO, SEM, WD


class UnknownFormat(ValueError):
    """No format matches the name, suffix or media type given."""


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    aliases: tuple[str, ...]
    engine: object  # ox.RdfFormat or ox.QueryResultsFormat
    quads: bool = False  # keeps named graphs

    def matches(self, key: str) -> bool:
        key = key.strip().lower().lstrip(".")
        return key in (self.name, self.suffix, self.media_type, *self.aliases)


RDF_FORMATS: tuple[Format, ...] = (
    Format("turtle", "ttl", "text/turtle", ("application/x-turtle",), ox.RdfFormat.TURTLE),
    Format("ntriples", "nt", "application/n-triples", ("n-triples", "text/plain"), ox.RdfFormat.N_TRIPLES),
    Format("nquads", "nq", "application/n-quads", ("n-quads", "text/x-nquads"), ox.RdfFormat.N_QUADS, quads=True),
    Format("trig", "trig", "application/trig", ("application/x-trig",), ox.RdfFormat.TRIG, quads=True),
    Format("jsonld", "jsonld", "application/ld+json", ("json-ld", "json", "application/json"), ox.RdfFormat.JSON_LD),
    Format("rdfxml", "rdf", "application/rdf+xml", ("xml", "rdf/xml", "owl"), ox.RdfFormat.RDF_XML),
    Format("n3", "n3", "text/n3", (), ox.RdfFormat.N3),
)

RESULTS_FORMATS: tuple[Format, ...] = (
    Format("json", "srj", "application/sparql-results+json", ("application/json",), ox.QueryResultsFormat.JSON),
    Format("xml", "srx", "application/sparql-results+xml", ("application/xml", "text/xml"), ox.QueryResultsFormat.XML),
    Format("csv", "csv", "text/csv", (), ox.QueryResultsFormat.CSV),
    Format("tsv", "tsv", "text/tab-separated-values", (), ox.QueryResultsFormat.TSV),
)

# Tables of the attacks (kg.events), for spreadsheets, pandas and GIS; not RDF, so no engine.
TABLE_FORMATS: tuple[Format, ...] = (
    Format("events-csv", "csv", "text/csv", ("events.csv",), None),
    Format("geojson", "geojson", "application/geo+json", ("events.geojson", "events-geojson"), None),
)
# What `kg export` and the server's downloads offer: the whole store in every RDF format, and the tables.
EXPORT_FORMATS: tuple[Format, ...] = tuple(
    f for f in RDF_FORMATS if f.name != "n3"
) + TABLE_FORMATS

PREFIXES: dict[str, str] = {
    "ckg": CKG_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "geo": str(GEO),
    "sem": str(SEM),
    "prov": "http://www.w3.org/ns/prov#",
}


def _lookup(table: tuple[Format, ...], key: str, what: str) -> Format:
    for fmt in table:
        if fmt.matches(key):
            return fmt
    names = ", ".join(f.name for f in table)
    raise UnknownFormat(f"unknown {what} format {key!r}; choose one of {names}")


def rdf_format(key: str) -> Format:
    """The RDF serialization named by a short name, suffix or media type."""
    return _lookup(RDF_FORMATS, key, "RDF")


def results_format(key: str) -> Format:
    """The SPARQL results serialization named by a short name, suffix or media type."""
    return _lookup(RESULTS_FORMATS, key, "results")


def export_format(key: str) -> Format:
    """A format of the whole-store export (RDF or an events table) by short name, suffix or media type."""
    return _lookup(EXPORT_FORMATS, key, "export")


def export_prefixes(base: str) -> dict[str, str]:
    """The prefixes written into exports: :data:`PREFIXES`, Wikidata's ``wd:``, and one per kind of
    minted IRI under ``base`` (``attack:``, ``actor:``, ``place:`` ...), so data IRIs read short.

    >>> export_prefixes("http://x/id/")["attack"]
    'http://x/id/attack/'
    """
    from kg.iris import KINDS

    minted = {kind: f"{base}{kind}/" for kind in KINDS}
    return {**PREFIXES, "wd": str(WD), **minted}


def sparql_prologue() -> str:
    """``PREFIX`` lines for every prefix in :data:`PREFIXES`, to put in front of a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
