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
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
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

    One reading of the text: ``<`` inside parentheses right after an operand is the less-than
    operator (``FILTER(?a<?b)``), elsewhere it opens an IRI. Good enough to find the query form and
    prefixes; :func:`forbidden_operation` does not rely on it and follows both readings.

    >>> [kind for kind, _ in tokens("FILTER(?a<?b) SERVICE#>")]
    ['word', 'open', 'var', 'other', 'var', 'close', 'word']
    """
    state = _State(0, (), False)
    while state.position < len(text):
        kind, value, state, _ = _step(text, state, less_than=None)
        if kind is not None:
            yield kind, value


class _State(tuple):
    """Where a scan is: position, open brackets, whether the last token was an operand."""

    __slots__ = ()

    def __new__(cls, position: int, brackets: tuple, operand: bool):
        return super().__new__(cls, (position, brackets, operand))

    position = property(lambda self: self[0])
    brackets = property(lambda self: self[1])
    operand = property(lambda self: self[2])


def _step(text: str, state: _State, *, less_than: bool | None):
    """The token at ``state``: ``(kind or None for space/comment, value, next state, ambiguous)``.

    ``less_than``: how to read a ``<`` that could be an IRI or the operator (None: guess from context,
    True: the operator, False: an IRI); ``ambiguous`` says whether this token was such a ``<``.
    """
    position, brackets, operand = state
    match = _TOKEN.match(text, position)
    kind = match.lastgroup
    ambiguous = kind == "iri" and brackets[-1:] == ("(",) and operand
    if ambiguous and (less_than if less_than is not None else True):
        match = _TOKEN.match(text[: position + 1], position)  # the lone "<" operator
        kind = "other"
    value = match.group()
    if kind in ("space", "comment"):
        return None, value, _State(match.end(), brackets, operand), False
    if kind == "other" and value in "({[":
        brackets, kind = brackets + (value,), "open"
    elif kind == "other" and value in ")}]":
        brackets, kind = brackets[:-1], "close"
    return kind, value, _State(match.end(), brackets, kind in _OPERANDS), ambiguous


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


MAX_SCAN_STEPS = 200_000  # tokens looked at over every reading of one text, before giving up
_MAYBE_FORBIDDEN = re.compile("|".join(FORBIDDEN), re.IGNORECASE)


def forbidden_operation(text: str) -> str | None:
    """The first keyword of an operation the endpoint refuses (``SERVICE``, ``LOAD``), or None.

    Defence in depth (the engine runs in a process without network): the answer must never be None
    for a text the engine would read as SERVICE or LOAD, so the scan errs on the side of refusing.

    - Text without the letters of either word anywhere is let through at once.
    - Oxigraph reads keywords without a boundary after them (``1SERVICE``, ``trueLOAD``), so a bare
      word *containing* either word counts.
    - The text is read as given (Oxigraph does not decode ``\\u`` escapes outside strings and IRIs)
      and decoded (as the SPARQL grammar says an engine may).
    - Where ``<`` could be an IRI or less-than (inside parentheses after an operand: an expression
      or a collection), both readings are followed to the end.

    >>> forbidden_operation("SELECT * { ?s ?p 1.5SERVICE <http://e/> {} }")
    'SERVICE'
    >>> forbidden_operation("INSERT DATA { <urn:s> <urn:p> (1 <urn:it's>) } ; LOAD <http://e/> ; INSERT DATA { <urn:s> <urn:p> '' }")
    'LOAD'
    """
    for reading in dict.fromkeys((text, unescape(text))):
        if _MAYBE_FORBIDDEN.search(reading):
            found = _forbidden_in_any_reading(reading)
            if found:
                return found
    return None


def _forbidden_in_any_reading(text: str) -> str | None:
    """SERVICE/LOAD in a bare word of any reading of ``text`` (both readings of every ambiguous ``<``).

    Readings that reach the same state are followed once; past :data:`MAX_SCAN_STEPS` the text
    counts as holding the first of the words that appears in it at all.
    """
    pending, seen, steps = [_State(0, (), False)], set(), 0
    while pending:
        state = pending.pop()
        while state.position < len(text):
            steps += 1
            if steps > MAX_SCAN_STEPS:
                return _MAYBE_FORBIDDEN.search(text).group().upper()
            kind, value, following, ambiguous = _step(text, state, less_than=False)
            if ambiguous and _can_hide(value):
                other = _step(text, state, less_than=True)[2]
                if other not in seen:
                    seen.add(other)
                    pending.append(other)
                if following in seen:
                    break
                seen.add(following)
            if kind == "word":
                word = value.upper()
                found = next((keyword for keyword in FORBIDDEN if keyword in word), None)
                if found:
                    return found
            state = following
    return None


def _can_hide(iri: str) -> bool:
    """Whether reading ``iri``'s ``<`` as less-than could show a keyword the IRI reading does not see.

    Only a ``#`` (a comment) or ``'`` (a string) inside it can: either runs past the ``>`` in the
    less-than reading. A keyword in the IRI itself would need a ``{`` or a space after it, which an
    IRI cannot hold.
    """
    return "#" in iri or "'" in iri


MAX_NESTING = 64  # brackets open at once; the engine's parser slows down steeply and then overflows its stack


def nesting_depth(text: str) -> int:
    """How many brackets ``( [ {`` are open at most at once, counted in every character.

    Brackets in strings and IRIs count too: an over-estimate is safe, and no reading of the text can
    hide nesting from it.

    >>> nesting_depth("SELECT * { { ?s ?p (1 [ ?q 2 ]) } }")
    4
    """
    depth = deepest = 0
    for char in text:
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]" and depth:
            depth -= 1
    return deepest


def too_deep(text: str) -> str | None:
    """Why ``text`` is refused for its nesting, or None when it is shallow enough."""
    depth = nesting_depth(text)
    if depth <= MAX_NESTING:
        return None
    return (f"the SPARQL text nests {depth} brackets deep; this server takes at most {MAX_NESTING} "
            f"(nested groups, parentheses, blank nodes and collections together)")


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
