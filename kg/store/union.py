"""SPARQL Updates that write named graphs and keep the default graph, the set union of the named
graphs, in step in the same request.

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
from typing import Sequence

from kg.iris import iri_problem
from kg.store.errors import StoreError


RESYNC_UNION = (
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } ;\n"
    "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
)


def resync_union(union: str | None = None) -> str:
    """SPARQL Update rebuilding the whole union (what a write of unknown reach needs)."""
    if union is None:
        return RESYNC_UNION
    u = sparql_iri(union)
    return (f"DELETE {{ GRAPH {u} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {u} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {u}) }} }} ;\n"
            f"INSERT {{ GRAPH {u} {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {u}) }}")


def _into(union: str | None, body: str) -> str:
    """``body`` (triples or a template) aimed at the union: the default graph, or the union graph."""
    return body if union is None else f"GRAPH {sparql_iri(union)} {{\n{body}\n}}"


def _others(union: str | None, *graphs: str) -> str:
    """``FILTER`` keeping ``?other`` to the graphs that count as stating a triple."""
    names = [*graphs, *([sparql_iri(union)] if union else [])]
    return f"FILTER(?other NOT IN ({', '.join(names)}))" if names else ""


_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*(?:\n|$)|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>)*")
BEFORE_PREFIX = "urn:kg:before:"  # scratch copies of touched graphs, inside one update request only


def _operations(sparql: str) -> list | None:
    """rdflib's algebra of the update's operations; None when rdflib cannot read it (the engine
    still decides whether it is valid: the whole union is rebuilt after it)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return list(translateUpdate(parseUpdate(sparql)).algebra)
    except Exception:  # noqa: BLE001 - rdflib's reading differs from the engine's
        return None


def _part(op, key: str):
    """Part ``key`` of an algebra operation, or None (rdflib's ``CompValue.get`` answers the key itself)."""
    return op[key] if key in op else None


def touched_graphs(sparql: str) -> list[str] | None:
    """The named graphs a SPARQL Update writes, when its text says which; None when it writes the
    default graph, a graph chosen by a variable, every graph, or cannot be read here.

    >>> touched_graphs('INSERT DATA { GRAPH <http://e.x/g> { <http://e.x/s> <http://e.x/p> 1 } }')
    ['http://e.x/g']
    >>> touched_graphs('WITH <http://e.x/g> DELETE { ?s ?p 1 } WHERE { ?s ?p 1 }')
    ['http://e.x/g']
    >>> touched_graphs('DELETE WHERE { GRAPH ?g { ?s ?p ?o } }') is None
    True
    >>> touched_graphs('INSERT DATA { <http://e.x/s> <http://e.x/p> 1 }') is None
    True
    """
    operations = _operations(sparql)
    return None if operations is None else _touched(operations)


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
        if _part(clause, "triples") and not target(with_graph):
            return False
        return all(target(graph) for graph in (_part(clause, "quads") or {}))

    for op in operations:
        if op.name in ("InsertData", "DeleteData", "DeleteWhere"):
            ok = template(op)
        elif op.name == "Modify":
            with_graph = _part(op, "withClause")
            ok = template(_part(op, "delete"), with_graph) and template(_part(op, "insert"), with_graph)
        elif op.name in ("Clear", "Drop", "Create"):
            ok = target(_part(op, "graphiri"))
        elif op.name in ("Add", "Copy", "Move"):
            ok = all(target(graph) for graph in _part(op, "graph") or [None])
        else:  # LOAD and anything new: the whole union is rebuilt
            ok = False
        if not ok:
            return None
    if any(graph.startswith(BEFORE_PREFIX) for graph in found):
        return None
    return list(found)


