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

Every write changes the union only for the triples it touches, so its cost follows the size of the
write, not of the store: ``put_graph`` and ``drop_graph`` look up only their own graph's triples, and
a user's ``update`` whose target graphs can be read from its text (``INSERT DATA { GRAPH <g> ...}``,
``DELETE/INSERT ... GRAPH <g>``, ``WITH <g>``, ``DROP/CLEAR/COPY/MOVE/ADD`` of named graphs) copies
those graphs aside first and then corrects the union for what they stated before and state after.
Only an update that writes the default graph itself or a graph chosen by a variable
(``GRAPH ?g``) falls back to rebuilding the whole union (:data:`RESYNC_UNION`).
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import BinaryIO, Iterable, Sequence

import pyoxigraph as ox

from kg.iris import iri_problem


class StoreError(Exception):
    """A store could not be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""


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

    def update(self, sparql: str) -> None:
        """Run a user's SPARQL 1.1 Update atomically, then bring the default graph back to the union
        of the named graphs in the same transaction.

        The default graph is derived: write into named graphs. A triple inserted only into the
        default graph is removed again, since no graph states it.
        """
        self.execute_update(update_with_union(sparql, union=self.union_graph))

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


RESYNC_UNION = (
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } ;\n"
    "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
)


def resync_union(union: str | None = None) -> str:
    """SPARQL Update rebuilding the whole union (what a write of unknown reach needs)."""
    if union is None:
        return RESYNC_UNION
    u = _iri(union)
    return (f"DELETE {{ GRAPH {u} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {u} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {u}) }} }} ;\n"
            f"INSERT {{ GRAPH {u} {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {u}) }}")


def _into(union: str | None, body: str) -> str:
    """``body`` (triples or a template) aimed at the union: the default graph, or the union graph."""
    return body if union is None else f"GRAPH {_iri(union)} {{\n{body}\n}}"


def _others(union: str | None, *graphs: str) -> str:
    """``FILTER`` keeping ``?other`` to the graphs that count as stating a triple."""
    names = [*graphs, *([_iri(union)] if union else [])]
    return f"FILTER(?other NOT IN ({', '.join(names)}))" if names else ""


_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*(?:\n|$)|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>)*")
BEFORE_PREFIX = "urn:kg:before:"  # scratch copies of touched graphs, inside one update request only


def touched_graphs(sparql: str) -> list[str] | None:
    """The named graphs a SPARQL Update writes, when its text says which; None when it writes the
    default graph, a graph chosen by a variable, every graph, or cannot be read here.

    >>> touched_graphs('INSERT DATA { GRAPH <http://e.x/g> { <http://e.x/s> <http://e.x/p> 1 } }')
    ['http://e.x/g']
    >>> touched_graphs('DELETE WHERE { GRAPH ?g { ?s ?p ?o } }') is None
    True
    >>> touched_graphs('INSERT DATA { <http://e.x/s> <http://e.x/p> 1 }') is None
    True
    """
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return _touched(translateUpdate(parseUpdate(sparql)).algebra)
    except Exception:  # noqa: BLE001 - rdflib's reading differs from the engine's: rebuild the union instead
        return None


def _touched(operations) -> list[str] | None:
    from rdflib import URIRef

    found: dict[str, None] = {}

    def target(graph) -> bool:
        if isinstance(graph, URIRef):
            found[str(graph)] = None
            return True
        return False

    def template(clause, with_graph=None) -> bool:
        if clause is None:
            return True
        if clause.get("triples") and not target(with_graph):
            return False
        return all(target(graph) for graph in (clause.get("quads") or {}))

    for op in operations:
        if op.name in ("InsertData", "DeleteData", "DeleteWhere"):
            ok = template(op)
        elif op.name == "Modify":
            ok = template(op.get("delete"), op.get("withClause")) and template(op.get("insert"), op.get("withClause"))
        elif op.name in ("Clear", "Drop", "Create"):
            ok = target(op.get("graphiri"))
        elif op.name in ("Add", "Copy", "Move"):
            ok = all(target(graph) for graph in op.get("graph"))
        else:  # LOAD and anything new: the whole union is rebuilt
            ok = False
        if not ok:
            return None
    if any(graph.startswith(BEFORE_PREFIX) for graph in found):
        return None
    return list(found)


def _data_triples(sparql: str) -> list[str] | None:
    """The triples (N-Triples syntax) of an update made only of ``INSERT DATA`` / ``DELETE DATA``
    into named graphs, without blank nodes; None for any other update."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return _data(translateUpdate(parseUpdate(sparql)).algebra)
    except Exception:  # noqa: BLE001 - the slower general path decides
        return None


def _data(operations) -> list[str] | None:
    from rdflib import BNode, URIRef

    triples: dict[str, None] = {}
    for op in operations:
        if op.name not in ("InsertData", "DeleteData") or op.get("triples"):
            return None
        for graph, stated in (op.get("quads") or {}).items():
            if not isinstance(graph, URIRef):
                return None
            for triple in stated:
                if any(isinstance(term, BNode) for term in triple):
                    return None  # a second INSERT DATA would mint other blank nodes
                triples[" ".join(term.n3() for term in triple)] = None
    return list(triples)


