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
from kg.vocab import CKG, CKG_NS, ONTOLOGY_IRI
from server.db import get_store
from server.render import (
    MapPoint,
    Span,
    Value,
    curie,
    href_for,
    iri_ref,
    local_name,
    map_view,
    number,
    segments,
    sentence_around,
    value_of,
)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"

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
  {{ {ref} ?p ?o . OPTIONAL {{ ?o rdfs:label ?olabel }} }}
  UNION {{ SELECT ?s ?q ?slabel WHERE {{ ?s ?q {ref} . OPTIONAL {{ ?s rdfs:label ?slabel }} }} LIMIT 10000 }}
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
    rows = select(
        f"SELECT ?p ?o ?label ?plabel WHERE {{ {ref} ?p ?o . OPTIONAL {{ ?o rdfs:label ?label }} "
        f"OPTIONAL {{ ?p rdfs:label ?plabel }} }} LIMIT {MAX_PROPERTIES + 1}"
    )
    view = EntityView(iri=iri, kind=kind_of(iri, base()), label=local_name(iri), truncated=len(rows) > MAX_PROPERTIES)
    grouped: dict[str, tuple[Value, list[Value]]] = {}
    seen: set[tuple[str, str]] = set()
    for row in rows[:MAX_PROPERTIES]:
        predicate, obj = row["p"].value, row["o"]
        if (predicate, str(obj)) in seen:
            continue  # the same object with several labels
        seen.add((predicate, str(obj)))
        if predicate == RDF_TYPE:
            view.types.append(val(obj, row["label"]))
        if predicate in skip:
            continue
        entry = grouped.setdefault(predicate, (_predicate_value(row["p"], row["plabel"]), []))
        entry[1].append(val(obj, row["label"]))
    view.properties = sorted(grouped.values(), key=lambda item: _property_order(item[0].iri))
    labels = [v.text for v in view.all(RDFS_LABEL)]
    view.label = labels[0] if labels else view.label
    view.names = list(dict.fromkeys(labels + [v.text for v in view.all(SKOS_ALT)]))
    view.incoming = incoming(iri)
    view.evidence = evidence(iri)
    return view


def _predicate_value(term, label=None) -> Value:
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
        subjects = select(
            f"SELECT DISTINCT ?s (SAMPLE(?l) AS ?label) WHERE {{ ?s {iri_ref(predicate.value)} {ref} . "
            f"OPTIONAL {{ ?s rdfs:label ?l }} }} GROUP BY ?s ORDER BY ?label LIMIT {MAX_INCOMING_PER_PROPERTY}"
        )
        shown = _predicate_value(predicate, None)
        groups.append((shown, int(row["n"].value), [val(r["s"], r["label"]) for r in subjects]))
    return groups


