"""Content negotiation: one function, a default and a supported list, as Oxigraph's server does.

>>> from kg.formats import RDF_FORMATS
>>> negotiate("text/html;q=0.9, text/turtle", RDF_FORMATS, default="turtle").name
'turtle'
>>> negotiate("*/*", RDF_FORMATS, default="ntriples").name
'ntriples'
>>> negotiate("image/png", RDF_FORMATS, default="turtle") is None
True
"""
from __future__ import annotations

from typing import Sequence

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.formats import Format

HTML = "text/html"


def negotiate(accept: str | None, supported: Sequence[Format], *, default: str) -> Format | None:
    """The best of ``supported`` for an ``Accept`` header; ``default`` for none or ``*/*``; None if nothing fits.

    Media types are matched on their aliases too (``application/json`` for JSON-LD, say).
    """
    by_name = {f.name: f for f in supported}
    if not accept or not accept.strip():
        return by_name[default]
    parsed = parse_accept_header(accept, MIMEAccept)
    offers = [by_name[default].media_type] + [f.media_type for f in supported if f.name != default]
    offers += [alias for f in supported for alias in f.aliases if "/" in alias]
    best = parsed.best_match(offers)
    if best is None:
        return None
    return next(f for f in supported if best == f.media_type or best in f.aliases)


def prefers_html(accept: str | None) -> bool:
    """Whether a browser-like ``Accept`` ranks HTML above the RDF types.

    >>> prefers_html("text/html,application/xhtml+xml,*/*;q=0.8")
    True
    >>> prefers_html("text/turtle")
    False
    """
    if not accept:
        return False
    from kg.formats import RDF_FORMATS

    parsed = parse_accept_header(accept, MIMEAccept)
    explicit = [value for value, _ in parsed]
    if HTML not in explicit and "application/xhtml+xml" not in explicit:
        return False
    html_q = max(parsed[HTML], parsed["application/xhtml+xml"])
    rdf_q = max(parsed[f.media_type] if f.media_type in explicit else 0 for f in RDF_FORMATS)
    return html_q > 0 and html_q >= rdf_q
