"""Extraction results → RDF triples with provenance, in one named graph per article."""
from __future__ import annotations

import json
import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.extract import Extraction
from kg.formats import PREFIXES
from kg.iris import digest, mint
from kg.sources import Article
from kg.vocab import CKG

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_META_PROPERTIES = {
    "title": DCTERMS.title,
    "author": DCTERMS.creator,
    "publisher": DCTERMS.publisher,
    "language": DCTERMS.language,
}


def content_key(article: Article) -> str:
    """A digest of everything that determines an article's graph: source, text and metadata."""
    meta = {k: v for k, v in sorted(article.meta.items()) if not k.startswith("_")}
    return digest(json.dumps([article.source, article.text, meta], ensure_ascii=False), 24)


def graph_iri(article: Article) -> URIRef:
    """The named graph holding one version of one article, named from its content."""
    return mint("graph", "article-" + content_key(article))


def article_iri(article: Article) -> URIRef:
    """The article node, named from its text."""
    return mint("article", digest(article.text, 16))


def source_term(source: str) -> URIRef | Literal:
    """An article's source as an IRI when it is a well-formed absolute one, else as a typed literal.

    >>> source_term("https://news.example/a?id=1")
    rdflib.term.URIRef('https://news.example/a?id=1')
    >>> source_term('javascript:alert("x")')
    rdflib.term.Literal('javascript:alert("x")', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#anyURI'))
    """
    scheme = source.split(":", 1)[0].lower()
    if scheme in ("http", "https", "file") and not _IRI_FORBIDDEN.search(source):
        return URIRef(source)
    return Literal(source, datatype=XSD.anyURI)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def to_rdf(article: Article, extraction: Extraction) -> Graph:
    """The triples one article contributes."""
    graph = new_graph()
    node = article_iri(article)
    graph.add((node, RDF.type, CKG.Article))
    graph.add((node, CKG.text, Literal(article.text)))
    graph.add((node, DCTERMS.source, source_term(article.source)))
    meta = extraction.meta
    for key, prop in _META_PROPERTIES.items():
        if meta.get(key):
            graph.add((node, prop, Literal(meta[key])))
    if meta.get("published"):
        graph.add((node, DCTERMS.issued, Literal(meta["published"], datatype=XSD.date)))
    if meta.get("title"):
        graph.add((node, RDFS.label, Literal(meta["title"])))
    return graph
