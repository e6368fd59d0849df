"""Views of entities, built from bounded SPARQL queries over the store's union graph.

Every query here names the entity by IRI (an index lookup) and carries a LIMIT, so a page costs
the same on a store of ten articles or ten million. Only the store interface is used
(:meth:`GraphStore.query`), so a remote SPARQL backend serves the same pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import current_app

from kg.formats import sparql_prologue
from kg.iris import kind_of
from kg.vocab import CKG, ONTOLOGY_IRI
from server.db import get_store
from server.render import (
    MapPoint,
    Span,
    Value,
    curie,
    iri_ref,
    local_name,
    map_view,
    number,
    segments,
    sentence_around,
    timeline_axis,
    value_of,
)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"

# Oxigraph's union default graph does not merge duplicates: a triple stated in a thousand article
# graphs matches a thousand times. So queries take DISTINCT early and never join labels into
# other patterns (that multiplies duplicates); labels come in one batch per page (:func:`labelled`).

MAX_PROPERTIES = 500  # outgoing triples shown on an entity page
MAX_INCOMING_PER_PROPERTY = 50  # incoming links listed per property (all are counted)
MAX_EVIDENCE = 50  # source sentences shown
MAX_LIST = 200  # attacks, claims, contained places listed on one page
MAX_MENTIONS = 5000  # mentions highlighted in one article
SENTENCE_WINDOW = 400  # characters read either side of a mention to find its sentence


def base() -> str:
    return current_app.config["BASE_IRI"]


def select(sparql: str) -> list[dict]:
    """Rows of a SELECT (with our prefixes) as dicts of variable name → term (None when unbound)."""
    result = get_store().query(sparql_prologue() + sparql)
    names = [v.value for v in result.variables]
    return [{name: row[name] for name in names} for row in result]


def ask(sparql: str) -> bool:
    return bool(get_store().query(sparql_prologue() + sparql))


def val(term, label=None) -> Value:
    return value_of(term, base(), label)


def labels(terms, *, titles: bool = True) -> dict[str, object]:
    """One rdfs:label per IRI among ``terms``, fetched in batches; attacks, claims and reports without a
    label get a title made from their facts (see :func:`titles_for`)."""
    iris = list(dict.fromkeys(t.value for t in terms if isinstance(t, ox.NamedNode)))
    found = {}
    for start in range(0, len(iris), 500):
        values = " ".join(iri_ref(i) for i in iris[start:start + 500])
        for row in select(f"SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }} GROUP BY ?x"):
            found[row["x"].value] = row["label"]
    if titles:
        found |= titles_for([i for i in iris if i not in found and kind_of(i, base()) in ("attack", "claim", "report")])
    return found


def titles_for(iris: list[str]) -> dict[str, str]:
    """Titles for unlabelled attacks, claims and reports: "Airstrike by X in Y, 2014-09-06", "SOHR: 20
    killed", "<article title>: 18 killed".

    One DISTINCT query per fact (joining them would multiply the union graph's duplicates).
    """
    if not iris:
        return {}
    values = " ".join(iri_ref(i) for i in iris[:500])

    def facts(pattern: str) -> dict[str, list]:
        found: dict[str, list] = {}
        for row in select(f"SELECT DISTINCT ?x ?v WHERE {{ VALUES ?x {{ {values} }} {pattern} }} ORDER BY ?v LIMIT 5000"):
            found.setdefault(row["x"].value, []).append(row["v"])
        return found

    types = facts("?x a ?v FILTER(?v NOT IN (ckg:Attack, ckg:Claim))")
    who, where = facts("?x ckg:perpetrator|ckg:claimedBy ?v"), facts("?x ckg:location ?v")
    when, killed = facts("?x ckg:date ?v"), facts("?x ckg:killed ?v")
    reporter = facts("?x a ckg:Report ; ckg:evidence/ckg:inArticle ?v")
    named = labels([t for found in (who, where, types, reporter) for terms in found.values() for t in terms], titles=False)

    def name(term) -> str:
        label = named.get(term.value)
        return label.value if label is not None else local_name(term.value)

    titles = {}
    for iri in iris[:500]:
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


def labelled(terms) -> list[Value]:
    """Display values for ``terms``, IRIs with their labels."""
    terms = list(terms)
    known = labels(terms)
    return [val(t, known.get(t.value) if isinstance(t, ox.NamedNode) else None) for t in terms]


def exists(iri: str) -> bool:
    """Whether the store says anything about ``iri`` (as subject or object) or has it as a graph."""
    ref = iri_ref(iri)
    return ask(f"ASK {{ {{ {ref} ?p ?o }} UNION {{ ?s ?p {ref} }} }}") or get_store().has_graph(iri)


def describe_query(iri: str) -> str:
    """The CONSTRUCT giving an entity's RDF: its triples, those pointing at it, neighbours' labels,
    and its evidence mentions."""
    ref = iri_ref(iri)
    return sparql_prologue() + f"""
CONSTRUCT {{
  {ref} ?p ?o . ?o rdfs:label ?olabel .
  ?s ?q {ref} . ?s rdfs:label ?slabel .
  ?m ?mp ?mo .
}} WHERE {{
  {{ {{ SELECT DISTINCT ?p ?o WHERE {{ {ref} ?p ?o }} }} OPTIONAL {{ ?o rdfs:label ?olabel }} }}
  UNION {{ {{ SELECT DISTINCT ?s ?q WHERE {{ ?s ?q {ref} }} LIMIT 10000 }} OPTIONAL {{ ?s rdfs:label ?slabel }} }}
  UNION {{ {ref} ckg:evidence ?m . ?m ?mp ?mo }}
}}"""


# --- the generic entity page -------------------------------------------------------------------


@dataclass
class Evidence:
    before: str
    mention: str
    after: str
    article: Value | None
    mention_iri: str


@dataclass
class EntityView:
    iri: str
    kind: str | None
    label: str
    types: list[Value] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    properties: list[tuple[Value, list[Value]]] = field(default_factory=list)
    incoming: list[tuple[Value, int, list[Value]]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    truncated: bool = False

    def first(self, prop: str) -> Value | None:
        for predicate, values in self.properties:
            if predicate.iri == prop:
                return values[0]
        return None

    def all(self, prop: str) -> list[Value]:
        return next((values for predicate, values in self.properties if predicate.iri == prop), [])


def describe(iri: str, *, skip: tuple[str, ...] = ()) -> EntityView:
    """Everything the generic entity page shows; ``skip`` leaves properties out of the table."""
    ref = iri_ref(iri)
    rows = select(f"SELECT DISTINCT ?p ?o WHERE {{ {ref} ?p ?o }} LIMIT {MAX_PROPERTIES + 1}")
    view = EntityView(iri=iri, kind=kind_of(iri, base()), label=local_name(iri), truncated=len(rows) > MAX_PROPERTIES)
    rows = rows[:MAX_PROPERTIES]
    grouped: dict[str, tuple[Value, list[Value]]] = {}
    nested = blank_summaries(iri) if any(isinstance(r["o"], ox.BlankNode) for r in rows) else {}
    for row, shown in zip(rows, labelled(r["o"] for r in rows)):
        if isinstance(row["o"], ox.BlankNode):
            shown = Value(nested.get(row["o"].value, "(a node without a name)"))
        predicate = row["p"].value
        if predicate == RDF_TYPE:
            view.types.append(shown)
        if predicate in skip:
            continue
        grouped.setdefault(predicate, (_predicate_value(row["p"]), []))[1].append(shown)
    view.properties = sorted(grouped.values(), key=lambda item: _property_order(item[0].iri))
    given = [v.text for v in view.all(RDFS_LABEL)]
    view.label = given[0] if given else titles_for([iri]).get(iri, view.label)
    view.names = list(dict.fromkeys(given + [v.text for v in view.all(SKOS_ALT)]))
    view.incoming = incoming(iri)
    view.evidence = evidence(iri)
    return view


def blank_summaries(iri: str) -> dict[str, str]:
    """A one-line description of each blank node ``iri`` points at, e.g. ``ckg:count 4; ckg:equipment Humvee``."""
    rows = select(
        f"SELECT DISTINCT ?b ?q ?v WHERE {{ {iri_ref(iri)} ?p ?b FILTER(isBlank(?b)) ?b ?q ?v }} LIMIT {MAX_PROPERTIES}"
    )
    parts: dict[str, list[str]] = {}
    for row, shown in zip(rows, labelled(r["v"] for r in rows)):
        if row["q"].value != RDF_TYPE:
            parts.setdefault(row["b"].value, []).append(f"{curie(row['q'].value)} {shown.text}")
    return {node: "; ".join(sorted(texts)) for node, texts in parts.items()}


def _predicate_value(term) -> Value:
    """A property shown by its prefixed name (``ckg:killed``), the form users write in SPARQL."""
    shown = val(term)
    shown.text = curie(term.value)
    return shown


def _property_order(predicate: str) -> tuple[int, str]:
    first = [RDF_TYPE, RDFS_LABEL, SKOS_ALT]
    return (first.index(predicate) if predicate in first else len(first), curie(predicate))


def incoming(iri: str) -> list[tuple[Value, int, list[Value]]]:
    """Links pointing at ``iri``, grouped by property: the count of each and the first few."""
    ref = iri_ref(iri)
    counts = select(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {ref} }} GROUP BY ?p ORDER BY DESC(?n) LIMIT 50")
    groups = []
    for row in counts:
        predicate = row["p"]
        subjects = select(f"SELECT DISTINCT ?s WHERE {{ ?s {iri_ref(predicate.value)} {ref} }} LIMIT {MAX_INCOMING_PER_PROPERTY}")
        shown = sorted(labelled(r["s"] for r in subjects), key=lambda v: v.text.lower())
        groups.append((_predicate_value(predicate), int(row["n"].value), shown))
    return groups


def evidence(iri: str) -> list[Evidence]:
    """The source sentences of ``iri`` (its ckg:evidence mentions, or itself for a mention)."""
    ref = iri_ref(iri)
    source = f"VALUES ?m {{ {ref} }}" if kind_of(iri, base()) == "mention" else f"{ref} ckg:evidence ?m ."
    rows = select(
        f"""SELECT DISTINCT ?m ?mtext ?start ?from ?window ?end ?article WHERE {{
  {{ SELECT DISTINCT ?m WHERE {{ {source} }} LIMIT {MAX_EVIDENCE} }}
  OPTIONAL {{ ?m ckg:text ?mtext }}
  OPTIONAL {{
    ?m ckg:startOffset ?start ; ckg:endOffset ?end ; ckg:inArticle ?article .
    OPTIONAL {{ ?article ckg:text ?atext }}
    BIND(IF(?start > {SENTENCE_WINDOW}, ?start - {SENTENCE_WINDOW}, 0) AS ?from)
    BIND(SUBSTR(?atext, ?from + 1, ?end - ?from + {SENTENCE_WINDOW}) AS ?window)
  }}
}} ORDER BY ?article ?start LIMIT {MAX_EVIDENCE}"""
    )
    articles = labels(r["article"] for r in rows if r["article"] is not None)
    found = []
    for row in rows:
        article = val(row["article"], articles.get(row["article"].value)) if row["article"] is not None else None
        window, start, end, offset = row["window"], number(row["start"]), number(row["end"]), number(row["from"])
        if window is not None and None not in (start, end, offset):
            before, mention, after = sentence_around(window.value, int(start - offset), int(end - offset))
        else:
            before, mention, after = "", row["mtext"].value if row["mtext"] is not None else "", ""
        found.append(Evidence(before, mention, after, article, row["m"].value))
    return found


# --- attacks and claims --------------------------------------------------------------------------


@dataclass
class ClaimView:
    claim: Value
    sources: list[Value]
    killed: int | float | None
    injured: int | float | None
    statement: str | None
    evidence: list[Evidence]
    differs: bool = False
    report: bool = False  # an article's own account (ckg:Report): its sources are the articles

    @property
    def quoted_elsewhere(self) -> bool:
        """Whether the statement is already visible in one of the claim's source sentences."""
        return bool(self.statement) and any(
            self.statement.strip() in f"{e.before}{e.mention}{e.after}" for e in self.evidence
        )


@dataclass
class AttackView:
    entity: EntityView
    perpetrators: list[Value]
    targets: list[Value]
    victims: list[Value]
    places: list[tuple[Value, list[Value]]]  # place and what contains it, nearest first
    dates: list[Value]
    killed: list[Value]
    injured: list[Value]
    claims: list[ClaimView]


def attack_view(iri: str) -> AttackView:
    entity = describe(iri)
    places = [(place, ancestors(place.iri)) for place in entity.all(str(CKG.location)) if place.iri]
    killed = entity.all(str(CKG.killed))
    view = AttackView(
        entity=entity,
        perpetrators=entity.all(str(CKG.perpetrator)),
        targets=entity.all(str(CKG.target)),
        victims=entity.all(str(CKG.victim)),
        places=places,
        dates=entity.all(str(CKG.date)),
        killed=killed,
        injured=entity.all(str(CKG.injured)),
        claims=claims_about(iri),
    )
    mark_disagreement(view.claims, [v.text for v in killed])
    return view


def claims_about(attack: str) -> list[ClaimView]:
    """Every claim about an attack with its sources, figures, statement and sentences, and every
    article's own report on it (its figures, sourced to the article), reports first."""
    rows = select(
        f"""SELECT ?claim (MAX(?k) AS ?killed) (MAX(?i) AS ?injured) (SAMPLE(?st) AS ?statement) (SAMPLE(?r) AS ?report)
WHERE {{ {{ SELECT DISTINCT ?claim WHERE {{ ?claim ckg:about {iri_ref(attack)} }} LIMIT {MAX_LIST} }}
  OPTIONAL {{ ?claim ckg:killed ?k }} OPTIONAL {{ ?claim ckg:injured ?i }} OPTIONAL {{ ?claim ckg:statement ?st }}
  OPTIONAL {{ ?claim a ckg:Report BIND(true AS ?r) }}
}} GROUP BY ?claim ORDER BY DESC(BOUND(?report)) ?claim"""
    )
    shown = labelled(row["claim"] for row in rows)
    return [
        ClaimView(
            claim=shown[n],
            sources=_linked(row["claim"].value, "ckg:evidence/ckg:inArticle" if row["report"] else "ckg:claimedBy"),
            killed=number(row["killed"]),
            injured=number(row["injured"]),
            statement=row["statement"].value if row["statement"] is not None else None,
            evidence=evidence(row["claim"].value),
            report=row["report"] is not None,
        )
        for n, row in enumerate(rows)
    ]


def mark_disagreement(claims: list[ClaimView], stated: list[str]) -> None:
    """Flag each claim whose death toll differs from another claim's or from the attack's own.

    >>> a, b = ClaimView(Value("a"), [], 20, None, None, []), ClaimView(Value("b"), [], 31, None, None, [])
    >>> mark_disagreement([a, b], ["25"]); (a.differs, b.differs)
    (True, True)
    """
    figures = {c.killed for c in claims if c.killed is not None}
    figures |= {number(ox.Literal(s)) for s in stated if number(ox.Literal(s)) is not None}
    for claim in claims:
        claim.differs = claim.killed is not None and len(figures) > 1


def _linked(subject: str, prop: str) -> list[Value]:
    rows = select(f"SELECT DISTINCT ?o WHERE {{ {iri_ref(subject)} {prop} ?o }} LIMIT {MAX_LIST}")
    return labelled(row["o"] for row in rows)


def ancestors(place: str) -> list[Value]:
    """What contains ``place``, nearest first, following ckg:locatedIn."""
    rows = select(
        f"SELECT DISTINCT ?x ?y WHERE {{ {{ SELECT DISTINCT ?x WHERE {{ {iri_ref(place)} ckg:locatedIn* ?x }} LIMIT 100 }} "
        f"?x ckg:locatedIn ?y }} LIMIT 200"
    )
    parent = {}
    for row in rows:
        parent.setdefault(row["x"].value, row["y"])
    chain, here, seen = [], place, {place}
    while here in parent and parent[here].value not in seen:
        chain.append(parent[here])
        seen.add(parent[here].value)
        here = parent[here].value
    return labelled(chain)


# --- actors ------------------------------------------------------------------------------------


@dataclass
class TimelineItem:
    attack: Value
    roles: list[str]
    date: str | None
    places: list[Value]
    killed: int | float | None


@dataclass
class ActorView:
    entity: EntityView
    timeline: list[TimelineItem]
    axis: object  # a TimelineAxis, or None when nothing is dated
    claims: list[tuple[Value, list[Value], int | float | None]]  # claim, attacks it is about, killed


def actor_view(iri: str) -> ActorView:
    ref = iri_ref(iri)
    rows = select(
        f"""SELECT ?attack ?role (MIN(?d) AS ?date) (MAX(?k) AS ?killed) WHERE {{
  {{ SELECT DISTINCT ?attack ?role WHERE {{ VALUES ?role {{ ckg:perpetrator ckg:target ckg:victim }} ?attack ?role {ref} }} }}
  OPTIONAL {{ ?attack ckg:date ?d }} OPTIONAL {{ ?attack ckg:killed ?k }}
}} GROUP BY ?attack ?role ORDER BY ?date LIMIT {MAX_LIST}"""
    )
    attack_labels = labels(row["attack"] for row in rows)
    items: dict[str, TimelineItem] = {}
    for row in rows:
        key = row["attack"].value
        item = items.get(key)
        if item is None:
            item = items[key] = TimelineItem(
                attack=val(row["attack"], attack_labels.get(key)),
                roles=[],
                date=row["date"].value if row["date"] is not None else None,
                places=[],
                killed=number(row["killed"]),
            )
        item.roles.append(local_name(row["role"].value))
    if items:
        values = " ".join(iri_ref(k) for k in items)
        located = select(f"SELECT DISTINCT ?attack ?place WHERE {{ VALUES ?attack {{ {values} }} ?attack ckg:location ?place }}")
        for row, place in zip(located, labelled(r["place"] for r in located)):
            items[row["attack"].value].places.append(place)
    timeline = sorted(items.values(), key=lambda i: (i.date is None, i.date or "", i.attack.text))
    claim_rows = select(
        f"""SELECT ?claim (MAX(?k) AS ?killed) WHERE {{
  {{ SELECT DISTINCT ?claim WHERE {{ ?claim ckg:claimedBy {ref} }} LIMIT {MAX_LIST} }} OPTIONAL {{ ?claim ckg:killed ?k }}
}} GROUP BY ?claim"""
    )
    claims = [
        (shown, _linked(row["claim"].value, "ckg:about"), number(row["killed"]))
        for row, shown in zip(claim_rows, labelled(r["claim"] for r in claim_rows))
    ]
    claims.sort(key=lambda c: c[0].text.lower())
    axis = timeline_axis([(i.date, i.attack.text, i.attack.href, i.roles[0]) for i in timeline if i.date])
    return ActorView(entity=describe(iri), timeline=timeline, axis=axis, claims=claims)


# --- places ------------------------------------------------------------------------------------


@dataclass
class PlaceView:
    entity: EntityView
    within: list[Value]
    contains: list[Value]
    contains_count: int
    lat: float | None
    long: float | None
    population: str | None
    attacks: list[TimelineItem]
    attack_count: int
    map: object


def place_view(iri: str) -> PlaceView:
    ref = iri_ref(iri)
    entity = describe(iri)
    coordinates = _coordinates([iri]).get(iri)
    children = sorted(
        labelled(r["c"] for r in select(f"SELECT DISTINCT ?c WHERE {{ ?c ckg:locatedIn {ref} }} LIMIT {MAX_LIST}")),
        key=lambda v: v.text.lower(),
    )
    count = select(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c ckg:locatedIn {ref} }}")[0]["n"]
    attacks, attack_count = attacks_within(iri)
    population = next((v.text for p, vs in entity.properties if p.iri and local_name(p.iri) == "population" for v in vs), None)
    points = []
    if coordinates:
        points.append(MapPoint(*coordinates, entity.label, None, True))
    nearby = {c.iri: c for c in children} | {p.iri: p for a in attacks for p in a.places if p.iri}
    for other, (lat, long) in _coordinates(list(nearby)).items():
        if other != iri:
            points.append(MapPoint(lat, long, nearby[other].text, nearby[other].href))
    return PlaceView(
        entity=entity,
        within=ancestors(iri),
        contains=children,
        contains_count=int(count.value),
        lat=coordinates[0] if coordinates else None,
        long=coordinates[1] if coordinates else None,
        population=population,
        attacks=attacks,
        attack_count=attack_count,
        map=map_view(points[:50]),
    )


