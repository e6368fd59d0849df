"""What every entity page shares: SPARQL helpers, limits, names fetched in one batch, source sentences.

A page never asks the store once per claim, per link or per value. It collects the terms it shows as
:class:`~server.render.Value` objects from :func:`named`, which only notes them; one call of
:func:`resolve_names` then fetches every label of the page in one query and titles for the unlabelled
attacks, claims and reports in at most two more (none for those whose facts the page read already,
:func:`title_facts`), fills the values in, and runs what the page left to do once
names are known (sorting by name, the timeline, the map). Facts about many subjects come from one
query with ``VALUES``. So a page costs the same number of store queries with 2 claims or 200.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import current_app, g, request

from kg.formats import sparql_prologue
from kg.iris import kind_of
from server.db import get_store, read, whole
from server.errors import HTTPError
from server.render import Value, iri_ref, local_name, number, sentence_around, value_of

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"

MAX_PROPERTIES = 500  # outgoing triples read for an entity page
MAX_VALUES_SHOWN = 20  # IRIs shown per property in its table (an actor's evidence mentions: the rest are counted)
MAX_INCOMING_PROPERTIES = 50  # properties of incoming links listed
MAX_INCOMING_PER_PROPERTY = 50  # incoming links listed per property (all are counted)
MAX_EVIDENCE = 50  # source sentences shown per entity
MAX_LIST = 200  # objects of one property listed per subject (an attack's perpetrators, a claim's sources)
MAX_LISTED = 10_000  # members of one paged list read to sort and count them (an attack's claims, an actor's attacks)
LIST_PAGE_SIZE = 50  # rows of a paged list on one page (an actor's attacks, a place's attacks and places)
CARDS_PAGE_SIZE = 20  # claims on one page of an attack, each with its sources and sentences
PAGE_PARAMETERS = ("page", "claims_page", "places_page")  # the query parameters that pick a page of a list
MAX_MENTIONS = 5000  # mentions highlighted in one article
MAX_VALUES = 5000  # IRIs in one VALUES block: the names of a page come in one query
SENTENCE_WINDOW = 400  # characters read either side of a mention to find its sentence
TITLED_KINDS = ("attack", "claim", "report")


def base() -> str:
    return current_app.config["BASE_IRI"]


def select(sparql: str) -> list[dict]:
    """Rows of an entity page's SELECT (with our prefixes) as dicts of variable name → term (None
    when unbound); read in this process (:func:`server.db.read`)."""
    return read(sparql_prologue() + sparql)


def scan(sparql: str) -> list[dict]:
    """Rows of a page's SELECT (with our prefixes) that reads everything linked to its entity, or
    the store's indexes (a count, the attacks of an actor or within a place): its cost grows with
    the store, so it runs in a query worker, where the request's time limit stops it midway
    (:meth:`server.db.ServerStore.query`)."""
    return whole(get_store().query(sparql_prologue() + sparql))


def ask(sparql: str) -> bool:
    return read(sparql_prologue() + sparql)


def values_block(iris) -> str:
    return " ".join(iri_ref(i) for i in dict.fromkeys(iris))


def val(term, label=None) -> Value:
    """A display value for ``term`` with the label given (none fetched)."""
    return value_of(term, base(), label)


# --- paged lists ------------------------------------------------------------------------------


@dataclass
class Paging:
    """Which page of a list an entity page shows: the list's ``total`` members, ``size`` a page,
    the page picked by the query parameter ``param`` (:func:`paging`).

    >>> p = Paging(total=45, page=2, size=20)
    >>> p.pages, p.offset, p.of(list(range(45)))[:3], p.last_shown
    (3, 20, [20, 21, 22], 40)
    >>> Paging(total=0).pages
    1
    """
    total: int
    page: int = 1
    size: int = 50
    param: str = "page"
    capped: bool = False  # the list has more than :data:`MAX_LISTED` members: only those are paged

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def last_shown(self) -> int:
        return min(self.offset + self.size, self.total)

    def of(self, items: list) -> list:
        return items[self.offset:self.offset + self.size]

    def href(self, page: int) -> str:
        """This page's URL with the list at ``page`` (the other lists' pages kept)."""
        args = {name: request.args[name] for name in PAGE_PARAMETERS if name in request.args and name != self.param}
        if page > 1:
            args[self.param] = str(page)
        query = urlencode(sorted(args.items()))
        return request.path + ("?" + query if query else "")

    def links(self) -> list[tuple[str, str]]:
        """(rel, href) of the pages before and after this one."""
        found = []
        if self.page > 1:
            found.append(("prev", self.href(self.page - 1)))
        if self.page < self.pages:
            found.append(("next", self.href(self.page + 1)))
        return found


def asked_page(param: str = "page") -> int:
    """The page number the request asks for in ``param`` (1 when it is absent); 400 for anything
    but a positive whole number."""
    raw = request.args.get(param, "1")
    if not raw.isdigit() or int(raw) < 1:
        raise HTTPError(400, f"{param} must be a positive whole number, not {raw[:20]!r}")
    return int(raw)


def paging(total: int, param: str = "page", size: int | None = None, *, capped: bool = False) -> Paging:
    """The :class:`Paging` of a list of ``total`` members, ``size`` a page (:data:`LIST_PAGE_SIZE`
    by default), at the page the request asks for; 404 past its last page (a list that is empty has
    one page, empty)."""
    found = Paging(total=total, page=asked_page(param), size=size or LIST_PAGE_SIZE, param=param, capped=capped)
    if found.page > found.pages:
        raise HTTPError(404, f"there is no page {found.page} of this list ({param}): it has {found.pages}")
    return found


def page_of(items: list, param: str = "page", size: int | None = None) -> tuple[list, Paging]:
    """The members of a sorted list on the page the request asks for in ``param``, and its
    :class:`Paging`: only the first :data:`MAX_LISTED` are paged (``capped`` tells there were more)."""
    paged = paging(min(len(items), MAX_LISTED), param, size, capped=len(items) > MAX_LISTED)
    return paged.of(items[:MAX_LISTED]), paged


# --- names, one batch per page -----------------------------------------------------------------


class Names:
    """The IRIs a page shows, named in one batch (:meth:`resolve`), and what waits for their names."""

    def __init__(self) -> None:
        self.pending: dict[str, list[Value]] = {}
        self.known: dict[str, object] = {}
        self.then: list[Callable[[], None]] = []
        self.facts: dict[str, dict[str, list]] = {}  # title facts a page already read (:func:`titles_for`)

    def value(self, term) -> Value:
        if not isinstance(term, ox.NamedNode):
            return val(term)
        shown = val(term, self.known.get(term.value))
        if term.value not in self.known:
            self.pending.setdefault(term.value, []).append(shown)
        return shown

    def resolve(self) -> None:
        while self.pending or self.then:
            pending, self.pending = self.pending, {}
            found = labels(list(pending), known=self.known, facts=self.facts) if pending else {}
            for iri, shown in pending.items():
                label = found.get(iri)
                self.known[iri] = label
                if label is not None:
                    text = label.value if isinstance(label, ox.Literal) else label
                    for value in shown:
                        value.text = text
            then, self.then = self.then, []
            for step in then:
                step()


def names() -> Names:
    """This request's :class:`Names`."""
    found = g.get("kg_names")
    if found is None:
        found = g.kg_names = Names()
    return found


