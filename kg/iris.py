"""Minting stable IRIs: ``<base><kind>/<slug>``.

>>> slugify("Syrian Observatory for Human Rights (SOHR)")
'syrian-observatory-for-human-rights-sohr'
>>> slugify("al-Taka'e camp")
'al-takae-camp'
>>> mint("actor", "Islamic State", base="http://x/id/")
rdflib.term.URIRef('http://x/id/actor/islamic-state')
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import pyoxigraph as ox
from rdflib import URIRef

from kg.config import base_iri

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')  # what would end an <IRI> early or is not allowed in one
KINDS = ("actor", "attack", "place", "claim", "report", "article", "mention", "graph")
_MAX_SLUG = 80


def slugify(text: str) -> str:
    """A lowercase ASCII slug; non-Latin names fall back to a short hash so no slug is empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’`]", "", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:_MAX_SLUG].rstrip("-")
    return slug or "h-" + digest(text, 12)


def digest(text: str, length: int = 16) -> str:
    """A short, stable hex digest of ``text``.

    >>> digest("abc", 8)
    'ba7816bf'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def mint(kind: str, key: str, base: str | None = None) -> URIRef:
    """The IRI of an entity of ``kind`` identified by ``key`` (a name, an id or a digest)."""
    if kind not in KINDS:
        raise ValueError(f"unknown IRI kind {kind!r}; expected one of {', '.join(KINDS)}")
    return URIRef(f"{base or base_iri()}{kind}/{slugify(key)}")


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI that can stand between angle brackets, or None when it is.

    The one check for every IRI taken from outside (an article's source, a page's IRI, a graph
    name): no character that could end ``<...>`` early, then the engine's own parse (percent
    encodings, code points IRIs cannot hold, a scheme).

    >>> iri_problem("http://x/id/place/raqqa") is None
    True
    >>> iri_problem("http://x/> } DROP ALL {")
    'a character an IRI cannot hold'
    >>> iri_problem("no-scheme")
    'not an absolute IRI'
    """
    if not value or _IRI_FORBIDDEN.search(value):
        return "a character an IRI cannot hold" if value else "empty"
    try:
        ox.NamedNode(value)
    except ValueError:
        return "not an absolute IRI"
    return None


def kind_of(iri: str, base: str | None = None) -> str | None:
    """The kind segment of an IRI minted under ``base``, or None for foreign IRIs.

    >>> kind_of("http://x/id/place/raqqa", base="http://x/id/")
    'place'
    """
    base = base or base_iri()
    if not iri.startswith(base):
        return None
    kind = iri[len(base):].split("/", 1)[0]
    return kind if kind in KINDS else None