def attacks_within(place: str) -> tuple[list[TimelineItem], int]:
    """Attacks located at ``place`` or anywhere it contains (ckg:locatedIn*), newest first."""
    within = f"{{ SELECT DISTINCT ?attack WHERE {{ ?loc ckg:locatedIn* {iri_ref(place)} . ?attack ckg:location ?loc }} }}"
    total = int(select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {within} }}")[0]["n"].value)
    rows = select(
        f"""SELECT ?attack (MIN(?d) AS ?date) (MAX(?k) AS ?killed)
WHERE {{ {within} OPTIONAL {{ ?attack ckg:date ?d }} OPTIONAL {{ ?attack ckg:killed ?k }} }}
GROUP BY ?attack ORDER BY DESC(?date) LIMIT {MAX_LIST}"""
    )
    shown = labelled(r["attack"] for r in rows)
    items = {
        row["attack"].value: TimelineItem(attack, [], row["date"].value if row["date"] is not None else None, [], number(row["killed"]))
        for row, attack in zip(rows, shown)
    }
    if items:
        values = " ".join(iri_ref(i) for i in items)
        located = select(f"SELECT DISTINCT ?attack ?loc WHERE {{ VALUES ?attack {{ {values} }} ?attack ckg:location ?loc }}")
        for row, loc in zip(located, labelled(r["loc"] for r in located)):
            items[row["attack"].value].places.append(loc)
    return list(items.values()), total