def _data(operations) -> list[str] | None:
    """The triples (N-Triples syntax) of an update made only of ``INSERT DATA`` / ``DELETE DATA``
    into named graphs, without blank nodes; None for any other update."""
    from rdflib import BNode, URIRef

    triples: dict[str, None] = {}
    for op in operations:
        if op.name not in ("InsertData", "DeleteData") or _part(op, "triples"):
            return None
        for graph, stated in (_part(op, "quads") or {}).items():
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
    """``sparql`` followed, in the same request, by what brings the union back in step, at the cost
    of what it touches where its text allows:

    - ``INSERT DATA`` / ``DELETE DATA``: for the triples written in it;
    - one ``DELETE``/``INSERT ... WHERE`` or ``DELETE WHERE`` (whatever graphs it writes, ``GRAPH ?g``
      and the default graph included): for the triples its templates matched, which it copies aside
      as it runs (:func:`_captured`);
    - operations naming their graphs (``WITH <g>``, ``CLEAR``, ``COPY`` ...): for those graphs;
    - anything else (``LOAD``, a graph variable in a request of several operations, blank nodes
      in an ``INSERT`` template): for the whole store (:data:`RESYNC_UNION`).
    """
    body = sparql.rstrip().rstrip(";")
    operations = _operations(sparql)
    if operations is None:
        return body + "\n;\n" + resync_union(union)
    data = _data(operations)
    if data is not None:  # INSERT DATA / DELETE DATA only: the touched triples are in the text
        return "\n;\n".join([body, *_follow_triples(data, union)])
    prologue = _PROLOGUE.match(body).group(0)  # first: some engines take no PREFIX after a ';'
    captured = _captured(body[len(prologue):], operations, union) if BEFORE_PREFIX not in body else None
    if captured is not None:
        return prologue + "\n" + captured
    graphs = _touched(operations)
    if graphs is None:
        return body + "\n;\n" + resync_union(union)
    if not graphs:
        return body
    return prologue + "\n" + _with_copies(body[len(prologue):], graphs, union)


def _with_copies(body: str, graphs: list[str], union: str | None) -> str:
    """``body`` between a copy of each of ``graphs`` taken before it and the union corrected for
    what those graphs stated before and state after."""
    before = [f"<{BEFORE_PREFIX}{number}>" for number in range(len(graphs))]
    names = [sparql_iri(graph) for graph in graphs]
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
    return "\n;\n".join(operations)  # on lines of their own: the user's text may end in a comment


CAPTURE = f"<{BEFORE_PREFIX}matched>"  # what one DELETE/INSERT matched, inside one update request only


def _captured(body: str, operations, union: str | None) -> str | None:
    """One ``DELETE``/``INSERT ... WHERE`` or ``DELETE WHERE`` (``body``, its prologue apart) made to
    copy every triple its templates match into :data:`CAPTURE` as it runs, then the union set, for
    those triples only, to what the named graphs state after it. None when the request is not one
    such operation, or its ``INSERT`` template mints blank nodes (their copies would differ)."""
    if len(operations) != 1 or operations[0].name not in ("Modify", "DeleteWhere"):
        return None
    op = operations[0]
    deleted, inserted = (_part(op, "delete"), _part(op, "insert")) if op.name == "Modify" else (op, None)
    if _mints_blank_nodes(inserted):
        return None
    flat = "".join(f"{line}\n" for line in dict.fromkeys(_template_lines(deleted) + _template_lines(inserted)))
    spans = _template_spans(body)
    copy = f"GRAPH {CAPTURE} {{\n{flat}}}"
    if op.name == "DeleteWhere":
        if "WHERE" not in spans:
            return None
        keyword, start, end = spans["WHERE"]
        pattern = body[start:end + 1]
        rewritten = f"{body[:keyword]}{pattern} INSERT {{ {copy} }} WHERE {pattern}{body[end + 1:]}"  # DELETE {Q} ... WHERE {Q}
    elif "INSERT" in spans:
        _, _, end = spans["INSERT"]
        rewritten = f"{body[:end]}\n{copy}\n{body[end:]}"
    elif "DELETE" in spans:
        _, _, end = spans["DELETE"]
        rewritten = f"{body[:end + 1]} INSERT {{ {copy} }}{body[end + 1:]}"
    else:
        return None
    stated = f"GRAPH ?other {{ ?s ?p ?o }} {_others(union, CAPTURE)}"
    matched = f"GRAPH {CAPTURE} {{ ?s ?p ?o }}"
    return "\n;\n".join([
        rewritten,  # the user's text first, on lines of its own: it may end in a comment
        f"DELETE {{ {_into(union, '?s ?p ?o')} }} WHERE {{ {matched} FILTER NOT EXISTS {{ {stated} }} }}",
        f"INSERT {{ {_into(union, '?s ?p ?o')} }} WHERE {{ {matched} FILTER EXISTS {{ {stated} }} }}",
        f"DROP SILENT GRAPH {CAPTURE}",
    ])


