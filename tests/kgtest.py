"""Helpers for tests that read an ingested store the way a user does: SPARQL over the public terms.

Everything here queries through ``ckg:``, ``rdfs:``, ``skos:``, ``dcterms:`` and ``geo:`` only, never
through extraction internals, so the tests state facts an analyst can check, not how they were made.

The records returned (:class:`Entity`, :class:`Attack`, :class:`Claim`) are plain data assembled from
a few SELECT queries, so a failing assertion can print what the store does hold.

>>> e = Entity("http://x/id/actor/sohr", labels={"syrian observatory for human rights", "sohr"})
>>> e.named("observatory"), e.named("islamic state")
(True, False)
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.formats import PREFIXES
from kg.terms import python_value
from kg.vocab import CKG_NS

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO / "seeds"


def source_of(article_file: Path) -> str:
    """The ``dcterms:source`` an article file gets: its sidecar's url, else its file URI."""
    import json

    sidecar = article_file.with_suffix(".json")
    if sidecar.exists():
        url = json.loads(sidecar.read_text(encoding="utf-8")).get("url")
        if url:
            return url
    return article_file.resolve().as_uri()


# --- SPARQL access ----------------------------------------------------------------------------------

def select(store, sparql: str) -> list[dict]:
    """Rows of a SELECT query (common prefixes predeclared) as dicts of Python values."""
    result = store.query(sparql, prefixes=PREFIXES)
    names = [v.value for v in result.variables]
    return [{name: python_value(row[name]) for name in names} for row in result]


def ask(store, sparql: str) -> bool:
    return bool(store.query(sparql, prefixes=PREFIXES))


def iri(value: str) -> str:
    """``<value>`` for an IRI, or a typed literal for a source that is not a well-formed IRI."""
    from kg.rdf import source_term

    return source_term(value).n3()


def article_node(store, article_file: Path) -> str | None:
    """The IRI of the ``ckg:Article`` stored for ``article_file`` (found by its ``dcterms:source``)."""
    rows = select(store, f"SELECT ?a WHERE {{ ?a a ckg:Article ; dcterms:source {iri(source_of(article_file))} }}")
    return rows[0]["a"] if rows else None


def article_meta(store, article: str) -> dict[str, set]:
    """The article's ``dcterms:`` metadata: property local name → set of values."""
    rows = select(store, f"""SELECT ?p ?v WHERE {{ <{article}> ?p ?v .
        FILTER(STRSTARTS(STR(?p), "http://purl.org/dc/terms/")) }}""")
    meta = defaultdict(set)
    for row in rows:
        meta[row["p"].rsplit("/", 1)[-1]].add(row["v"])
    return dict(meta)


def article_text(store, article: str) -> str:
    rows = select(store, f"SELECT ?t WHERE {{ <{article}> ckg:text ?t }}")
    assert len(rows) == 1, f"{article} should have exactly one ckg:text, has {len(rows)}"
    return rows[0]["t"]


# --- records --------------------------------------------------------------------------------------

@dataclass
class Mention:
    article: str
    start: int | None
    end: int | None
    text: str | None


@dataclass
class Entity:
    """An actor or place as the store describes it."""

    iri: str
    labels: set[str] = field(default_factory=set)  # rdfs:label and skos:altLabel, lowercased
    raw_labels: set[str] = field(default_factory=set)  # the same, as written
    types: set[str] = field(default_factory=set)  # ckg class local names, superclasses included
    lat: float | None = None
    long: float | None = None
    containers: list["Entity"] = field(default_factory=list)  # places it is ckg:locatedIn, transitively

    def named(self, *needles: str) -> bool:
        """Whether any label contains any of ``needles`` (case-insensitive)."""
        return any(n.lower() in label for n in needles for label in self.labels)

    def near(self, lat: float, long: float, tolerance: float = 0.1) -> bool:
        return self.lat is not None and self.long is not None and abs(self.lat - lat) <= tolerance and abs(self.long - long) <= tolerance

    def is_or_in(self, predicate) -> bool:
        """Whether this place, or a place containing it, satisfies ``predicate(entity)``."""
        return predicate(self) or any(predicate(c) for c in self.containers)

    def within_country(self, *names: str) -> bool:
        """Whether a containing ckg:Country (or this one) has one of ``names`` as a label (exactly)."""
        wanted = {n.lower() for n in names}
        return any("Country" in p.types and p.labels & wanted for p in [self, *self.containers])

    def __repr__(self) -> str:
        where = f" @{self.lat},{self.long}" if self.lat is not None else ""
        inside = f" in {[sorted(c.raw_labels)[:1] for c in self.containers]}" if self.containers else ""
        return f"<{sorted(self.types)} {sorted(self.raw_labels)}{where}{inside}>"


