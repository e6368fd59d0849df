"""The embedded backend: an on-disk Oxigraph (RocksDB) store opened in this process."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Sequence

import pyoxigraph as ox

from kg.store.base import GraphStore, StoreError, StoreLockedError

_TRIPLE_FORMATS = {ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD, ox.RdfFormat.N3}


class OxigraphStore(GraphStore):
    """An Oxigraph store in a directory, created on first use.

    One process may hold it open read-write (Oxigraph takes a lock); read-only opens are only safe
    while no process writes it.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        try:
            if read_only:
                if not self.path.exists():
                    raise StoreError(f"no store at {self.path}: run `kg ingest` first")
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store at {self.path} is open in another process (a running `kg serve` or "
                    f"`kg ingest`); stop it or point --store elsewhere"
                ) from exc
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for code that is Oxigraph-specific by design (benchmarks, tests)."""
        return self._store

    def put_graph(self, graph: str, data: bytes, *, replaces: Sequence[str] = ()) -> None:
        node = ox.NamedNode(graph)
        try:
            if self._store.contains_named_graph(node):
                self._store.remove_graph(node)
            self._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
        except SyntaxError as exc:
            raise StoreError(f"invalid N-Triples for graph <{graph}>: {exc}") from exc
        for old in replaces:
            if old != graph:
                self.drop_graph(old)

    def drop_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, sparql, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None):
        kwargs = {"base_iri": base_iri, "prefixes": prefixes}
        if default_graph:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **kwargs)

    def update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only")
        self._store.update(sparql)

    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None) -> None:
        if graph is not None:
            self._store.dump(out, format, from_graph=ox.NamedNode(graph))
        elif format in _TRIPLE_FORMATS:
            self._dump_union(out, format)
        else:
            self._store.dump(out, format)

    def _dump_union(self, out: BinaryIO, format: ox.RdfFormat) -> None:
        """Triples of every graph, once each, streamed through a CONSTRUCT over the union graph."""
        triples = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        ox.serialize(triples, out, format)

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        self._store = None