def named(term) -> Value:
    """A display value for ``term`` whose label comes with the page's batch (:func:`resolve_names`)."""
    return names().value(term)


def title_facts(iri: str, **facts: list) -> None:
    """Note what an unlabelled attack's, claim's or report's title is made of (see :data:`_FACTS`),
    read by the page anyway, so its title needs no query of its own."""
    names().facts[iri] = {name: sorted(set(terms), key=term_order) for name, terms in facts.items()}


def later(step: Callable[[], None]) -> None:
    """Run ``step`` once the page's names are known (sorting by name, anything drawn from names)."""
    names().then.append(step)


def resolve_names() -> None:
    names().resolve()


def labels(terms, *, titles: bool = True, known: dict | None = None, facts: dict | None = None) -> dict[str, object]:
    """One rdfs:label per IRI among ``terms`` (IRIs or terms), in one query per :data:`MAX_VALUES`;
    attacks, claims and reports without a label get a title made from their facts
    (:func:`titles_for`, given the labels ``known`` already and the title ``facts`` read already)."""
    iris = list(dict.fromkeys(t.value if isinstance(t, ox.NamedNode) else t for t in terms
                              if isinstance(t, (ox.NamedNode, str))))
    found: dict[str, object] = {}
    for start in range(0, len(iris), MAX_VALUES):
        block = values_block(iris[start:start + MAX_VALUES])
        for row in select(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {block} }} ?x rdfs:label ?l }}"):
            found.setdefault(row["x"].value, row["l"])  # the first, as SAMPLE took it (a GROUP BY costs more than the lookups)
    if titles:
        untitled = [i for i in iris if i not in found and kind_of(i, base()) in TITLED_KINDS]
        found |= titles_for(untitled, known={**(known or {}), **{i: found.get(i) for i in iris}}, facts=facts)
    return found


def labelled(terms) -> list[Value]:
    """Display values for ``terms``, IRIs with their labels, fetched now (one batch)."""
    terms = list(terms)
    known = labels(terms)
    return [val(t, known.get(t.value) if isinstance(t, ox.NamedNode) else None) for t in terms]


