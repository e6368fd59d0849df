"""The store interface every backend implements.

Graph-level writes only: an article's triples go in as one named graph, atomically, and come out
as one. Query results are pyoxigraph result objects (a remote backend parses the endpoint's
response into the same types with ``pyoxigraph.parse_query_results``), so callers serialize them
the same way whichever backend answered.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import BinaryIO, Iterable, Sequence

import pyoxigraph as ox


class StoreError(Exception):
    """A store could not be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""


class GraphStore(ABC):
    """A quad store holding the ontology graph and one named graph per article."""

    @abstractmethod
    def put_graph(self, graph: str, data: bytes, *, replaces: Sequence[str] = ()) -> None:
        """Write N-Triples ``data`` as named graph ``graph`` (all or nothing), then drop ``replaces``."""

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and everything in it; unknown graphs are ignored."""

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
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update atomically."""

    @abstractmethod
    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None) -> None:
        """Stream the store (or one graph) to ``out``; triple formats get the union of all graphs."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads."""

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

        Compared as graphs (blank nodes and order aside), so an unchanged file is not rewritten.
        """
        from rdflib import Graph
        from rdflib.compare import isomorphic

        wanted = Graph()
        for path in files:
            wanted.parse(path, format="turtle")
        if self.has_graph(graph) and isomorphic(wanted, Graph().parse(data=self.graph_ntriples(graph), format="nt")):
            return False
        self.put_graph(graph, wanted.serialize(format="nt", encoding="utf-8"))
        return True
