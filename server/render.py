"""Pure helpers for the pages: safe SPARQL terms, display values, highlighted text, map geometry.

Nothing here touches the store or Flask, so each piece is testable on its own.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg.formats import PREFIXES
from kg.iris import iri_problem
from kg.terms import number  # noqa: F401 - server.entities reads figures through here
from kg.vocab import CKG_NS

MAX_SEARCH_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
XSD = PREFIXES["xsd"]
# Datatypes whose values read plainly; others are shown next to the value.
_PLAIN_DATATYPES = {XSD + t for t in ("string", "integer", "nonNegativeInteger", "decimal", "double", "date", "dateTime", "gYear", "gYearMonth")}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def read_date(text: str | None) -> str | None:
    """Template filter: an ISO date or year-month string as a reader writes it.

    >>> read_date("2019-08-04"), read_date("2019-08"), read_date(None)
    ('4 August 2019', 'August 2019', None)
    """
    if not text:
        return text
    return reader_date(text, XSD + ("date" if len(text) == 10 else "gYearMonth"))


def reader_date(text: str, datatype: str | None) -> str:
    """A date as a reader writes it; anything else unchanged.

    >>> reader_date("2014-09-06", XSD + "date"), reader_date("2016-10", XSD + "gYearMonth"), reader_date("2016", XSD + "gYear")
    ('6 September 2014', 'October 2016', '2016')
    >>> reader_date("2016-13", XSD + "gYearMonth")
    '2016-13'
    """
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text) if datatype in (XSD + "date", XSD + "gYearMonth") else None
    if not match or not 1 <= int(match[2]) <= 12:
        return text
    month = f"{_MONTHS[int(match[2]) - 1]} {match[1]}"
    return f"{int(match[3])} {month}" if match[3] else month
_PLAIN_DATATYPES.add(str(RDF.langString))


class UnsafeTerm(ValueError):
    """A string that cannot be put into a SPARQL query as the term asked for."""


def iri_ref(iri: str) -> str:
    """``<iri>`` for a query, refusing characters that could end the IRI early.

    >>> iri_ref("http://x/id/place/raqqa")
    '<http://x/id/place/raqqa>'
    >>> iri_ref("http://x/> } DROP ALL {")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    UnsafeTerm: not an IRI that can be queried
    """
    problem = iri_problem(iri)
    if problem:
        raise UnsafeTerm(f"not an IRI that can be queried ({problem}): {iri[:80]!r}")
    return f"<{iri}>"


def string_literal(text: str) -> str:
    """A SPARQL string literal for user text: escaped by Oxigraph's own serializer, length bounded.

    >>> string_literal('Raqqa" } ; DROP ALL ; #')
    '"Raqqa\\\\" } ; DROP ALL ; #"'
    """
    clean = _CONTROL.sub(" ", text)[:MAX_SEARCH_LENGTH]
    return str(ox.Literal(clean))


def local_name(iri: str) -> str:
    """The last segment of an IRI, for showing things that have no label.

    >>> local_name("https://w3id.org/ckg/ontology#locatedIn")
    'locatedIn'
    >>> local_name("http://x/id/place/raqqa")
    'raqqa'
    """
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


def curie(iri: str) -> str:
    """A prefixed name when a known prefix fits, else the IRI.

    >>> curie("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    >>> curie("http://elsewhere.example/x")
    'http://elsewhere.example/x'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace):] and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def href_for(iri: str, base: str) -> str | None:
    """Where a link to ``iri`` should go: our own pages for our IRIs and ontology terms, the IRI
    itself for other web IRIs, and nowhere for other schemes (``javascript:`` is a valid IRI).

    >>> href_for("http://kg.example/id/place/raqqa", "http://kg.example/id/")
    '/id/place/raqqa'
    >>> href_for(CKG_NS + "Attack", "http://kg.example/id/")
    '/ontology#Attack'
    >>> href_for("https://www.wikidata.org/wiki/Q1", "http://kg.example/id/")
    'https://www.wikidata.org/wiki/Q1'
    >>> href_for("javascript:alert(1)", "http://kg.example/id/") is None
    True
    """
    if iri.startswith(base):
        return "/id/" + iri[len(base):]
    if iri.startswith(CKG_NS):
        return "/ontology#" + iri[len(CKG_NS):]
    if iri == CKG_NS.rstrip("#"):
        return "/ontology"
    if iri.split(":", 1)[0].lower() in ("http", "https"):
        return iri
    return None


