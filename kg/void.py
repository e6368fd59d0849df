"""The dataset described in VoID (https://www.w3.org/TR/void/): size, entities per class, the
SPARQL endpoint, the dumps, and the ``owl:sameAs`` linksets to Wikidata and GeoNames.

Every figure is counted by SPARQL on the store when the description is asked for.
"""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, VOID, XSD

from kg.formats import EXPORT_FORMATS, PREFIXES, sparql_prologue
from kg.store.base import GraphStore
from kg.vocab import CKG_NS, WD

GEONAMES_SPACE = "https://sws.geonames.org/"
_COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_COUNT_CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(STRSTARTS(STR(?class), STR(ckg:))) } GROUP BY ?class ORDER BY ?class"
_COUNT_LINKS = "SELECT (COUNT(*) AS ?n) WHERE {{ ?s owl:sameAs ?o FILTER(STRSTARTS(STR(?o), \"{space}\")) }}"
_COUNT_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), \"{base}\")) }}"


def server_root(base: str) -> str:
    """The root of the server minting IRIs under ``base`` (``http://h/`` for ``http://h/id/``)."""
    from kg.jsonld import context_url

    return context_url(base)[: -len("context.jsonld")]


def describe(store: GraphStore, base: str) -> Graph:
    """The VoID description of the store's data, as an rdflib graph."""
    root = server_root(base)
    dataset = URIRef(root + ".well-known/void#dataset")
    g = Graph()
    for prefix, iri in {**PREFIXES, "void": str(VOID), "wd": str(WD)}.items():
        g.bind(prefix, iri)
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("conflict-kg: attacks, actors, places and claims read from news articles")))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    g.add((dataset, VOID.vocabulary, URIRef(CKG_NS)))
    for fmt in EXPORT_FORMATS:
        if fmt.engine is not None:
            g.add((dataset, VOID.dataDump, URIRef(f"{root}export.{fmt.suffix}")))
    g.add((dataset, VOID.triples, _count(store, _COUNT_TRIPLES)))
    g.add((dataset, VOID.entities, _count(store, _COUNT_ENTITIES.format(base=base))))
    _class_partitions(g, dataset, store)
    for name, target, space in (("wikidata", URIRef("https://www.wikidata.org/"), str(WD)),
                                ("geonames", URIRef("https://www.geonames.org/"), GEONAMES_SPACE)):
        _linkset(g, dataset, URIRef(f"{root}.well-known/void#{name}"), target, _count(store, _COUNT_LINKS.format(space=space)))
    return g


def _class_partitions(g: Graph, dataset: URIRef, store: GraphStore) -> None:
    for row in store.query(_prefixed(_COUNT_CLASSES)):
        part = BNode()
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(row["class"].value)))
        g.add((part, VOID.entities, Literal(int(row["n"].value), datatype=XSD.integer)))


def _linkset(g: Graph, dataset: URIRef, linkset: URIRef, target: URIRef, triples: Literal) -> None:
    g.add((dataset, VOID.subset, linkset))
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    g.add((linkset, VOID.subjectsTarget, dataset))
    g.add((linkset, VOID.objectsTarget, target))
    g.add((linkset, VOID.triples, triples))


def _prefixed(query: str) -> str:
    return sparql_prologue() + query


def _count(store: GraphStore, query: str) -> Literal:
    row = next(iter(store.query(_prefixed(query))))
    return Literal(int(row["n"].value), datatype=XSD.integer)
