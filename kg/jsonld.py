"""Compact JSON-LD: a ``@context`` naming every term of the ontology, and a streamed writer using it.

The context (served at ``/context.jsonld``) maps short keys to the vocabulary: ``"killed": 25``,
``"perpetrator": "actor:q2429253"``, ``"@type": ["Airstrike", "Attack"]``. Documents reference it
by URL, so every JSON-LD document of one server has the same short keys. The writer turns a stream
of triples (grouped by subject, as the store returns them) into one node object per subject run,
one per line, so memory stays flat however big the store is. A value the context cannot say
briefly (a datatype other than the term's, a language tag) is written as a full value object, so
the document always reads back as exactly the triples written.

>>> import io, pyoxigraph as ox
>>> s, killed = ox.NamedNode("http://x/id/attack/a"), ox.NamedNode(CKG_NS + "killed")
>>> out = io.BytesIO()
>>> write_jsonld([ox.Triple(s, killed, ox.Literal("25", datatype=ox.NamedNode(XSD + "integer")))], out, "http://x/id/")
>>> print(out.getvalue().decode())
{"@context": "http://x/context.jsonld",
"@graph": [
{"@id": "attack:a", "killed": 25}
]}
<BLANKLINE>
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import BinaryIO, Iterable
from urllib.parse import urljoin

import pyoxigraph as ox

from kg.formats import PREFIXES, export_prefixes
from kg.vocab import CKG_NS, ONTOLOGY_FILE

XSD = PREFIXES["xsd"]
RDF_TYPE = PREFIXES["rdf"] + "type"
_SAFE_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
# Terms outside ckg: that every document uses, with their coercion (None: strings as they are).
_FOREIGN_TERMS = {
    "label": ("rdfs:label", None),
    "altLabel": ("skos:altLabel", None),
    "title": ("dcterms:title", None),
    "issued": ("dcterms:issued", "xsd:date"),
    "creator": ("dcterms:creator", None),
    "publisher": ("dcterms:publisher", None),
    "source": ("dcterms:source", "@id"),
    "language": ("dcterms:language", None),
    "lat": ("geo:lat", "xsd:decimal"),
    "long": ("geo:long", "xsd:decimal"),
    "sameAs": ("owl:sameAs", "@id"),
}
_COERCED_DATATYPES = {"xsd:decimal", "xsd:date"}  # integers and booleans are JSON numbers and booleans


def context_url(base: str) -> str:
    """Where the context is served: ``/context.jsonld`` at the root of the server minting ``base``.

    >>> context_url("http://localhost:5000/id/")
    'http://localhost:5000/context.jsonld'
    """
    root = base[: -len("id/")] if base.endswith("/id/") else urljoin(base, "/")
    return root + "context.jsonld"


@lru_cache(maxsize=8)
def context(base: str) -> dict:
    """The ``@context`` object: the export prefixes, then a term per ontology term and per common
    foreign property, each with its coercion."""
    terms: dict = dict(export_prefixes(base))
    for name, (iri, coercion) in {**_ontology_terms(), **_FOREIGN_TERMS}.items():
        if name in terms:
            raise ValueError(f"JSON-LD term {name!r} would be defined twice")
        terms[name] = {"@id": iri, "@type": coercion} if coercion else iri
    return {"@context": terms}


@lru_cache(maxsize=1)
def _ontology_terms() -> dict[str, tuple[str, str | None]]:
    """Every ``ckg:`` class and property as a term: object properties take IRIs, datatype
    properties with an ``xsd:decimal`` or ``xsd:date`` range that datatype."""
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF, RDFS

    graph = Graph().parse(ONTOLOGY_FILE, format="turtle")
    terms: dict[str, tuple[str, str | None]] = {}
    for kind, coercion in ((OWL.Class, None), (OWL.ObjectProperty, "@id"), (OWL.DatatypeProperty, None),
                           (OWL.AnnotationProperty, None)):
        for subject in graph.subjects(RDF.type, kind):
            if not str(subject).startswith(CKG_NS):
                continue
            name = str(subject)[len(CKG_NS):]
            if kind == OWL.DatatypeProperty:
                datatype = _first_datatype(graph, graph.value(subject, RDFS.range))
                short = f"xsd:{datatype[len(XSD):]}" if datatype and str(datatype).startswith(XSD) else None
                coercion = short if short in _COERCED_DATATYPES else None
            terms.setdefault(name, (f"ckg:{name}", coercion))
    return dict(sorted(terms.items()))


def _first_datatype(graph, range_):
    """A range's datatype, or the first of a union of datatypes (ckg:date: xsd:date, then months
    and years)."""
    from rdflib import BNode
    from rdflib.collection import Collection
    from rdflib.namespace import OWL

    if isinstance(range_, BNode) and (members := graph.value(range_, OWL.unionOf)) is not None:
        return next(iter(Collection(graph, members)), None)
    return range_


class _Compactor:
    """Turns IRIs, predicates and values into their short forms under one context."""

    def __init__(self, base: str):
        ctx = context(base)["@context"]
        self.prefixes = sorted(((iri, p) for p, iri in ctx.items() if isinstance(iri, str) and iri.endswith(("/", "#"))),
                               key=lambda pair: -len(pair[0]))
        self.by_iri: dict[str, tuple[str, str | None]] = {}
        for name, definition in ctx.items():
            iri, coercion = (definition, None) if isinstance(definition, str) else (definition["@id"], definition["@type"])
            if ":" in iri and not iri.endswith(("/", "#")):
                self.by_iri[self.expand(iri)] = (name, coercion)

    def expand(self, compact: str) -> str:
        prefix, local = compact.split(":", 1)
        return next((iri + local for iri, p in self.prefixes if p == prefix), compact)

    def iri(self, value: str) -> str:
        """``prefix:local`` when a prefix covers the IRI and the rest is a plain name, else the IRI."""
        for iri, prefix in self.prefixes:
            if value.startswith(iri) and _SAFE_LOCAL.match(value[len(iri):]):
                return f"{prefix}:{value[len(iri):]}"
        return value

    def node_id(self, term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def key(self, predicate: str) -> tuple[str, str | None]:
        """The key a predicate is written under, and the coercion that key applies."""
        return self.by_iri.get(predicate) or (self.iri(predicate), None)

    def type_name(self, iri: str) -> str:
        found = self.by_iri.get(iri)
        return found[0] if found and found[1] is None else self.iri(iri)

    def value(self, term, coercion: str | None):
        """A JSON value reading back as ``term`` under a key with ``coercion``."""
        if not isinstance(term, ox.Literal):
            ref = self.node_id(term)
            return ref if coercion == "@id" else {"@id": ref}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = self.iri(term.datatype.value)
        if coercion is None and datatype == "xsd:string":
            return term.value
        if coercion is not None and datatype == coercion:
            return term.value
        if coercion is None and datatype == "xsd:integer" and re.fullmatch(r"-?(0|[1-9][0-9]*)", term.value):
            return int(term.value)
        if coercion is None and datatype == "xsd:boolean" and term.value in ("true", "false"):
            return term.value == "true"
        if datatype == "xsd:string":
            return {"@value": term.value}
        return {"@value": term.value, "@type": datatype}


def write_jsonld(triples: Iterable, out: BinaryIO, base: str) -> None:
    """Write ``triples`` as a compact JSON-LD document referencing :func:`context_url`, one node
    object per run of triples with the same subject."""
    compact = _Compactor(base)
    out.write(f'{{"@context": {json.dumps(context_url(base))},\n"@graph": ['.encode())
    first, subject, node = True, None, None
    for triple in triples:
        if triple.subject != subject:
            if node is not None:
                first = _write_node(out, node, first)
            subject, node = triple.subject, {"@id": compact.node_id(triple.subject)}
        _add(node, compact, triple)
    if node is not None:
        _write_node(out, node, first)
    out.write(b"\n]}\n")


def _add(node: dict, compact: _Compactor, triple) -> None:
    """Add one triple's predicate and object to the subject's node object."""
    if triple.predicate.value == RDF_TYPE and not isinstance(triple.object, ox.Literal):
        key = "@type"
        value = compact.type_name(triple.object.value) if isinstance(triple.object, ox.NamedNode) else f"_:{triple.object.value}"
    else:
        key, coercion = compact.key(triple.predicate.value)
        value = compact.value(triple.object, coercion)
    if key not in node:
        node[key] = value
    elif isinstance(node[key], list):
        node[key].append(value)
    else:
        node[key] = [node[key], value]


def _write_node(out: BinaryIO, node: dict, first: bool) -> bool:
    out.write(("\n" if first else ",\n").encode() + json.dumps(node, ensure_ascii=False).encode("utf-8"))
    return False
