"""One table of serialization formats, looked up by short name, file suffix or media type.

An RDF or SPARQL results format takes its suffix and media type from pyoxigraph's own
``RdfFormat`` / ``QueryResultsFormat``; only the names and aliases we accept are ours.

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
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

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


def _engine_format(name: str, engine, aliases: tuple[str, ...] = ()) -> Format:
    """A format whose suffix, media type (without parameters) and dataset support are pyoxigraph's.

    >>> _engine_format("csv", ox.QueryResultsFormat.CSV).media_type
    'text/csv'
    """
    quads = bool(getattr(engine, "supports_datasets", False))
    return Format(name, engine.file_extension, engine.media_type.split(";")[0], aliases, engine, quads)


RDF_FORMATS: tuple[Format, ...] = (
    _engine_format("turtle", ox.RdfFormat.TURTLE, ("application/x-turtle",)),
    _engine_format("ntriples", ox.RdfFormat.N_TRIPLES, ("n-triples", "text/plain")),
    _engine_format("nquads", ox.RdfFormat.N_QUADS, ("n-quads", "text/x-nquads")),
    _engine_format("trig", ox.RdfFormat.TRIG, ("application/x-trig",)),
    _engine_format("jsonld", ox.RdfFormat.JSON_LD, ("json-ld", "json", "application/json")),
    _engine_format("rdfxml", ox.RdfFormat.RDF_XML, ("xml", "rdf/xml", "owl")),
    _engine_format("n3", ox.RdfFormat.N3),
)

RESULTS_FORMATS: tuple[Format, ...] = (
    _engine_format("json", ox.QueryResultsFormat.JSON, ("application/json",)),
    _engine_format("xml", ox.QueryResultsFormat.XML, ("application/xml", "text/xml")),
    _engine_format("csv", ox.QueryResultsFormat.CSV),
    _engine_format("tsv", ox.QueryResultsFormat.TSV),
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
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "geo": str(GEO),
    "sem": str(SEM),
    "prov": str(PROV),
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


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """``PREFIX`` lines for every prefix of ``prefixes`` (default :data:`PREFIXES`), to put in
    front of a query: the one place they are written.

    >>> sparql_prologue({"ex": "http://e.x/"})
    'PREFIX ex: <http://e.x/>\\n'
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (PREFIXES if prefixes is None else prefixes).items())