def _follow_triples(triples: list[str], union: str | None) -> list[str]:
    """Updates bringing the union in step for ``triples`` only: in it when some graph states them."""
    if not triples:
        return []
    rows = "".join(f"({t})\n" for t in triples)
    stated = f"GRAPH ?other {{ ?s ?p ?o }} {_others(union)}"
    return [
        f"DELETE {{ {_into(union, '?s ?p ?o')} }} WHERE {{ VALUES (?s ?p ?o) {{\n{rows}}} FILTER NOT EXISTS {{ {stated} }} }}",
        f"INSERT {{ {_into(union, '?s ?p ?o')} }} WHERE {{ VALUES (?s ?p ?o) {{\n{rows}}} FILTER EXISTS {{ {stated} }} }}",
    ]


def update_with_union(sparql: str, union: str | None = None) -> str:
    """``sparql`` followed, in the same request, by what brings the union back in step: for the
    graphs it writes when it names them (see :func:`touched_graphs`), else for the whole store."""
    body = sparql.rstrip().rstrip(";")
    data = _data_triples(sparql)
    if data is not None:  # INSERT DATA / DELETE DATA only: the touched triples are in the text
        return "\n;\n".join([body, *_follow_triples(data, union)])
    graphs = touched_graphs(sparql)
    if graphs is None:
        return body + "\n;\n" + resync_union(union)
    if not graphs:
        return body
    prologue = _PROLOGUE.match(body).group(0)  # first: some engines take no PREFIX after a ';'
    body = body[len(prologue):]
    before = [f"<{BEFORE_PREFIX}{number}>" for number in range(len(graphs))]
    names = [_iri(graph) for graph in graphs]
    scratch = ", ".join(before)
    operations = [f"COPY SILENT {name} TO {copy}" for name, copy in zip(names, before)]
    operations.append(body)
    operations += [
        # what the graphs stated before and no graph states now leaves the union
        f"DELETE {{ {_into(union, '?s ?p ?o')} }} WHERE {{ GRAPH {copy} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} {_others(union, scratch)} }} }}"
        for copy in before
    ]
    operations += [f"INSERT {{ {_into(union, '?s ?p ?o')} }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}" for name in names]
    operations += [f"DROP SILENT GRAPH {copy}" for copy in before]
    return prologue + "\n" + "\n;\n".join(operations)  # on lines of their own: the user's text may end in a comment


def _iri(value: str) -> str:
    """``value`` between angle brackets, refusing what would break out of them.

    >>> _iri("http://e.x/g")
    '<http://e.x/g>'
    """
    problem = iri_problem(value)
    if problem:
        raise StoreError(f"not a valid IRI ({problem}): {value!r}")
    return f"<{value}>"


def drop_graph_update(graph: str, union: str | None = None) -> str:
    """SPARQL Update removing ``graph``, and from the union what no other graph states."""
    g = _iri(graph)
    return (
        f"DELETE {{ {_into(union, '?s ?p ?o')} }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} {_others(union, g)} }} }} ;\n"
        f"DROP SILENT GRAPH {g}"
    )


def put_graph_update(graph: str, ntriples: str, replaces: Sequence[str] = (), union: str | None = None) -> str:
    """SPARQL Update (one transaction) making ``graph`` hold ``ntriples`` and the union follow.

    The triples are written twice in one ``INSERT DATA``, into the graph and into the union,
    so blank nodes are shared and no step depends on reading an earlier step's writes.
    """
    drops = [drop_graph_update(old, union) for old in dict.fromkeys([graph, *replaces])]
    write = f"INSERT DATA {{ GRAPH {_iri(graph)} {{\n{ntriples}\n}}\n{_into(union, ntriples)}\n}}"
    return " ;\n".join([*drops, write])


def patch_graph_update(graph: str, remove: Sequence[tuple[str, str, str]], add: Sequence[tuple[str, str, str]],
                       union: str | None = None) -> str:
    """SPARQL Update (one request) removing then adding ground triples of ``graph``; what no graph
    states any more leaves the union, what is added joins it.

    >>> print(patch_graph_update("http://e.x/g", [("<http://e.x/a>", "<http://e.x/p>", '"1"')], []))
    DELETE DATA { GRAPH <http://e.x/g> {
    <http://e.x/a> <http://e.x/p> "1" .
    } } ;
    DELETE { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) {
    (<http://e.x/a> <http://e.x/p> "1")
    } FILTER NOT EXISTS { GRAPH ?other { ?s ?p ?o }  } }
    """
    g = _iri(graph)
    operations = []
    if remove:
        lines = "".join(f"{s} {p} {o} .\n" for s, p, o in remove)
        rows = "".join(f"({s} {p} {o})\n" for s, p, o in remove)
        operations.append(f"DELETE DATA {{ GRAPH {g} {{\n{lines}}} }}")
        operations.append(f"DELETE {{ {_into(union, '?s ?p ?o')} }} WHERE {{ VALUES (?s ?p ?o) {{\n{rows}}} "
                          f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} {_others(union)} }} }}")
    if add:
        lines = "".join(f"{s} {p} {o} .\n" for s, p, o in add)
        operations.append(f"INSERT DATA {{ GRAPH {g} {{\n{lines}}}\n{_into(union, lines)}}}")
    return " ;\n".join(operations)
