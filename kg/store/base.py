"""The store interface every backend implements.

Graph-level writes only: an article's triples go in as one named graph, atomically, and come out
as one. Query results are pyoxigraph result objects (a remote backend parses the endpoint's
response into the same types with ``pyoxigraph.parse_query_results``), so callers serialize them
the same way whichever backend answered.

The default graph is the *set* union of the named graphs, kept up to date by every write. Query
engines' "union default graph" modes (Oxigraph's among them) return a triple once per graph that
states it, so an actor named in 500 articles would count 500 times; a materialised union answers
each triple once, as the RDF merge the SPARQL spec describes. Each write is one SPARQL Update, so
the named graph and the union change together or not at all, on any SPARQL 1.1 backend.

How every write keeps the union in step, at the cost of what it touches: :mod:`kg.store.union`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import BinaryIO, Iterable, Sequence

import pyoxigraph as ox

from kg.store.errors import StoreError, StoreLockedError
from kg.store.union import drop_graph_update, patch_graph_update, put_graph_update, update_with_union


class GraphStore(ABC):
    """A quad store holding the ontology graph and one named graph per article."""

    # Where the union lives: None for the default graph; a named graph's IRI on servers with no
    # default graph of its own (Virtuoso's default graph is every graph, duplicates and all).
    union_graph: str | None = None

    def _ground(self, graph: str, ntriples: str) -> str:
        """The N-Triples as the backend can take them in one ``INSERT DATA`` (blank nodes as they are)."""
        return ntriples

    def put_graph(self, graph: str, data: bytes, *, replaces: Sequence[str] = ()) -> None:
        """Write N-Triples ``data`` as named graph ``graph``, replacing it and dropping ``replaces``,
        all in one transaction."""
        try:
            triples = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StoreError(f"graph <{graph}>: N-Triples must be UTF-8 ({exc})") from None
        try:
            self.execute_update(put_graph_update(graph, self._ground(graph, triples), replaces, union=self.union_graph))
        except SyntaxError as exc:
            raise StoreError(f"invalid N-Triples for graph <{graph}>: {exc}") from None

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and, from the union, what only it stated; unknown graphs are ignored."""
        self.execute_update(drop_graph_update(graph, union=self.union_graph))

    def patch_graph(self, graph: str, *, remove: Sequence[tuple[str, str, str]] = (), add: Sequence[tuple[str, str, str]] = ()) -> None:
        """Remove then add triples of named graph ``graph`` (each a (subject, predicate, object)
        in N-Triples syntax, no blank nodes), the union following, in one request."""
        if remove or add:
            self.execute_update(patch_graph_update(graph, remove, add, union=self.union_graph))

    @abstractmethod
    def has_graph(self, graph: str) -> bool:
        """Whether the named graph exists."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of all named graphs."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL 1.1 query. Without ``default_graph`` the default graph is the union of all graphs."""

    @abstractmethod
    def execute_update(self, sparql: str) -> None:
        """Run one SPARQL 1.1 Update request atomically, exactly as given."""

    def update(self, sparql: str, *, then: Sequence[str] = ()) -> None:
        """Run a user's SPARQL 1.1 Update atomically, then bring the default graph back to the union
        of the named graphs in the same transaction, then run the updates of ``then`` (ours, built
        for this store's :attr:`union_graph`) in it too.

        The default graph is derived: write into named graphs. A triple inserted only into the
        default graph is removed again, since no graph states it.
        """
        self.execute_update("\n;\n".join([update_with_union(sparql, union=self.union_graph), *then]))

    @abstractmethod
    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        """Stream the store to ``out``: quad formats get every named graph, triple formats the union.
        With ``graph``, that graph only (named, in the quad formats). ``prefixes`` are declared and
        used by the formats that have them (Turtle, TriG)."""

    def __len__(self) -> int:
        """Number of quads in the named graphs (the union's copies are not counted)."""
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(result))["n"].value)

    def close(self) -> None:
        """Release the store; the default does nothing."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def triples_in(self, graph: str) -> int:
        """Number of triples in one named graph."""
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(next(iter(result))["n"].value)

    def graph_ntriples(self, graph: str) -> bytes:
        """One named graph as N-Triples."""
        triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)

    def add_files(self, graph: str, files: Iterable[str]) -> bool:
        """Make named graph ``graph`` hold exactly the Turtle ``files``; False when it already did.

        Compared as graphs (blank nodes and order aside: both sides canonicalised with RDFC-1.0), so
        an unchanged file is not rewritten, in milliseconds.
        """
        wanted = []
        for path in files:
            try:
                wanted.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            except SyntaxError as exc:
                raise StoreError(f"{path}: invalid Turtle: {exc}") from None
        if self.has_graph(graph):
            stored = ox.parse(self.graph_ntriples(graph), format=ox.RdfFormat.N_TRIPLES)
            if _canonical(wanted) == _canonical(stored):
                return False
        self.put_graph(graph, ox.serialize(wanted, format=ox.RdfFormat.N_TRIPLES))
        return True


def _canonical(triples) -> set:
    """The triples with canonical (RDFC-1.0) blank node labels, as a set."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


__all__ = ["GraphStore", "StoreError", "StoreLockedError"]
