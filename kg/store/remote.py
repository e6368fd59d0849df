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

``KG_SPARQL_DIALECT=virtuoso`` (Virtuoso Open Source 7) handles what differs there:

- its endpoints are ``/sparql`` (queries) and ``/sparql-auth`` (updates, Digest authentication);
- it has no default graph of its own (a query without ``FROM`` reads every graph, a triple once per
  graph that states it), so the union is kept in the named graph ``<urn:kg:union>`` and queries read
  it as their default graph; listings leave it and Virtuoso's own graphs out;
- ``INSERT DATA`` takes no blank nodes, so they are written as skolem IRIs
  ``<urn:kg:genid:GRAPH-LABEL>`` (one per graph and label) and read back as blank nodes by
  ``dump`` and ``graph_ntriples``; queries see the skolem IRIs.
"""
from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import BinaryIO

import pyoxigraph as ox

from kg.formats import sparql_prologue
from kg.store.base import GraphStore, StoreError
from kg.store.union import sparql_iri

VIRTUOSO_UNION = "urn:kg:union"
_FORM = re.compile(r"(?:\s+|#[^\n]*(?:\n|$)|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>)*(?i:(SELECT|ASK|CONSTRUCT|DESCRIBE))\b")
_GRAPH_CONSTANT = re.compile(r"\bGRAPH\s*<([^<>\s]*)>\s*\{", re.IGNORECASE)
_ASK = re.compile(r"((?:\s+|#[^\n]*(?:\n|$)|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>)*)(?i:ASK)\b(?:\s*(?i:WHERE))?")
GENID = "urn:kg:genid:"
_VIRTUOSO_GRAPHS = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/", "urn:kg:")

_TIMEOUT = float(os.environ.get("KG_REMOTE_TIMEOUT", "60"))


def _bound_graphs(sparql: str) -> str:
    """``GRAPH <g> {`` as ``VALUES ?kg_graphN { <g> } GRAPH ?kg_graphN {``: Virtuoso 7 finds nothing
    in a constant graph once a default graph is named, but a bound variable works.

    >>> _bound_graphs("ASK { GRAPH <http://e.x/g> { ?s ?p ?o } }")
    'ASK { VALUES ?kg_graph0 { <http://e.x/g> } GRAPH ?kg_graph0 { ?s ?p ?o } }'
    """
    numbers = iter(range(len(sparql)))

    def bound(match) -> str:
        name = f"?kg_graph{next(numbers)}"
        return f"VALUES {name} {{ <{match.group(1)}> }} GRAPH {name} {{"

    return _GRAPH_CONSTANT.sub(bound, sparql)


class RemoteSparqlStore(GraphStore):
    """A store behind SPARQL 1.1 Protocol query and update endpoints."""

    def __init__(self, base_url: str, *, query_url=None, update_url=None, user=None, password=None, dialect=None) -> None:
        base = base_url.rstrip("/")
        self.base_url = base_url
        self.dialect = (dialect or os.environ.get("KG_SPARQL_DIALECT") or "sparql11").lower()
        if self.dialect not in ("sparql11", "virtuoso"):
            raise StoreError(f"unknown KG_SPARQL_DIALECT {self.dialect!r}: expected sparql11 or virtuoso")
        virtuoso = self.dialect == "virtuoso"
        self.union_graph = VIRTUOSO_UNION if virtuoso else None
        self.query_url = query_url or os.environ.get("KG_SPARQL_QUERY") or base + ("/sparql" if virtuoso else "/query")
        self.update_url = update_url or os.environ.get("KG_SPARQL_UPDATE") or base + ("/sparql-auth" if virtuoso else "/update")

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
        return {"base_url": self.base_url, "query_url": self.query_url, "update_url": self.update_url, "dialect": self.dialect}

    def _ours(self, var: str) -> str:
        """A FILTER leaving out the union graph and the server's own graphs (Virtuoso), or nothing."""
        if self.union_graph is None:
            return ""
        return "FILTER(" + " && ".join(f'!STRSTARTS(STR(?{var}), "{prefix}")' for prefix in _VIRTUOSO_GRAPHS) + ")"

    def _ground(self, graph: str, ntriples: str) -> str:
        if self.union_graph is None or "_:" not in ntriples:
            return ntriples
        from kg.iris import digest

        prefix = f"{GENID}{digest(graph, 24)}-"
        skolem = lambda t: ox.NamedNode(prefix + t.value) if isinstance(t, ox.BlankNode) else t  # noqa: E731
        triples = (ox.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")

    def _unground(self, terms):
        """Quads or triples with this store's skolem IRIs turned back into blank nodes."""
        if self.union_graph is None:
            return terms

        def back(term):
            if isinstance(term, ox.NamedNode) and term.value.startswith(GENID):
                return ox.BlankNode(term.value[len(GENID):])
            return term

        return (ox.Quad(back(t.subject), t.predicate, back(t.object), t.graph_name) if isinstance(t, ox.Quad)
                else ox.Triple(back(t.subject), t.predicate, back(t.object)) for t in terms)

    def __len__(self) -> int:
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours('g')} }}")
        return int(next(iter(result))["n"].value)

    def graph_ntriples(self, graph: str) -> bytes:
        triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}")
        return ox.serialize(self._unground(triples), format=ox.RdfFormat.N_TRIPLES)

    def has_graph(self, graph: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}"))

    def graphs(self) -> list[str]:
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours('g')} }}")
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def query(self, sparql, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None):
        if prefixes:
            sparql = sparql_prologue(prefixes) + sparql
        if base_iri:
            sparql = f"BASE {sparql_iri(base_iri)}\n{sparql}"
        if self.union_graph is not None:
            sparql = _bound_graphs(sparql)
        if default_graph is None and self.union_graph is not None:
            default_graph = [self.union_graph]
            ask = _ASK.match(sparql)
            if ask:  # Virtuoso 7 answers ASK { GRAPH <g> ... } true for any g once a default graph is named
                rows = self.query(sparql[:ask.end(1)] + "SELECT * WHERE" + sparql[ask.end():] + " LIMIT 1",
                                  default_graph=default_graph, named_graphs=named_graphs)
                found = any(True for _ in rows)
                return ox.parse_query_results(f'{{"head":{{}},"boolean":{str(found).lower()}}}', format=ox.QueryResultsFormat.JSON)
        params = [("default-graph-uri", g) for g in default_graph or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        url = self.query_url + ("?" + urllib.parse.urlencode(params) if params else "")
        accept = "application/sparql-results+json, application/n-triples;q=0.9"
        if self.dialect == "virtuoso":  # it answers the first type it knows whatever the query form
            form = _FORM.match(sparql)
            graph_form = form is not None and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE")
            accept = "application/n-triples" if graph_form else "application/sparql-results+xml"
        response = self._open("POST", url, *self._body("query", sparql), accept=accept)
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
        with self._open("POST", self.update_url, *self._body("update", sparql)) as response:
            response.read()

    def dump(self, out: BinaryIO, format: ox.RdfFormat, *, graph: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        quads = format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
        kw = {"prefixes": prefixes} if prefixes and format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        if graph is not None:
            triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}")
            name = ox.NamedNode(graph)
            terms = (ox.Quad(t.subject, t.predicate, t.object, name) for t in triples) if quads else triples
            ox.serialize(self._unground(terms), out, format, **kw)
        elif quads:  # streamed row by row: a million quads never sit in memory together
            rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours('g')} }}")
            ox.serialize(self._unground(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows), out, format, **kw)
        else:
            ox.serialize(self._unground(self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")), out, format, **kw)

    def _body(self, kind: str, sparql: str) -> tuple[bytes, str]:
        """The request body: the text itself, or (Virtuoso 7 waits forever on a direct POST) a form."""
        if self.dialect == "virtuoso":
            return urllib.parse.urlencode({kind: sparql}).encode(), "application/x-www-form-urlencoded"
        return sparql.encode(), f"application/sparql-{kind}"

    def _open(self, method: str, url: str, data: bytes, content_type: str, accept: str = "*/*"):
        """The server's response, open for reading; HTTP and network failures as clear errors."""
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type, "Accept": accept})
        try:
            return self._opener.open(request, timeout=_TIMEOUT)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            if exc.code == 400 and (content_type.startswith("application/sparql-") or "form" in content_type):
                raise SyntaxError(detail) from None
            if exc.code in (401, 403):
                hint = "" if self._user else " (set KG_SPARQL_USER and KG_SPARQL_PASSWORD)"
                raise StoreError(f"{method} {url} was refused: HTTP {exc.code}{hint}: {detail[:300]}") from None
            raise StoreError(f"{method} {url} failed: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"cannot reach the SPARQL server at {url}: {exc}") from None
