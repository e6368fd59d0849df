"""RDF literals as Python values: the one reading of a literal's text by its datatype, for results
from pyoxigraph, from SPARQL JSON results, and for pages that show figures.

>>> literal_value("25", str(XSD.nonNegativeInteger)), literal_value("0.5", str(XSD.decimal))
(25, 0.5)
>>> literal_value("true", str(XSD.boolean)), literal_value("25", None)
(True, '25')
>>> literal_value("many", str(XSD.integer))
'many'
"""
from __future__ import annotations

import pyoxigraph as ox
from rdflib.namespace import XSD

INTEGER_TYPES = frozenset(str(XSD[t]) for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                                 "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort"))
FLOAT_TYPES = frozenset(str(XSD[t]) for t in ("decimal", "double", "float"))


def literal_value(text: str, datatype: str | None):
    """``int`` for the integer types, ``float`` for decimals and doubles, ``bool`` for booleans,
    else (or when the text does not parse as its type) the text itself."""
    try:
        if datatype in INTEGER_TYPES:
            return int(text)
        if datatype in FLOAT_TYPES:
            return float(text)
    except ValueError:
        return text
    if datatype == str(XSD.boolean) and text in ("true", "false", "1", "0"):
        return text in ("true", "1")
    return text


def python_value(term):
    """A pyoxigraph term as a Python value: a literal by :func:`literal_value`, an IRI or blank
    node as its text, nothing as None.

    >>> python_value(ox.Literal("25", datatype=ox.NamedNode(str(XSD.integer)))), python_value(ox.NamedNode("http://x/a"))
    (25, 'http://x/a')
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return literal_value(term.value, term.datatype.value)
    return term.value


def number(term) -> int | float | None:
    """The numeric value of a literal term whatever its datatype (a figure stated as text too),
    an integral value as ``int``; None for anything else.

    >>> number(ox.Literal("25", datatype=ox.NamedNode(str(XSD.integer)))), number(ox.Literal("2.5"))
    (25, 2.5)
    >>> number(ox.Literal("many")) is None, number(ox.NamedNode("http://x/a")) is None
    (True, True)
    """
    if not isinstance(term, ox.Literal):
        return None
    value = literal_value(term.value, str(XSD.double))
    if not isinstance(value, float):
        return None
    return int(value) if value.is_integer() else value