@dataclass
class Attack:
    iri: str
    types: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    killed: set[int] = field(default_factory=set)
    injured: set[int] = field(default_factory=set)
    perpetrators: list[Entity] = field(default_factory=list)
    targets: list[Entity] = field(default_factory=list)
    victims: list[Entity] = field(default_factory=list)
    locations: list[Entity] = field(default_factory=list)
    evidence: list[Mention] = field(default_factory=list)

    def at(self, predicate) -> bool:
        """Whether a location of the attack (or a place containing it) satisfies ``predicate``."""
        return any(place.is_or_in(predicate) for place in self.locations)

    def parties(self) -> list[Entity]:
        return [*self.perpetrators, *self.targets]

    def __repr__(self) -> str:
        return (f"<Attack {self.iri.rsplit('/', 1)[-1]} {sorted(self.types)} dates={sorted(self.dates)} "
                f"killed={sorted(self.killed)} injured={sorted(self.injured)} perp={self.perpetrators} "
                f"target={self.targets} at={self.locations}>")


@dataclass
class Claim:
    iri: str
    claimed_by: list[Entity] = field(default_factory=list)
    about: set[str] = field(default_factory=set)
    killed: set[int] = field(default_factory=set)
    injured: set[int] = field(default_factory=set)
    evidence: list[Mention] = field(default_factory=list)

    def by(self, *needles: str) -> bool:
        return any(who.named(*needles) for who in self.claimed_by)

    def __repr__(self) -> str:
        return (f"<Claim by={self.claimed_by} about={sorted(a.rsplit('/', 1)[-1] for a in self.about)} "
                f"killed={sorted(self.killed)} injured={sorted(self.injured)} "
                f"text={[m.text[:60] if m.text else None for m in self.evidence][:2]}>")


# --- reading records through SPARQL ----------------------------------------------------------------

def _in_article_filter(var: str, article: str | None) -> str:
    """Restrict ``var`` to nodes with evidence in ``article`` (no restriction when None)."""
    return f"{var} ckg:evidence/ckg:inArticle <{article}> ." if article else ""


def ckg_types(store, nodes: list[str]) -> dict[str, set[str]]:
    """Each node's ckg class local names, superclasses included (through the ontology graph)."""
    if not nodes:
        return {}
    values = " ".join(f"<{n}>" for n in nodes)
    rows = select(store, f"""SELECT DISTINCT ?n ?c WHERE {{ VALUES ?n {{ {values} }}
        ?n a ?t . ?t rdfs:subClassOf* ?c . FILTER(STRSTARTS(STR(?c), "{CKG_NS}")) }}""")
    types = defaultdict(set)
    for row in rows:
        types[row["n"]].add(row["c"][len(CKG_NS):])
    return types


def entities(store, nodes) -> dict[str, Entity]:
    """Actors or places by IRI, with labels, types, coordinates and (transitive) containers."""
    nodes = sorted(set(nodes))
    if not nodes:
        return {}
    found = {n: Entity(n) for n in nodes}
    _fill_labels_and_coordinates(store, found)
    for node, kinds in ckg_types(store, nodes).items():
        found[node].types = kinds
    values = " ".join(f"<{n}>" for n in nodes)
    rows = select(store, f"SELECT DISTINCT ?n ?c WHERE {{ VALUES ?n {{ {values} }} ?n ckg:locatedIn+ ?c . FILTER(?c != ?n) }}")
    containers = {row["c"]: Entity(row["c"]) for row in rows}
    _fill_labels_and_coordinates(store, containers)
    for node, kinds in ckg_types(store, list(containers)).items():
        containers[node].types = kinds
    for row in rows:
        found[row["n"]].containers.append(containers[row["c"]])
    return found