def _mints_blank_nodes(clause) -> bool:
    from rdflib import BNode

    return any(isinstance(term, BNode) for triple in _template_triples(clause) for term in triple)


def _template_triples(clause) -> list[tuple]:
    """Every triple pattern of a template, whatever graph it is in."""
    if clause is None:
        return []
    return [*(_part(clause, "triples") or []), *(t for stated in (_part(clause, "quads") or {}).values() for t in stated)]


def _template_lines(clause) -> list[str]:
    """A template's triple patterns as lines of SPARQL, graphs left out."""
    return [" ".join(term.n3() for term in triple) + " ." for triple in _template_triples(clause)]


_STRINGS = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',  # long strings first
    r"'{3}(?:[^'\\]|\\.|'(?!''))*'{3}",
    r'"(?:[^"\\\n]|\\.)*"',
    r"'(?:[^'\\\n]|\\.)*'",
)
_TOKEN = re.compile(
    r"(?P<skip>#[^\n]*|" + "|".join(_STRINGS) + r'|<[^<>"{}|^`\\\x00-\x20]*>)'  # comments, strings, IRIs
    r"|(?P<open>\{)|(?P<close>\})|(?P<word>[A-Za-z_][\w\-.:]*)"
)


def _template_spans(body: str) -> dict[str, tuple[int, int, int]]:
    """The top-level brace groups of one update operation, by the keyword before each (``DELETE``,
    ``INSERT``, ``WHERE``): (the keyword's offset, the opening brace's, the closing brace's).
    Strings, IRIs and comments are skipped, so a brace inside them does not count.

    >>> _template_spans('DELETE { ?s ?p "}" } WHERE { ?s ?p ?o }')
    {'DELETE': (0, 7, 19), 'WHERE': (21, 27, 38)}
    """
    spans: dict[str, tuple[int, int, int]] = {}
    depth, keyword, opened = 0, None, None
    for token in _TOKEN.finditer(body):
        kind = token.lastgroup
        if kind == "word" and depth == 0 and token.group().upper() in ("DELETE", "INSERT", "WHERE"):
            keyword = (token.group().upper(), token.start())
        elif kind == "open":
            if depth == 0:
                opened = token.start()
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0 and keyword and keyword[0] not in spans:
                spans[keyword[0]] = (keyword[1], opened, token.start())
    return spans


def sparql_iri(value: str) -> str:
    """``value`` between angle brackets, refusing what would break out of them.

    >>> sparql_iri("http://e.x/g")
    '<http://e.x/g>'
    """
    problem = iri_problem(value)
    if problem:
        raise StoreError(f"not a valid IRI ({problem}): {value!r}")
    return f"<{value}>"


def drop_graph_update(graph: str, union: str | None = None) -> str:
    """SPARQL Update removing ``graph``, and from the union what no other graph states."""
    g = sparql_iri(graph)
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
    write = f"INSERT DATA {{ GRAPH {sparql_iri(graph)} {{\n{ntriples}\n}}\n{_into(union, ntriples)}\n}}"
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
    g = sparql_iri(graph)
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
