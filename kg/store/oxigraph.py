"""The embedded backend: an on-disk Oxigraph (RocksDB) store opened in this process."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.store.base import GraphStore, StoreError, StoreLockedError

_PREFIX_FORMATS = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}
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

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, sparql, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None):
        kwargs = {"base_iri": base_iri, "prefixes": prefixes}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **kwargs)

    def execute_update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only")
        self._store.update(sparql)

    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        kw = {"prefixes": prefixes} if prefixes and format in _PREFIX_FORMATS else {}
        if graph is not None and format in _TRIPLE_FORMATS:
            self._store.dump(out, format, from_graph=ox.NamedNode(graph), **kw)
        elif graph is not None:
            ox.serialize(self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)), out, format, **kw)
        elif format in _TRIPLE_FORMATS:
            self._store.dump(out, format, from_graph=ox.DefaultGraph(), **kw)
        else:
            ox.serialize(self._named_quads(), out, format, **kw)

    def _named_quads(self):
        """Every quad of every named graph, graph by graph, streamed (the union's copies left out)."""
        for graph in self._store.named_graphs():
            yield from self._store.quads_for_pattern(None, None, None, graph)

    def close(self) -> None:
        self._store = None