_FACTS = (  # what a title is made of: name → pattern binding ?v for the subject ?x
    ("type", "?x a ?v FILTER(?v NOT IN (ckg:Attack, ckg:Claim))"),
    ("who", "?x ckg:perpetrator|ckg:claimedBy ?v"),
    ("where", "?x ckg:location ?v"),
    ("when", "?x ckg:date ?v"),
    ("killed", "?x ckg:killed ?v"),
    ("reporter", "?x a ckg:Report ; ckg:evidence/ckg:inArticle ?v"),
)


def titles_for(iris: list[str], *, known: dict | None = None, facts: dict | None = None) -> dict[str, str]:
    """Titles for unlabelled attacks, claims and reports: "Airstrike by X in Y, 2014-09-06", "SOHR: 20
    killed", "<article title>: 18 killed". At most two queries: the facts of those whose ``facts``
    (by IRI, as :func:`title_facts` notes them) the page has not read yet, and the names not ``known``
    yet (labels by IRI, None for none) of what the titles mention."""
    if not iris:
        return {}
    iris = iris[:MAX_VALUES]
    read = {iri: (facts or {})[iri] for iri in iris if iri in (facts or {})}
    facts = {name: {iri: found[name] for iri, found in read.items() if found.get(name)} for name, _ in _FACTS}
    asked = [iri for iri in iris if iri not in read]
    if asked:
        parts = " UNION ".join(f'{{ {pattern} BIND("{name}" AS ?f) }}' for name, pattern in _FACTS)
        rows = select(f"SELECT ?x ?f ?v WHERE {{ VALUES ?x {{ {values_block(asked)} }} {parts} }} LIMIT {20 * len(asked) + 100}")
        fetched: dict[str, dict[str, list]] = {}
        for row in rows:
            fetched.setdefault(row["f"].value, {}).setdefault(row["x"].value, []).append(row["v"])
        for name, found in fetched.items():  # each fact's values in SPARQL's order (ORDER BY cost more than the query)
            facts[name] |= {iri: sorted(set(terms), key=term_order) for iri, terms in found.items()}
    who, where, types, reporter = facts["who"], facts["where"], facts["type"], facts["reporter"]
    when, killed = facts["when"], facts["killed"]
    mentioned = {t.value for found in (who, where, types, reporter) for terms in found.values() for t in terms}
    shown = {iri: label for iri, label in (known or {}).items() if iri in mentioned and not isinstance(label, str)}
    shown |= labels([iri for iri in mentioned if iri not in shown], titles=False)

    def name(term) -> str:
        label = shown.get(term.value)
        return label.value if label is not None else local_name(term.value)

    titles = {}
    for iri in iris:
        if kind_of(iri, base()) in ("claim", "report"):
            source = name((who.get(iri) or reporter.get(iri))[0]) if iri in who or iri in reporter else "unattributed"
            what = "report" if kind_of(iri, base()) == "report" else "claim"
            titles[iri] = f"{source}: {killed[iri][0].value} killed" if iri in killed else f"{what} by {source}"
            continue
        kind = name(types[iri][0]) if iri in types else "attack"
        title = kind[:1].upper() + kind[1:]
        if iri in who:
            title += " by " + " and ".join(name(t) for t in who[iri][:2])
        if iri in where:
            title += " in " + name(where[iri][0])
        if iri in when:
            title += ", " + when[iri][0].value
        titles[iri] = title
    return titles


def linked(subjects: list[str], path: str, *, ordered: bool = True) -> dict[str, list[Value]]:
    """The objects of ``path`` (a property path) for each of ``subjects``, in one query; in SPARQL's
    order, or as the store gives them (``ordered=False``)."""
    if not subjects:
        return {}
    rows = select(f"SELECT ?x ?o WHERE {{ VALUES ?x {{ {values_block(subjects)} }} ?x {path} ?o }} "
                  f"LIMIT {MAX_LIST * len(subjects)}")
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row["x"].value, []).append(row["o"])
    return {x: [named(o) for o in (sorted(set(objects), key=term_order) if ordered else dict.fromkeys(objects))][:MAX_LIST]
            for x, objects in found.items()}


