"""What the endpoint needs to know about a SPARQL text before running it, found by tokenizing.

A full parse would cost more than many queries take to run, and a second parser could disagree with
Oxigraph's about what is valid. These questions only need the tokens: string literals, IRIs,
comments, prefixed names, variables, blank-node labels and language tags are single tokens, so a
keyword is recognised only where the grammar would see one.

>>> query_form("PREFIX x: <http://e/> # SELECT\\nCONSTRUCT { ?s ?p ?o } WHERE { SELECT * {?s ?p ?o} }")
'CONSTRUCT'
>>> forbidden_operation('SELECT * { ?s ?p "SERVICE <http://e/>" }') is None
True
>>> forbidden_operation("select * { service silent <http://e/> { ?s ?p ?o } }")
'SERVICE'
"""
from __future__ import annotations

import re
from typing import Iterator

_TOKEN = re.compile(
    r"""
      (?P<string>'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<bnode>_:[\w.\-\u00b7]*)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:.\-]|%[0-9A-Fa-f]{2}|\\.)*)
    | (?P<word>[^\W\d][\w\-]*)
    | (?P<number>[0-9][\w.]*)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPERANDS = {"var", "string", "iri", "pname", "number", "close"}

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
# SERVICE makes Oxigraph send HTTP requests; LOAD fetches a document from an IRI.
FORBIDDEN = ("SERVICE", "LOAD")
_REASONS = {
    "SERVICE": "federated queries (SERVICE) are not allowed on this endpoint: they would make the server "
    "send requests to other hosts; query the other endpoint directly",
    "LOAD": "LOAD is not allowed on this endpoint: the server does not fetch documents for clients; "
    "send the data in an INSERT DATA update instead",
}


def unescape(text: str) -> str:
    r"""``text`` with its ``\uXXXX``/``\UXXXXXXXX`` escapes decoded, as SPARQL does before parsing.

    >>> unescape(r"\u0053ERVICE")
    'SERVICE'
    """

    def decode(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _ESCAPE.sub(decode, text)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """``(kind, text)`` for each significant token of a SPARQL text (spaces and comments dropped).

    ``<`` is an IRI only where the grammar can expect one: inside parentheses right after an operand
    it is the less-than operator (``FILTER(?a<?b)``), so an IRI-looking span there cannot hide a
    keyword from this scan.

    >>> [kind for kind, _ in tokens("FILTER(?a<?b) SERVICE#>")]
    ['word', 'open', 'var', 'other', 'var', 'close', 'word']
    """
    text = unescape(text)
    brackets: list[str] = []
    previous = None
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        kind = match.lastgroup
        if kind == "iri" and brackets[-1:] == ["("] and previous in _OPERANDS:
            match = _TOKEN.match(text[: position + 1], position)  # the lone "<" operator
            kind = "other"
        position = match.end()
        value = match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "other" and value in "({[":
            brackets.append(value)
            kind = "open"
        elif kind == "other" and value in ")}]":
            if brackets:
                brackets.pop()
            kind = "close"
        previous = kind
        yield kind, value


def keywords(text: str) -> Iterator[str]:
    """The bare words of ``text`` in upper case, skipping strings, IRIs, comments and names.

    >>> list(keywords('SELECT ?service { <urn:SERVICE> ex:service "service" } # service'))
    ['SELECT']
    """
    for kind, value in tokens(text):
        if kind == "word":
            yield value.upper()


def query_form(text: str) -> str | None:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``: the first form keyword (the prologue has none).

    >>> query_form("ask {}"), query_form("INSERT DATA {}")
    ('ASK', None)
    """
    return next((word for word in keywords(text) if word in QUERY_FORMS), None)


def forbidden_operation(text: str) -> str | None:
    """The first keyword of an operation the endpoint refuses (``SERVICE``, ``LOAD``), or None."""
    return next((word for word in keywords(text) if word in FORBIDDEN), None)


def refusal(keyword: str) -> str:
    """Why a forbidden operation is refused, for the client."""
    return _REASONS[keyword]


_POSITION = re.compile(r"error at (\d+):(\d+)")


def shift_error_lines(message: str, lines: int) -> str:
    """An Oxigraph parser message with its line number moved back by ``lines`` prepended lines.

    >>> shift_error_lines("error at 12:5: expected '}'", 10)
    "error at 2:5: expected '}'"
    """
    return _POSITION.sub(lambda m: f"error at {max(1, int(m.group(1)) - lines)}:{m.group(2)}", message, count=1)


def undeclared_prefix(text: str, predeclared) -> str | None:
    """The first prefix used in ``text`` that neither ``PREFIX`` nor ``predeclared`` declares.

    >>> undeclared_prefix("PREFIX ex: <http://e/> SELECT * { ?s ex:p ckg:q ; nope:r ?o }", {"ckg"})
    'nope'
    """
    declared = set(predeclared)
    after_prefix = False
    for kind, value in tokens(text):
        name = value.split(":", 1)[0] if kind == "pname" else None
        if after_prefix and name is not None:
            declared.add(name)
        elif name is not None and name not in declared:
            return name
        after_prefix = kind == "word" and value.upper() == "PREFIX"
    return None