def _coordinates(iris: list[str]) -> dict[str, tuple[float, float]]:
    if not iris:
        return {}
    values = " ".join(iri_ref(i) for i in dict.fromkeys(iris))
    lats = {r["p"].value: r["v"] for r in select(f"SELECT ?p (SAMPLE(?x) AS ?v) WHERE {{ VALUES ?p {{ {values} }} ?p geo:lat ?x }} GROUP BY ?p")}
    longs = {r["p"].value: r["v"] for r in select(f"SELECT ?p (SAMPLE(?x) AS ?v) WHERE {{ VALUES ?p {{ {values} }} ?p geo:long ?x }} GROUP BY ?p")}
    found = {}
    for place in lats.keys() & longs.keys():
        lat, long = number(lats[place]), number(longs[place])
        if lat is not None and long is not None and -90 <= lat <= 90 and -180 <= long <= 180:
            found[place] = (float(lat), float(long))
    return found


# --- articles and graphs -----------------------------------------------------------------------


ARTICLE_METADATA = (
    ("Published", "http://purl.org/dc/terms/issued"),
    ("Author", "http://purl.org/dc/terms/creator"),
    ("Publisher", "http://purl.org/dc/terms/publisher"),
    ("Source", "http://purl.org/dc/terms/source"),
    ("Language", "http://purl.org/dc/terms/language"),
)