def dated(rows: list[dict], key: tuple[str, ...]) -> dict[tuple, dict]:
    """Rows with ``?d`` (a date) and ``?k`` (a toll) grouped by the variables of ``key``: each group's
    first row, its earliest date and highest toll (MIN and MAX, which cost more in the engine)."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        group = groups.setdefault(tuple(row[name].value for name in key), {**row, "dates": [], "tolls": []})
        if row.get("d") is not None:
            group["dates"].append(row["d"])
        if row.get("k") is not None:
            group["tolls"].append(row["k"])
    for group in groups.values():
        group["date"] = min(group["dates"], key=term_order) if group["dates"] else None
        group["killed"] = max(group["tolls"], key=term_order) if group["tolls"] else None
    return groups


_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}" for name in (
    "integer", "decimal", "float", "double", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def term_order(term) -> tuple:
    """A sort key putting terms in the order of SPARQL's ORDER BY, for the terms pages sort: unbound
    first, then blank nodes, IRIs by their text, literals (numbers by value, the others by their text).

    >>> integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    >>> terms = [ox.Literal("10", datatype=integer), ox.Literal("9", datatype=integer), ox.NamedNode("http://x/b"), None]
    >>> [t.value if t is not None else None for t in sorted(terms, key=term_order)]
    [None, 'http://x/b', '9', '10']
    """
    if term is None:
        return (0, 0, "")
    if isinstance(term, ox.BlankNode):
        return (1, 0, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, 0, term.value)
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        value = number(term)
        if value is not None:
            return (3, 0, value)
    return (3, 1, term.value)


# --- source sentences --------------------------------------------------------------------------


@dataclass
class Evidence:
    before: str
    mention: str
    after: str
    article: Value | None
    mention_iri: str


def evidence_of(iris: list[str]) -> dict[str, list[Evidence]]:
    """The source sentences of each of ``iris`` (its ckg:evidence mentions, or itself for a mention),
    at most :data:`MAX_EVIDENCE` each, ordered by article and offset: two queries whatever their number.

    The mentions with their texts and offsets come in one (each a lookup from the bound mention: as
    nested OPTIONALs, Oxigraph once evaluated the optional part over every mention of the store, 15 s
    on 10,000 articles), the texts of their articles in the other; the sentence is cut here.
    """
    if not iris:
        return {}
    mentions = [i for i in iris if kind_of(i, base()) == "mention"]
    others = [i for i in iris if i not in mentions]
    sources = []
    if others:
        sources.append(f"{{ VALUES ?x {{ {values_block(others)} }} ?x ckg:evidence ?m }}")
    if mentions:
        sources.append(f"{{ VALUES ?x {{ {values_block(mentions)} }} BIND(?x AS ?m) }}")
    limit = min(MAX_EVIDENCE * len(iris), 10_000)
    rows = select(f"""SELECT ?x ?m ?mtext ?start ?end ?article WHERE {{ {" UNION ".join(sources)}
  OPTIONAL {{ ?m ckg:text ?mtext }} OPTIONAL {{ ?m ckg:startOffset ?start }} OPTIONAL {{ ?m ckg:endOffset ?end }}
  OPTIONAL {{ ?m ckg:inArticle ?article }} }} LIMIT {limit}""")
    for row in rows:
        if None in (row["start"], row["end"], row["article"]):  # placed only with all three, as the text is cut
            row["start"] = row["end"] = row["article"] = None
    texts = article_texts({row["article"].value for row in rows if row["article"] is not None})
    rows.sort(key=lambda r: (r["x"].value, r["article"] is None, r["article"].value if r["article"] is not None else "",
                             number(r["start"]) or 0, r["m"].value))
    found: dict[str, list[Evidence]] = {}
    for row in rows:
        shown = found.setdefault(row["x"].value, [])
        if len(shown) < MAX_EVIDENCE and not any(e.mention_iri == row["m"].value for e in shown):
            shown.append(_evidence(row, texts))
    return found


def article_texts(articles) -> dict[str, str]:
    """The text of each of ``articles`` that has one (one query)."""
    if not articles:
        return {}
    rows = select(f"SELECT ?a ?text WHERE {{ VALUES ?a {{ {values_block(sorted(articles))} }} ?a ckg:text ?text }}")
    return {row["a"].value: row["text"].value for row in rows}


def _evidence(row: dict, texts: dict[str, str]) -> Evidence:
    """One source sentence: the mention marked in its sentence of the article's text (read within
    :data:`SENTENCE_WINDOW` characters of it), else the mention's own text."""
    article = named(row["article"]) if row["article"] is not None else None
    start, end = number(row["start"]), number(row["end"])
    text = texts.get(row["article"].value) if row["article"] is not None else None
    if text is not None and start is not None and end is not None:
        start, end = int(start), int(end)
        offset = start - SENTENCE_WINDOW if start > SENTENCE_WINDOW else 0
        before, mention, after = sentence_around(text[offset:end + SENTENCE_WINDOW], start - offset, end - offset)
    else:
        before, mention, after = "", row["mtext"].value if row["mtext"] is not None else "", ""
    return Evidence(before, mention, after, article, row["m"].value)


def by_name(values: list[Value]) -> None:
    """Sort ``values`` by their names once the names are known."""
    later(lambda: values.sort(key=lambda v: v.text.lower()))