def _fill_labels_and_coordinates(store, found: dict[str, Entity]) -> None:
    if not found:
        return
    values = " ".join(f"<{n}>" for n in found)
    for row in select(store, f"SELECT ?n ?l WHERE {{ VALUES ?n {{ {values} }} ?n rdfs:label|skos:altLabel|skos:prefLabel ?l }}"):
        found[row["n"]].raw_labels.add(row["l"])
        found[row["n"]].labels.add(row["l"].lower())
    for row in select(store, f"SELECT ?n ?lat ?long WHERE {{ VALUES ?n {{ {values} }} ?n geo:lat ?lat ; geo:long ?long }}"):
        found[row["n"]].lat, found[row["n"]].long = float(row["lat"]), float(row["long"])


def mentions(store, nodes: list[str]) -> dict[str, list[Mention]]:
    """Each node's ``ckg:evidence`` mentions."""
    if not nodes:
        return {}
    values = " ".join(f"<{n}>" for n in nodes)
    rows = select(store, f"""SELECT ?n ?article ?start ?end ?text WHERE {{ VALUES ?n {{ {values} }}
        ?n ckg:evidence ?m . OPTIONAL {{ ?m ckg:inArticle ?article }} OPTIONAL {{ ?m ckg:startOffset ?start }}
        OPTIONAL {{ ?m ckg:endOffset ?end }} OPTIONAL {{ ?m ckg:text ?text }} }}""")
    found = defaultdict(list)
    for row in rows:
        found[row["n"]].append(Mention(row["article"], row["start"], row["end"], row["text"]))
    return found


_ROLES = {"perpetrator": "perpetrators", "target": "targets", "victim": "victims", "location": "locations"}


def attacks(store, article: str | None = None) -> list[Attack]:
    """Every ``ckg:Attack`` (any subclass) with evidence in ``article`` (all when None)."""
    rows = select(store, f"SELECT DISTINCT ?a WHERE {{ ?a a/rdfs:subClassOf* ckg:Attack . {_in_article_filter('?a', article)} }}")
    found = {row["a"]: Attack(row["a"]) for row in rows}
    if not found:
        return []
    values = " ".join(f"<{a}>" for a in found)
    for node, kinds in ckg_types(store, list(found)).items():
        found[node].types = kinds
    for row in select(store, f"SELECT ?a ?p ?v WHERE {{ VALUES ?a {{ {values} }} ?a ?p ?v . VALUES ?p {{ ckg:date ckg:killed ckg:injured }} }}"):
        name = row["p"][len(CKG_NS):]
        getattr(found[row["a"]], {"date": "dates", "killed": "killed", "injured": "injured"}[name]).add(row["v"])
    role_rows = select(store, f"""SELECT ?a ?p ?v WHERE {{ VALUES ?a {{ {values} }} ?a ?p ?v .
        VALUES ?p {{ ckg:perpetrator ckg:target ckg:victim ckg:location }} }}""")
    described = entities(store, [row["v"] for row in role_rows])
    for row in role_rows:
        getattr(found[row["a"]], _ROLES[row["p"][len(CKG_NS):]]).append(described[row["v"]])
    for node, evidence in mentions(store, list(found)).items():
        found[node].evidence = evidence
    return list(found.values())


