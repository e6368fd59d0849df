"""The derived graph: what the store concludes across articles, rebuilt from the article graphs.

Each article's graph keeps its own voice apart: its ``ckg:Report`` about an attack holds the figures
the article states unattributed, and each ``ckg:Claim`` the figures its source gives. Two articles
reporting the same attack share the attack node, so the attack's own ``ckg:killed`` and
``ckg:injured`` cannot live in either article's graph. They live in one named graph,
``<base>graph/derived``, computed as ACLED does (most conservative):

- the lowest of the articles' report figures;
- where no article has a report figure, the lowest claimed figure (a claim stating several figures,
  such as "3 civilians and 8 fighters", counts with its largest).

``refresh_derived`` recomputes it with one SPARQL query through the ``GraphStore`` interface and
writes it with ``put_graph``, so the union default graph follows in the same transaction.
``update_derived`` recomputes only the attacks that changed articles are about (those of the new
versions and of the versions they replaced, found with :func:`attacks_in`) and patches their figures
in one ``patch_graph`` request, so an ingest run costs what its articles cost, not what the store holds.

The derived graph records what it was computed from: ``<derived> dcterms:identifier "state:<digest>"``,
the digest of the names of the article graphs (names are content digests, so the names say which
versions). It is written in the same transaction as the figures, so a run that died before or during
the refresh leaves a state that no longer matches, and the next run (:func:`is_current`) rebuilds it.
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from kg.iris import mint
from kg.store import GraphStore
from kg.store.union import sparql_iri
from kg.vocab import CKG, ONTOLOGY_IRI

FIGURES = (CKG.killed, CKG.injured)

_VALUES_FIGURE = "VALUES ?figure { " + " ".join(f"<{p}>" for p in FIGURES) + " }"

# The lowest figure per attack, figure and kind of account: the article reports', and the claims'
# (each claim counting with its largest figure). A report figure, when there is one, wins.
_LOWEST_BY_KIND = f"""
SELECT ?attack ?figure ?kind (MIN(?value) AS ?lowest) WHERE {{
  {{
    %(attacks)s
    ?report <{CKG.about}> ?attack ; a <{CKG.Report}> ; ?figure ?value .
    ?attack a <{CKG.Attack}> .
    {_VALUES_FIGURE}
    BIND("report" AS ?kind)
  }} UNION {{
    SELECT ?attack ?figure ("claim" AS ?kind) (MAX(?claimed) AS ?value) WHERE {{
      %(attacks)s
      ?claim <{CKG.about}> ?attack ; a <{CKG.Claim}> ; ?figure ?claimed .
      ?attack a <{CKG.Attack}> .
      {_VALUES_FIGURE}
    }} GROUP BY ?claim ?attack ?figure
  }}
}} GROUP BY ?attack ?figure ?kind
"""
CHUNK = 500  # attacks (or graphs) named in one query
FULL_REFRESH_ABOVE = 5_000  # attacks: past this many, recomputing everything costs no more


def derived_graph() -> URIRef:
    """The named graph holding the figures consolidated across articles."""
    return mint("graph", "derived")


def consolidated_figures(store: GraphStore, attacks: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
    """(attack IRI, figure property IRI) → the consolidated figure, for every attack with one (or
    for those of ``attacks``)."""
    if attacks is None:
        return _consolidated(store, "")
    figures: dict[tuple[str, str], int] = {}
    for attack in sorted(set(attacks)):  # one by one: with several, engines' plans read every report
        figures.update(_consolidated(store, f"VALUES ?attack {{ {sparql_iri(attack)} }}"))
    return figures


def _chunked(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _consolidated(store: GraphStore, values: str) -> dict[tuple[str, str], int]:
    lowest: dict[tuple[str, str], dict[str, int]] = {}
    for row in store.query(_LOWEST_BY_KIND % {"attacks": values}):
        if row["lowest"] is not None:
            key = (row["attack"].value, row["figure"].value)
            lowest.setdefault(key, {})[row["kind"].value] = int(row["lowest"].value)
    return {key: kinds.get("report", kinds.get("claim")) for key, kinds in lowest.items()}


def derived_ntriples(figures: dict[tuple[str, str], int]) -> bytes:
    """The derived graph as N-Triples, in a stable order.

    >>> derived_ntriples({("http://x/attack/a", str(CKG.killed)): 18}).decode()
    '<http://x/attack/a> <https://w3id.org/ckg/ontology#killed> "18"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\\n'
    """
    lines = [
        f"{URIRef(attack).n3()} {URIRef(figure).n3()} {Literal(value, datatype=XSD.nonNegativeInteger).n3()} .\n"
        for (attack, figure), value in sorted(figures.items())
    ]
    return "".join(lines).encode("utf-8")


def source_state(store: GraphStore) -> str | None:
    """What the derived graph follows: a digest of the article graphs' names; None without any."""
    derived = str(derived_graph())
    sources = sorted(g for g in store.graphs() if g not in (derived, ONTOLOGY_IRI))
    if not sources:
        return None
    return "state:" + hashlib.sha256("\n".join(sources).encode("utf-8")).hexdigest()