def evidence(iri: str) -> list[Evidence]:
    """The source sentences of ``iri`` (its ckg:evidence mentions, or itself for a mention)."""
    ref = iri_ref(iri)
    source = f"VALUES ?m {{ {ref} }}" if kind_of(iri, base()) == "mention" else f"{ref} ckg:evidence ?m ."
    rows = select(
        f"""SELECT DISTINCT ?m ?mtext ?start ?from ?window ?end ?article (SAMPLE(?al) AS ?alabel) WHERE {{
  {source}
  OPTIONAL {{ ?m ckg:text ?mtext }}
  OPTIONAL {{
    ?m ckg:startOffset ?start ; ckg:endOffset ?end ; ckg:inArticle ?article .
    OPTIONAL {{ ?article ckg:text ?atext }}
    OPTIONAL {{ ?article rdfs:label ?al }}
    BIND(IF(?start > {SENTENCE_WINDOW}, ?start - {SENTENCE_WINDOW}, 0) AS ?from)
    BIND(SUBSTR(?atext, ?from + 1, ?end - ?from + {SENTENCE_WINDOW}) AS ?window)
  }}
}} GROUP BY ?m ?mtext ?start ?from ?window ?end ?article ORDER BY ?article ?start LIMIT {MAX_EVIDENCE}"""
    )
    found = []
    for row in rows:
        article = val(row["article"], row["alabel"]) if row["article"] is not None else None
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
    """Every claim about an attack with its sources, figures, statement and sentences."""
    rows = select(
        f"""SELECT ?claim (SAMPLE(?l) AS ?label) (MAX(?k) AS ?killed) (MAX(?i) AS ?injured) (SAMPLE(?st) AS ?statement)
WHERE {{ ?claim ckg:about {iri_ref(attack)} .
  OPTIONAL {{ ?claim rdfs:label ?l }} OPTIONAL {{ ?claim ckg:killed ?k }}
  OPTIONAL {{ ?claim ckg:injured ?i }} OPTIONAL {{ ?claim ckg:statement ?st }}
}} GROUP BY ?claim ORDER BY ?claim LIMIT {MAX_LIST}"""
    )
    return [
        ClaimView(
            claim=val(row["claim"], row["label"]),
            sources=_linked(row["claim"].value, "ckg:claimedBy"),
            killed=number(row["killed"]),
            injured=number(row["injured"]),
            statement=row["statement"].value if row["statement"] is not None else None,
            evidence=evidence(row["claim"].value),
        )
        for row in rows
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
    rows = select(
        f"SELECT ?o (SAMPLE(?l) AS ?label) WHERE {{ {iri_ref(subject)} {prop} ?o . OPTIONAL {{ ?o rdfs:label ?l }} }} "
        f"GROUP BY ?o LIMIT {MAX_LIST}"
    )
    return [val(row["o"], row["label"]) for row in rows]


def ancestors(place: str) -> list[Value]:
    """What contains ``place``, nearest first, following ckg:locatedIn."""
    rows = select(
        f"""SELECT DISTINCT ?x ?y (SAMPLE(?l) AS ?label) WHERE {{
  {iri_ref(place)} ckg:locatedIn* ?x . ?x ckg:locatedIn ?y . OPTIONAL {{ ?y rdfs:label ?l }}
}} GROUP BY ?x ?y LIMIT 100"""
    )
    parent = {}
    labels = {}
    for row in rows:
        parent.setdefault(row["x"].value, row["y"])
        labels[row["y"].value] = row["label"]
    chain, here, seen = [], place, {place}
    while here in parent and parent[here].value not in seen:
        step = parent[here]
        chain.append(val(step, labels.get(step.value)))
        seen.add(step.value)
        here = step.value
    return chain


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
    claims: list[tuple[Value, list[Value], int | float | None]]  # claim, attacks it is about, killed


def actor_view(iri: str) -> ActorView:
    ref = iri_ref(iri)
    rows = select(
        f"""SELECT ?attack ?role (SAMPLE(?l) AS ?label) (MIN(?d) AS ?date) (MAX(?k) AS ?killed) WHERE {{
  VALUES ?role {{ ckg:perpetrator ckg:target ckg:victim }}
  ?attack ?role {ref} .
  OPTIONAL {{ ?attack rdfs:label ?l }} OPTIONAL {{ ?attack ckg:date ?d }} OPTIONAL {{ ?attack ckg:killed ?k }}
}} GROUP BY ?attack ?role ORDER BY ?date ?attack LIMIT {MAX_LIST}"""
    )
    items: dict[str, TimelineItem] = {}
    for row in rows:
        key = row["attack"].value
        item = items.get(key)
        if item is None:
            item = items[key] = TimelineItem(
                attack=val(row["attack"], row["label"]),
                roles=[],
                date=row["date"].value if row["date"] is not None else None,
                places=[],
                killed=number(row["killed"]),
            )
        item.roles.append(local_name(row["role"].value))
    if items:
        values = " ".join(iri_ref(k) for k in items)
        for row in select(
            f"SELECT ?attack ?place (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?attack {{ {values} }} "
            f"?attack ckg:location ?place . OPTIONAL {{ ?place rdfs:label ?l }} }} GROUP BY ?attack ?place"
        ):
            items[row["attack"].value].places.append(val(row["place"], row["label"]))
    timeline = sorted(items.values(), key=lambda i: (i.date is None, i.date or "", i.attack.text))
    claim_rows = select(
        f"""SELECT ?claim (SAMPLE(?l) AS ?label) (MAX(?k) AS ?killed) WHERE {{
  ?claim ckg:claimedBy {ref} . OPTIONAL {{ ?claim rdfs:label ?l }} OPTIONAL {{ ?claim ckg:killed ?k }}
}} GROUP BY ?claim ORDER BY ?label LIMIT {MAX_LIST}"""
    )
    claims = [
        (val(row["claim"], row["label"]), _linked(row["claim"].value, "ckg:about"), number(row["killed"]))
        for row in claim_rows
    ]
    return ActorView(entity=describe(iri), timeline=timeline, claims=claims)


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
    children = select(
        f"SELECT ?c (SAMPLE(?l) AS ?label) WHERE {{ ?c ckg:locatedIn {ref} . OPTIONAL {{ ?c rdfs:label ?l }} }} "
        f"GROUP BY ?c ORDER BY ?label LIMIT {MAX_LIST}"
    )
    count = select(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c ckg:locatedIn {ref} }}")[0]["n"]
    attacks, attack_count = attacks_within(iri)
    population = next((v.text for p, vs in entity.properties if p.iri and local_name(p.iri) == "population" for v in vs), None)
    points = []
    if coordinates:
        points.append(MapPoint(*coordinates, entity.label, None, True))
    near = [c["c"].value for c in children] + [p.iri for a in attacks for p in a.places if p.iri]
    labels = {c["c"].value: val(c["c"], c["label"]) for c in children} | {p.iri: p for a in attacks for p in a.places}
    for other, (lat, long) in _coordinates(near).items():
        if other != iri:
            points.append(MapPoint(lat, long, labels[other].text, labels[other].href))
    return PlaceView(
        entity=entity,
        within=ancestors(iri),
        contains=[val(c["c"], c["label"]) for c in children],
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
    where = f"?loc ckg:locatedIn* {iri_ref(place)} . ?attack ckg:location ?loc ."
    total = int(select(f"SELECT (COUNT(DISTINCT ?attack) AS ?n) WHERE {{ {where} }}")[0]["n"].value)
    rows = select(
        f"""SELECT ?attack ?loc (SAMPLE(?l) AS ?label) (SAMPLE(?ll) AS ?loclabel) (MIN(?d) AS ?date) (MAX(?k) AS ?killed)
WHERE {{ {where} OPTIONAL {{ ?attack rdfs:label ?l }} OPTIONAL {{ ?loc rdfs:label ?ll }}
  OPTIONAL {{ ?attack ckg:date ?d }} OPTIONAL {{ ?attack ckg:killed ?k }} }}
GROUP BY ?attack ?loc ORDER BY DESC(?date) ?attack LIMIT {MAX_LIST}"""
    )
    items: dict[str, TimelineItem] = {}
    for row in rows:
        item = items.setdefault(
            row["attack"].value,
            TimelineItem(val(row["attack"], row["label"]), [], row["date"].value if row["date"] is not None else None, [], number(row["killed"])),
        )
        item.places.append(val(row["loc"], row["loclabel"]))
    return list(items.values()), total


def _coordinates(iris: list[str]) -> dict[str, tuple[float, float]]:
    if not iris:
        return {}
    values = " ".join(iri_ref(i) for i in dict.fromkeys(iris))
    rows = select(
        f"SELECT ?p (SAMPLE(?la) AS ?lat) (SAMPLE(?lo) AS ?long) WHERE {{ VALUES ?p {{ {values} }} "
        f"?p geo:lat ?la ; geo:long ?lo }} GROUP BY ?p"
    )
    found = {}
    for row in rows:
        lat, long = number(row["lat"]), number(row["long"])
        if lat is not None and long is not None and -90 <= lat <= 90 and -180 <= long <= 180:
            found[row["p"].value] = (float(lat), float(long))
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
        f"""SELECT ?m ?start ?end ?entity (SAMPLE(?l) AS ?label) WHERE {{
  ?m ckg:inArticle {ref} ; ckg:startOffset ?start ; ckg:endOffset ?end .
  OPTIONAL {{ ?entity ckg:evidence ?m . OPTIONAL {{ ?entity rdfs:label ?l }} }}
}} GROUP BY ?m ?start ?end ?entity ORDER BY ?start LIMIT {MAX_MENTIONS}"""
    )
    spans = []
    for row in rows:
        target = row["entity"] if row["entity"] is not None else row["m"]
        shown = val(target, row["label"])
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
    articles = select(
        f"SELECT ?a (SAMPLE(?l) AS ?label) WHERE {{ GRAPH {ref} {{ ?a a ckg:Article OPTIONAL {{ ?a rdfs:label ?l }} }} }} "
        f"GROUP BY ?a LIMIT 20"
    )
    label = "ontology" if iri == ONTOLOGY_IRI else local_name(iri)
    return GraphView(iri, label, get_store().triples_in(iri), [val(a["a"], a["label"]) for a in articles])


def href(iri: str) -> str:
    return href_for(iri, base())