def claims(store, article: str | None = None) -> list[Claim]:
    """Every ``ckg:Claim`` with evidence in ``article`` (all when None)."""
    rows = select(store, f"SELECT DISTINCT ?c WHERE {{ ?c a/rdfs:subClassOf* ckg:Claim . {_in_article_filter('?c', article)} }}")
    found = {row["c"]: Claim(row["c"]) for row in rows}
    if not found:
        return []
    values = " ".join(f"<{c}>" for c in found)
    for row in select(store, f"SELECT ?c ?p ?v WHERE {{ VALUES ?c {{ {values} }} ?c ?p ?v . VALUES ?p {{ ckg:about ckg:killed ckg:injured }} }}"):
        getattr(found[row["c"]], row["p"][len(CKG_NS):]).add(row["v"])
    by_rows = select(store, f"SELECT ?c ?who WHERE {{ VALUES ?c {{ {values} }} ?c ckg:claimedBy ?who }}")
    described = entities(store, [row["who"] for row in by_rows])
    for row in by_rows:
        found[row["c"]].claimed_by.append(described[row["who"]])
    for node, evidence in mentions(store, list(found)).items():
        found[node].evidence = evidence
    return list(found.values())


def actors(store, article: str | None = None) -> list[Entity]:
    """Every ``ckg:Actor`` (with evidence in ``article`` when given)."""
    rows = select(store, f"SELECT DISTINCT ?x WHERE {{ ?x a/rdfs:subClassOf* ckg:Actor . {_in_article_filter('?x', article)} }}")
    return list(entities(store, [row["x"] for row in rows]).values())


def places(store, article: str | None = None) -> list[Entity]:
    """Every ``ckg:Place`` (with evidence in ``article`` when given)."""
    rows = select(store, f"SELECT DISTINCT ?x WHERE {{ ?x a/rdfs:subClassOf* ckg:Place . {_in_article_filter('?x', article)} }}")
    return list(entities(store, [row["x"] for row in rows]).values())


# --- checks shared by the sample tests ------------------------------------------------------------

def evidence_problems(node: str, evidence: list[Mention], article: str, text: str) -> list[str]:
    """What is wrong with a node's evidence in ``article``: none at all, or a mention whose
    ``ckg:text`` is not the article text at ``[startOffset, endOffset)``."""
    here = [m for m in evidence if m.article == article]
    if not here:
        return [f"{node}: no ckg:evidence in the article"]
    problems = []
    for m in here:
        if m.start is None or m.end is None or not (0 <= m.start < m.end <= len(text)):
            problems.append(f"{node}: bad offsets [{m.start}, {m.end}) for text of length {len(text)}")
        elif text[m.start:m.end] != m.text:
            problems.append(f"{node}: evidence text {m.text!r} != article text {text[m.start:m.end]!r} at [{m.start}, {m.end})")
    return problems


def close_to(value: float | None, wanted: float, tolerance: float) -> bool:
    return value is not None and math.isclose(value, wanted, abs_tol=tolerance)


# --- other public properties of a node ------------------------------------------------------------

def values(store, node: str, prop: str) -> set:
    """The values of ``node``'s property ``prop`` (a prefixed name like ``ckg:unnamed``)."""
    return {row["v"] for row in select(store, f"SELECT ?v WHERE {{ <{node}> {prop} ?v }}")}


def related(store, node: str, prop: str) -> list[Entity]:
    """The nodes ``node`` points to with ``prop`` (transitively with a path like ``ckg:locatedIn+``)."""
    return list(entities(store, [v for v in values(store, node, prop) if isinstance(v, str) and "://" in v]).values())


def is_unnamed(store, entity: Entity) -> bool:
    return any(str(v).lower() in ("true", "1") for v in values(store, entity.iri, "ckg:unnamed"))


def equipment_losses(store, node: str, prop: str = "ckg:destroyed") -> dict[str, set]:
    """``ckg:destroyed`` (or ``ckg:damaged``) of an attack or claim: equipment kind (lowercased) → counts."""
    rows = select(store, f"SELECT ?kind ?count WHERE {{ <{node}> {prop} ?loss . ?loss ckg:equipment ?kind . OPTIONAL {{ ?loss ckg:count ?count }} }}")
    losses = defaultdict(set)
    for row in rows:
        losses[row["kind"].lower()].add(row["count"])
    return dict(losses)


def inferred_properties(store, article: str) -> set[str]:
    """The local names of the article metadata properties marked ``ckg:inferredProperty``."""
    return {str(v).rsplit("/", 1)[-1] for v in values(store, article, "ckg:inferredProperty")}