@dataclass
class ArticleView:
    entity: EntityView
    title: str
    metadata: list[tuple[str, list[Value]]]
    segments: list
    mention_count: int
    graphs: list[Value]


def article_view(iri: str) -> ArticleView:
    ref = iri_ref(iri)
    entity = describe(iri, skip=(str(CKG.text),))
    text_rows = select(f"SELECT ?text WHERE {{ {ref} ckg:text ?text }} LIMIT 1")
    text = text_rows[0]["text"].value if text_rows else ""
    rows = select(
        f"""SELECT DISTINCT ?m ?start ?end ?entity WHERE {{
  ?m ckg:inArticle {ref} ; ckg:startOffset ?start ; ckg:endOffset ?end .
  OPTIONAL {{ ?entity ckg:evidence ?m }}
}} ORDER BY ?start LIMIT {MAX_MENTIONS}"""
    )
    targets = [row["entity"] if row["entity"] is not None else row["m"] for row in rows]
    spans = []
    for row, shown in zip(rows, labelled(targets)):
        start, end = number(row["start"]), number(row["end"])
        if start is not None and end is not None:
            spans.append(Span(int(start), int(end), shown.href, shown.text, shown.kind))
    graphs = select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {ref} a ckg:Article }} }} LIMIT 20")
    title = entity.first("http://purl.org/dc/terms/title")
    return ArticleView(
        entity=entity,
        title=title.text if title else entity.label,
        metadata=[(name, entity.all(prop)) for name, prop in ARTICLE_METADATA],
        segments=segments(text, spans),
        mention_count=len({(s.start, s.end) for s in spans}),
        graphs=[val(g["g"]) for g in graphs],
    )


@dataclass
class GraphView:
    iri: str
    label: str
    triples: int
    articles: list[Value]


def graph_view(iri: str) -> GraphView:
    ref = iri_ref(iri)
    articles = select(f"SELECT DISTINCT ?a WHERE {{ GRAPH {ref} {{ ?a a ckg:Article }} }} LIMIT 20")
    label = "ontology" if iri == ONTOLOGY_IRI else local_name(iri)
    return GraphView(iri, label, get_store().triples_in(iri), labelled(a["a"] for a in articles))