def is_current(store: GraphStore) -> bool:
    """Whether the derived graph was computed from the article graphs the store holds now."""
    state = source_state(store)
    if state is None:
        return True  # nothing to derive from
    graph = derived_graph()
    marker = f"{graph.n3()} {DCTERMS.identifier.n3()} {Literal(state).n3()}"
    return bool(store.query(f"ASK {{ GRAPH {graph.n3()} {{ {marker} }} }}"))


def refresh_derived(store: GraphStore) -> int:
    """Recompute the derived graph from the article graphs; returns how many figures it holds."""
    figures = consolidated_figures(store)
    state = source_state(store)
    data = derived_ntriples(figures)
    if state is not None:
        graph = derived_graph()
        data += f"{graph.n3()} {DCTERMS.identifier.n3()} {Literal(state).n3()} .\n".encode("utf-8")
    store.put_graph(str(derived_graph()), data)
    return len(figures)


def attacks_in(store: GraphStore, graphs: Iterable[str]) -> set[str]:
    """The attacks that the reports and claims of ``graphs`` are about, or that they type as attacks:
    those whose consolidated figures can change when these graphs come or go."""
    found: set[str] = set()
    for chunk in _chunked(sorted(set(graphs))):
        values = " ".join(sparql_iri(g) for g in chunk)
        rows = store.query(
            f"SELECT DISTINCT ?attack WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ "
            f"{{ ?x <{CKG.about}> ?attack }} UNION {{ ?attack a <{CKG.Attack}> }} }} }}"
        )
        found.update(row["attack"].value for row in rows if isinstance(row["attack"], ox.NamedNode))
    return found


def update_derived(store: GraphStore, attacks: Iterable[str]) -> int:
    """Recompute the consolidated figures of ``attacks`` only, and the state marker, in one request;
    the rest of the derived graph stays as it is. Only correct when the derived graph was current
    before the articles about ``attacks`` changed (:func:`is_current`); returns how many figures
    were written."""
    attacks = sorted(set(attacks))
    if len(attacks) > FULL_REFRESH_ABOVE:
        return refresh_derived(store)
    graph = derived_graph()
    figures = consolidated_figures(store, attacks)
    old: set[tuple[str, str, str]] = set()
    for chunk in _chunked(attacks):
        values = " ".join(sparql_iri(a) for a in chunk)
        rows = store.query(f"SELECT ?a ?f ?v WHERE {{ VALUES ?a {{ {values} }} {_VALUES_FIGURE} GRAPH {graph.n3()} {{ ?a ?f ?v }} }}")
        old.update((str(row["a"]), str(row["f"]), str(row["v"])) for row in rows)
    rows = store.query(f"SELECT ?v WHERE {{ GRAPH {graph.n3()} {{ {graph.n3()} {DCTERMS.identifier.n3()} ?v }} }}")
    old.update((graph.n3(), DCTERMS.identifier.n3(), str(row["v"])) for row in rows)
    new_lines = derived_ntriples(figures).decode("utf-8").splitlines()
    state = source_state(store)
    if state is not None:
        new_lines.append(f"{graph.n3()} {DCTERMS.identifier.n3()} {Literal(state).n3()} .")
    new = {tuple(line[:-1].rstrip().split(" ", 2)) for line in new_lines}
    store.patch_graph(str(graph), remove=sorted(old - new), add=sorted(new - old))
    return len(figures)
