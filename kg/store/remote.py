"""A remote backend: any SPARQL 1.1 server (Oxigraph server, Fuseki, QLever, Virtuoso, ...).

Queries and updates go through the SPARQL 1.1 Protocol, whole-graph writes through the Graph Store
Protocol too: each article write is one SPARQL Update request (atomic on the server) that replaces
its named graph and keeps the default graph the set union of all named graphs, as the embedded
store does. The server needs no union-default-graph setting.

Open one with ``--store http://host:port/`` plus, where the server's paths differ from Oxigraph's
(``/query``, ``/update``), the ``KG_SPARQL_QUERY`` and ``KG_SPARQL_UPDATE`` URLs.
"""
from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request
from typing import BinaryIO

import pyoxigraph as ox

from kg.store.base import GraphStore, StoreError, _iri

_TIMEOUT = float(os.environ.get("KG_REMOTE_TIMEOUT", "60"))


class RemoteSparqlStore(GraphStore):
    """A store behind SPARQL 1.1 Protocol and Graph Store Protocol endpoints."""

    def __init__(self, base_url: str, *, query_url=None, update_url=None) -> None:
        base = base_url.rstrip("/")
        self.base_url = base_url
        self.query_url = query_url or os.environ.get("KG_SPARQL_QUERY") or base + "/query"
        self.update_url = update_url or os.environ.get("KG_SPARQL_UPDATE") or base + "/update"

    @property
    def remote_spec(self) -> dict[str, str]:
        """What another process needs to open the same store (Dask workers writing their graphs)."""
        return {"base_url": self.base_url, "query_url": self.query_url, "update_url": self.update_url}

    def has_graph(self, graph: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"))

    def graphs(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def query(self, sparql, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None):
        if prefixes:
            sparql = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + sparql
        if base_iri:
            sparql = f"BASE {_iri(base_iri)}\n{sparql}"
        params = [("default-graph-uri", g) for g in default_graph or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        url = self.query_url + ("?" + urllib.parse.urlencode(params) if params else "")
        accept = "application/sparql-results+json, application/n-triples;q=0.9"
        body, media_type = self._send("POST", url, sparql.encode(), "application/sparql-query", accept=accept)
        if media_type == "application/n-triples":
            return ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def execute_update(self, sparql: str) -> None:
        self._send("POST", self.update_url, sparql.encode(), "application/sparql-update")

    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        quads = format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
        kw = {"prefixes": prefixes} if prefixes and format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        if graph is not None:
            triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}")
            name = ox.NamedNode(graph)
            ox.serialize((ox.Quad(t.subject, t.predicate, t.object, name) for t in triples) if quads else triples, out, format, **kw)
        elif quads:
            rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            ox.serialize((ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows), out, format, **kw)
        else:
            ox.serialize(self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), out, format, **kw)

    def _send(self, method: str, url: str, data: bytes, content_type: str, accept: str = "*/*") -> tuple[bytes, str]:
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type, "Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
                return response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            if exc.code == 400 and content_type.startswith("application/sparql-"):
                raise SyntaxError(detail) from None
            raise StoreError(f"{method} {url} failed: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"cannot reach the SPARQL server at {url}: {exc}") from None

