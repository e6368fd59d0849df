"""A remote backend: a SPARQL 1.1 server (tested against Oxigraph's server), through the SPARQL 1.1
Protocol only.

Every write is one SPARQL Update request (atomic on the server): an article's write replaces its
named graph and keeps the default graph the set union of all named graphs, as the embedded store
does, so the server needs no union-default-graph setting. Whole-graph writes do not use the Graph
Store Protocol: a GSP ``PUT`` replaces one graph but cannot update the union in the same request.

Answers are parsed as they arrive (JSON results, N-Triples graphs), so ``kg export`` of a large
remote store holds one row at a time, not the whole response.

Open one with ``--store http://host:port/`` plus, where the server's paths differ from Oxigraph's
(``/query``, ``/update``), the ``KG_SPARQL_QUERY`` and ``KG_SPARQL_UPDATE`` URLs. A server whose
update endpoint needs a user takes ``KG_SPARQL_USER`` and ``KG_SPARQL_PASSWORD`` (HTTP Basic or
Digest authentication, whichever the server asks for).
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
    """A store behind SPARQL 1.1 Protocol query and update endpoints."""

    def __init__(self, base_url: str, *, query_url=None, update_url=None, user=None, password=None) -> None:
        base = base_url.rstrip("/")
        self.base_url = base_url
        self.query_url = query_url or os.environ.get("KG_SPARQL_QUERY") or base + "/query"
        self.update_url = update_url or os.environ.get("KG_SPARQL_UPDATE") or base + "/update"

        self._user = user if user is not None else os.environ.get("KG_SPARQL_USER")
        password = password if password is not None else os.environ.get("KG_SPARQL_PASSWORD", "")
        handlers = []
        if self._user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for endpoint in (self.query_url, self.update_url):
                passwords.add_password(None, endpoint, self._user, password)
            handlers = [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

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
        response = self._open("POST", url, sparql.encode(), "application/sparql-query", accept=accept)
        media_type = response.headers.get_content_type()
        graph_format = ox.RdfFormat.from_media_type(media_type)
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        try:
            if graph_format is not None:  # parsed as it is read; the response closes when read to its end
                return ox.parse(response, format=graph_format)
            if results_format is not None:
                return ox.parse_query_results(response, format=results_format)
        except SyntaxError as exc:
            response.close()
            raise StoreError(f"the SPARQL server at {self.query_url} sent an invalid {media_type} answer: {exc}") from None
        response.close()
        raise StoreError(f"the SPARQL server at {self.query_url} answered in {media_type}, which is not a SPARQL result format")

    def execute_update(self, sparql: str) -> None:
        with self._open("POST", self.update_url, sparql.encode(), "application/sparql-update") as response:
            response.read()

    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        quads = format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
        kw = {"prefixes": prefixes} if prefixes and format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        if graph is not None:
            triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}")
            name = ox.NamedNode(graph)
            ox.serialize((ox.Quad(t.subject, t.predicate, t.object, name) for t in triples) if quads else triples, out, format, **kw)
        elif quads:  # streamed row by row: a million quads never sit in memory together
            rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            ox.serialize((ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows), out, format, **kw)
        else:
            ox.serialize(self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), out, format, **kw)

    def _open(self, method: str, url: str, data: bytes, content_type: str, accept: str = "*/*"):
        """The server's response, open for reading; HTTP and network failures as clear errors."""
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type, "Accept": accept})
        try:
            return self._opener.open(request, timeout=_TIMEOUT)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            if exc.code == 400 and content_type.startswith("application/sparql-"):
                raise SyntaxError(detail) from None
            if exc.code in (401, 403):
                hint = "" if self._user else " (set KG_SPARQL_USER and KG_SPARQL_PASSWORD)"
                raise StoreError(f"{method} {url} was refused: HTTP {exc.code}{hint}: {detail[:300]}") from None
            raise StoreError(f"{method} {url} failed: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"cannot reach the SPARQL server at {url}: {exc}") from None
