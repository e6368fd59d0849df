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

Writes the derived graph does not follow yet are stated on it (:data:`CKG.pendingWrite`): an ingest
run states its own before its first article write and clears it in the request that patches the
figures; the server states a user's update in the same request as the update. A run that finds a
pending write it did not state (a run that died, or one that is still going, or a user's update)
recomputes every figure at its end (:func:`refresh_derived`). Checking costs one index lookup,
however many articles the store holds.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from kg.iris import mint
from kg.store import GraphStore
from kg.store.union import patch_graph_update, sparql_iri
from kg.vocab import CKG

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


def pending_writes(store: GraphStore) -> set[str]:
    """The writes the derived graph does not follow yet (:data:`CKG.pendingWrite` on it): runs
    under way or dead, users' updates. One index lookup, whatever the store holds."""
    graph = derived_graph().n3()
    rows = store.query(f"SELECT ?w WHERE {{ GRAPH {graph} {{ {graph} {CKG.pendingWrite.n3()} ?w }} }}")
    return {row["w"].value for row in rows}


def is_current(store: GraphStore) -> bool:
    """Whether the derived graph follows every write to the article graphs (no pending write)."""
    return not pending_writes(store)


def new_write(kind: str) -> str:
    """A name for a write, as :data:`CKG.pendingWrite` states it: what, when, and a unique part.

    >>> new_write("ingest").startswith("ingest ")
    True
    """
    import datetime as dt
    import uuid

    return f"{kind} {dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%M:%SZ} {uuid.uuid4().hex[:12]}"


def _pending_triple(write: str) -> tuple[str, str, str]:
    return derived_graph().n3(), CKG.pendingWrite.n3(), Literal(write).n3()


def mark_pending(store: GraphStore, write: str) -> None:
    """State, before a write to the article graphs, that the derived graph does not follow it yet."""
    store.patch_graph(str(derived_graph()), add=[_pending_triple(write)])


def pending_update(write: str, union: str | None = None) -> str:
    """The SPARQL Update marking ``write`` pending, to run in the same request as the write itself
    (a user's update through the server)."""
    return patch_graph_update(str(derived_graph()), [], [_pending_triple(write)], union=union)


def refresh_derived(store: GraphStore, done: Iterable[str] | None = None) -> int:
    """Recompute the whole derived graph from the article graphs; returns how many figures it holds.

    The pending writes of ``done`` are cleared (default: all of them); the others stay, since a run
    still under way will write after this."""
    figures = consolidated_figures(store)
    kept = set() if done is None else pending_writes(store) - set(done)
    data = derived_ntriples(figures) + "".join(" ".join(_pending_triple(w)) + " .\n" for w in sorted(kept)).encode("utf-8")
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


def update_derived(store: GraphStore, attacks: Iterable[str], done: Iterable[str] = ()) -> int:
    """Recompute the consolidated figures of ``attacks`` only and clear the pending writes of
    ``done``, in one request; the rest of the derived graph stays as it is. Only correct when the
    derived graph followed every write before the articles about ``attacks`` changed
    (:func:`is_current` at the start of the run); returns how many figures were written."""
    attacks = sorted(set(attacks))
    if len(attacks) > FULL_REFRESH_ABOVE:
        return refresh_derived(store, done)
    graph = derived_graph()
    figures = consolidated_figures(store, attacks)
    old: set[tuple[str, str, str]] = set()
    for chunk in _chunked(attacks):
        values = " ".join(sparql_iri(a) for a in chunk)
        rows = store.query(f"SELECT ?a ?f ?v WHERE {{ VALUES ?a {{ {values} }} {_VALUES_FIGURE} GRAPH {graph.n3()} {{ ?a ?f ?v }} }}")
        old.update((str(row["a"]), str(row["f"]), str(row["v"])) for row in rows)
    # the digest of every graph name that earlier versions kept on the derived graph goes too
    rows = store.query(f"SELECT ?v WHERE {{ GRAPH {graph.n3()} {{ {graph.n3()} {DCTERMS.identifier.n3()} ?v }} }}")
    old.update((graph.n3(), DCTERMS.identifier.n3(), str(row["v"])) for row in rows)
    old.update(_pending_triple(write) for write in done)
    new = {tuple(line[:-1].rstrip().split(" ", 2)) for line in derived_ntriples(figures).decode("utf-8").splitlines()}
    store.patch_graph(str(graph), remove=sorted(old - new), add=sorted(new - old))
    return len(figures)
