"""The page of a named graph (an article's, the ontology, the derived graph): its size and articles."""
from __future__ import annotations

from dataclasses import dataclass

from kg.vocab import ONTOLOGY_IRI
from server.db import get_store
from server.entities.common import labelled, select
from server.render import Value, iri_ref, local_name


@dataclass
class GraphView:
    iri: str
    label: str
    triples: int
    articles: list[Value]


def graph_view(iri: str) -> GraphView:
    articles = select(f"SELECT DISTINCT ?a WHERE {{ GRAPH {iri_ref(iri)} {{ ?a a ckg:Article }} }} LIMIT 20")
    label = "ontology" if iri == ONTOLOGY_IRI else local_name(iri)
    return GraphView(iri, label, get_store().triples_in(iri), labelled(a["a"] for a in articles))
