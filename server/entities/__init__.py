"""Views of entities, one module per page family (as Datasette keeps one view per page family).

- :mod:`~server.entities.common`: SPARQL helpers, limits, the page's names in one batch, sentences;
- :mod:`~server.entities.generic`: the generic page every kind starts from (properties, incoming
  links, source sentences);
- :mod:`~server.entities.attack`, :mod:`~server.entities.claim`, :mod:`~server.entities.actor`,
  :mod:`~server.entities.place`, :mod:`~server.entities.article`, :mod:`~server.entities.graph`:
  each kind's page.

Every query names the entity by IRI (an index lookup) or lists its subjects in ``VALUES``, and
carries a LIMIT, so a page costs the same on a store of ten articles or ten million, and the same
number of queries whatever the number of claims or links (``tests/test_pages_queries.py``). The
queries are plain lookups: grouping, ordering and de-duplication, which cost Oxigraph more than the
lookups themselves on a large page, are done in Python (in SPARQL's order, :func:`common.term_order`).
They go through :func:`server.db.read`: answered in the server process on the query workers' snapshot
for the embedded store, by :meth:`GraphStore.query` for a remote SPARQL backend, which serves the
same pages.
"""
from __future__ import annotations

from server.entities.actor import ActorView, TimelineItem, actor_view
from server.entities.article import ArticleView, article_view
from server.entities.attack import AttackView, ClaimView, attack_view, mark_disagreement
from server.entities.claim import ClaimPage, claim_view
from server.entities.common import Evidence, ask, labelled, labels, resolve_names, select, titles_for, val
from server.entities.generic import EntityView, describe
from server.entities.graph import GraphView, graph_view
from server.entities.place import PlaceView, place_view
from server.render import iri_ref
from server.db import get_store


def entity_view(iri: str) -> EntityView:
    """The generic page of an entity, names resolved."""
    view = describe(iri)
    resolve_names()
    return view


def exists(iri: str) -> bool:
    """Whether the store says anything about ``iri`` (as subject or object) or has it as a graph."""
    ref = iri_ref(iri)
    return ask(f"ASK {{ {{ {ref} ?p ?o }} UNION {{ ?s ?p {ref} }} }}") or get_store().has_graph(iri)


def describe_query(iri: str) -> str:
    """The CONSTRUCT giving an entity's RDF: its triples, those pointing at it, neighbours' labels,
    and its evidence mentions."""
    from kg.formats import sparql_prologue

    ref = iri_ref(iri)
    return sparql_prologue() + f"""
CONSTRUCT {{
  {ref} ?p ?o . ?o rdfs:label ?olabel .
  ?s ?q {ref} . ?s rdfs:label ?slabel .
  ?m ?mp ?mo .
}} WHERE {{
  {{ {{ SELECT DISTINCT ?p ?o WHERE {{ {ref} ?p ?o }} }} OPTIONAL {{ ?o rdfs:label ?olabel }} }}
  UNION {{ {{ SELECT DISTINCT ?s ?q WHERE {{ ?s ?q {ref} }} LIMIT 10000 }} OPTIONAL {{ ?s rdfs:label ?slabel }} }}
  UNION {{ {ref} ckg:evidence ?m . ?m ?mp ?mo }}
}}"""


__all__ = [
    "ActorView", "ArticleView", "AttackView", "ClaimPage", "ClaimView", "EntityView", "Evidence", "GraphView",
    "PlaceView", "TimelineItem", "actor_view", "article_view", "attack_view", "claim_view", "describe",
    "describe_query", "entity_view", "exists", "graph_view", "labelled", "labels", "mark_disagreement",
    "place_view", "resolve_names", "select", "titles_for", "val",
]