@dataclass
class Value:
    """One RDF term ready to show: text, link target (for IRIs) and datatype/language (for literals)."""

    text: str
    href: str | None = None
    iri: str | None = None
    datatype: str | None = None
    language: str | None = None
    kind: str | None = None  # our IRI kind (attack, place...) when the IRI is ours
    when: str | None = None  # a date's ISO form when ``text`` is the reader's ("6 September 2014")


def value_of(term, base: str, label=None) -> Value:
    """A :class:`Value` for a pyoxigraph term, using ``label`` (a term or str) for IRIs when given."""
    if isinstance(term, ox.NamedNode):
        from kg.iris import kind_of

        shown = label.value if isinstance(label, ox.Literal) else label
        return Value(
            text=shown or (curie(term.value) if not term.value.startswith(base) else local_name(term.value)),
            href=href_for(term.value, base),
            iri=term.value,
            kind=kind_of(term.value, base),
        )
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else None
        plain = datatype is None or datatype in _PLAIN_DATATYPES
        shown = reader_date(term.value, datatype)
        return Value(text=shown, datatype=None if plain else curie(datatype), language=term.language,
                     when=term.value if shown != term.value else None)
    return Value(text=str(term))


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")


def sentence_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The sentence holding ``text[start:end]``, split into (before, mention, after).

    >>> sentence_around("One here. Two three four. Five.", 14, 19)
    ('Two ', 'three', ' four.')
    >>> sentence_around("No break at all", 3, 8)
    ('No ', 'break', ' at all')
    """
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end < start:
        start, end = end, start
    first, last = 0, len(text)
    for match in _SENTENCE_BREAK.finditer(text):
        if match.end() <= start:
            first = match.end()
        elif match.start() >= end:
            last = match.start()
            break
    return text[first:start], text[start:end], text[end:last]


@dataclass
class Span:
    """A mention to highlight in a text: character offsets and what it refers to."""

    start: int
    end: int
    href: str | None = None
    label: str = ""
    kind: str | None = None


@dataclass
class Segment:
    """A run of text covered by the same mentions; ``spans`` innermost first."""

    text: str
    spans: list[Span] = field(default_factory=list)

    @property
    def link(self) -> Span | None:
        return self.spans[0] if self.spans else None

    @property
    def title(self) -> str:
        return "; ".join(dict.fromkeys(f"{s.kind or 'entity'}: {s.label}" for s in self.spans))


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """Cut ``text`` at every mention boundary; each piece knows the mentions covering it.

    Overlapping and nested mentions are fine; offsets outside the text are clamped. The pieces
    are plain strings: the template escapes each one.

    >>> [(s.text, [x.label for x in s.spans]) for s in segments("Raqqa city hit", [Span(0, 10, label="city"), Span(0, 5, label="Raqqa")])]
    [('Raqqa', ['Raqqa', 'city']), (' city', ['city']), (' hit', [])]
    """
    valid = []
    for span in spans:
        start, end = max(0, min(span.start, len(text))), max(0, min(span.end, len(text)))
        if start < end:
            span.start, span.end = start, end
            valid.append(span)
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    starting: dict[int, list[Span]] = {}
    for span in valid:
        starting.setdefault(span.start, []).append(span)
    active: list[Span] = []
    pieces = []
    for left, right in zip(cuts, cuts[1:]):
        active = [s for s in active if s.end > left] + starting.get(left, [])
        covering = sorted(active, key=lambda s: s.end - s.start)
        pieces.append(Segment(text[left:right], covering))
    return pieces


@dataclass
class MapPoint:
    lat: float
    long: float
    label: str
    href: str | None = None
    here: bool = False
    x: float = 0.0
    y: float = 0.0


@dataclass
class MapView:
    """An equirectangular frame around some points, drawn as inline SVG by the template."""

    width: int
    height: int
    points: list[MapPoint]
    meridians: list[tuple[float, str]]  # x position, label
    parallels: list[tuple[float, str]]  # y position, label


def map_view(points: list[MapPoint], width: int = 480, height: int = 320, min_span: float = 0.5) -> MapView | None:
    """Project points into a ``width``×``height`` frame with a graticule; None without points.

    >>> view = map_view([MapPoint(35.95, 39.01, "Raqqa", here=True)])
    >>> (round(view.points[0].x), round(view.points[0].y))
    (240, 160)
    """
    if not points:
        return None
    lats, longs = [p.lat for p in points], [p.long for p in points]
    mid_lat, mid_long = (min(lats) + max(lats)) / 2, (min(longs) + max(longs)) / 2
    squash = max(math.cos(math.radians(mid_lat)), 0.2)
    span_long = max((max(longs) - min(longs)) * 1.3, min_span)
    span_lat = max((max(lats) - min(lats)) * 1.3, min_span)
    degrees_per_px = max(span_long * squash / width, span_lat / height)
    half_w, half_h = width / 2 * degrees_per_px / squash, height / 2 * degrees_per_px

    def x_of(long: float) -> float:
        return (long - (mid_long - half_w)) / (2 * half_w) * width

    def y_of(lat: float) -> float:
        return ((mid_lat + half_h) - lat) / (2 * half_h) * height

    for point in points:
        point.x, point.y = round(x_of(point.long), 1), round(y_of(point.lat), 1)
    step = _grid_step(2 * half_h)
    meridians = [(round(x_of(v), 1), f"{abs(v):g}°{'E' if v >= 0 else 'W'}") for v in _ticks(mid_long - half_w, mid_long + half_w, step)]
    parallels = [(round(y_of(v), 1), f"{abs(v):g}°{'N' if v >= 0 else 'S'}") for v in _ticks(mid_lat - half_h, mid_lat + half_h, step)]
    return MapView(width, height, points, meridians, parallels)


def _grid_step(span: float) -> float:
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60):
        if span / step <= 6:
            return step
    return 90


def _ticks(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step)
    return [round(i * step, 6) for i in range(first, math.floor(high / step) + 1)]


@dataclass
class TimelineMark:
    x: float
    date: str
    label: str
    href: str | None
    role: str


@dataclass
class TimelineAxis:
    """Dated events placed along a horizontal axis, with a tick per year (or month, for short spans)."""

    width: int
    marks: list[TimelineMark]
    ticks: list[tuple[float, str]]


def first_day(text: str | None):
    """The first day an xsd:date, xsd:gYearMonth or xsd:gYear value covers; None if it is none of them.

    >>> first_day("2014-09-06"), first_day("2014-09"), first_day("2013"), first_day("soon")
    (datetime.date(2014, 9, 6), datetime.date(2014, 9, 1), datetime.date(2013, 1, 1), None)
    """
    from datetime import date

    parts = (text or "")[:10].split("-")
    try:
        numbers = [int(p) for p in parts] + [1, 1]
        return date(numbers[0], numbers[1], numbers[2]) if len(parts) <= 3 else None
    except ValueError:
        return None


def timeline_axis(events: list[tuple[str, str, str | None, str]], width: int = 640, margin: int = 40) -> TimelineAxis | None:
    """Place ``(iso_date, label, href, role)`` events on an axis; undated or unparsable ones are left out.

    >>> axis = timeline_axis([("2014-01-01", "a", None, "target"), ("2016-01-01", "b", None, "perpetrator")])
    >>> [m.x for m in axis.marks], [label for _, label in axis.ticks]
    ([40.0, 600.0], ['2014', '2015', '2016'])
    >>> [m.x for m in timeline_axis([("2014-09-06", "one", None, "target")]).marks]
    [320.0]
    >>> [m.date for m in timeline_axis([("2013", "y", None, "target"), ("2014-05", "m", None, "target")]).marks]
    ['2013-01-01', '2014-05-01']
    """
    from datetime import date

    dated = [(day, label, href, role) for when, label, href, role in events if (day := first_day(when))]
    if not dated:
        return None
    first, last = min(d[0] for d in dated), max(d[0] for d in dated)
    span = max((last - first).days, 1)

    def x_of(day) -> float:
        if first == last:
            return width / 2
        return round(margin + (day - first).days / span * (width - 2 * margin), 1)

    marks = [TimelineMark(x_of(day), day.isoformat(), label, href, role) for day, label, href, role in dated]
    if last.year - first.year >= 1:
        ticks = [(x_of(date(y, 1, 1)), str(y)) for y in range(first.year, last.year + 1) if first <= date(y, 1, 1) <= last]
    else:
        ticks = [(x_of(date(first.year, m, 1)), date(first.year, m, 1).strftime("%b %Y")) for m in range(first.month, last.month + 1)
                 if first <= date(first.year, m, 1) <= last]
    if not ticks:
        ticks = [(x_of(first), first.isoformat())]
    return TimelineAxis(width, marks, ticks)
