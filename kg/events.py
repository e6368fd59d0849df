"""The attacks as an events table in the manner of ACLED's codebook, as CSV or GeoJSON.

One row per attack: ``event_id``, ``event_date`` (ISO; the first day of the month or year when the
articles give no day), ``year``, ``time_precision`` (1 day, 2 month, 3 year), ``event_type`` and
``sub_event_type`` (ACLED's names for the ontology's attack classes), ``actor1`` (the perpetrators),
``actor2`` (the targets that are actors, else the victims), ``country``, ``admin1``, ``admin2``,
``location``, ``latitude``, ``longitude``, ``geo_precision`` (1 the place itself, 2 the town it is
in, 3 a region or country), ``source`` (the publishers), ``notes`` (an evidence sentence) and
``fatalities`` (the consolidated figure of the derived graph); then this graph's own: ``iri``,
``attack_types``, ``articles``, ``claims``, ``sources_disagree`` and ``claimed_killed_min/max``
(over every figure stated about the attack, the sources' claims and the articles' own reports).

Several lists of actors or publishers are joined with "; " as ACLED does. Everything comes from a
few SPARQL queries over the union graph, so any backend serves it.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable

from kg.formats import PREFIXES, sparql_prologue
from kg.store.base import GraphStore

CKG = PREFIXES["ckg"]
COLUMNS = (
    "event_id", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "source", "notes",
    "fatalities", "iri", "attack_types", "articles", "claims", "sources_disagree", "claimed_killed_min",
    "claimed_killed_max",
)
EXPLOSIONS, BATTLES, VIOLENCE = "Explosions/Remote violence", "Battles", "Violence against civilians"
# Most telling class first: an attack typed Airstrike and MissileStrike is an air strike.
ACLED_TYPES = (
    ("ChemicalAttack", EXPLOSIONS, "Chemical weapon"),
    ("Airstrike", EXPLOSIONS, "Air/drone strike"),
    ("MissileStrike", EXPLOSIONS, "Shelling/artillery/missile attack"),
    ("Shelling", EXPLOSIONS, "Shelling/artillery/missile attack"),
    ("Bombing", EXPLOSIONS, "Remote explosive/landmine/IED"),
    ("ArmedClash", BATTLES, "Armed clash"),
    ("Ambush", BATTLES, "Armed clash"),
    ("Raid", BATTLES, "Armed clash"),
    ("Execution", VIOLENCE, "Attack"),
    ("Shooting", VIOLENCE, "Attack"),
    ("Attack", VIOLENCE, "Attack"),
)
_SUICIDE = re.compile(r"\bsuicide\b", re.I)
_PLACE_RANK = {"Facility": 4, "City": 3, "Region": 2, "Country": 1}  # how precise a place is
_PREFIX = sparql_prologue()
_ATTACKS = "{ SELECT DISTINCT ?a WHERE { ?a a ?class . ?class rdfs:subClassOf* ckg:Attack } }"
QUERIES = {
    "types": "SELECT ?a ?class WHERE { ?a a ?class . ?class rdfs:subClassOf* ckg:Attack }",
    "links": f"SELECT ?a ?p ?o WHERE {{ {_ATTACKS} VALUES ?p {{ ckg:perpetrator ckg:target ckg:victim ckg:location }} ?a ?p ?o }}",
    "dates": f"SELECT ?a ?date WHERE {{ {_ATTACKS} ?a ckg:date ?date }}",
    "killed": f"SELECT ?a ?killed WHERE {{ {_ATTACKS} ?a ckg:killed ?killed }}",
    "evidence": f"SELECT ?a ?text ?article ?start WHERE {{ {_ATTACKS} ?a ckg:evidence ?m . ?m ckg:text ?text ; ckg:inArticle ?article "
                "OPTIONAL { ?m ckg:startOffset ?start } }",
    "articles": "SELECT ?article ?publisher ?issued WHERE { ?article a ckg:Article "
                "OPTIONAL { ?article dcterms:publisher ?publisher } OPTIONAL { ?article dcterms:issued ?issued } }",
    "statements": f"SELECT ?a ?s ?kind ?killed WHERE {{ {_ATTACKS} ?s ckg:about ?a ; a ?kind . VALUES ?kind {{ ckg:Claim ckg:Report }} "
                  "OPTIONAL { ?s ckg:killed ?killed } }",
    "labels": "SELECT ?x ?label WHERE { ?x rdfs:label ?label }",
    "places": "SELECT ?p ?class ?lat ?long ?parent WHERE { ?p a ?class . ?class rdfs:subClassOf* ckg:Place "
              "OPTIONAL { ?p geo:lat ?lat ; geo:long ?long } OPTIONAL { ?p ckg:locatedIn ?parent } }",
}


@dataclass
class Place:
    """What the table needs of a place: its kind, coordinates and container."""

    kinds: set = field(default_factory=set)
    lat: float | None = None
    long: float | None = None
    parents: set = field(default_factory=set)

    @property
    def rank(self) -> int:
        return max((_PLACE_RANK.get(k, 0) for k in self.kinds), default=0)


@dataclass
class Attack:
    """Everything gathered about one attack before it becomes a row."""

    iri: str
    classes: set = field(default_factory=set)
    links: dict = field(default_factory=dict)  # predicate local name -> set of IRIs
    dates: set = field(default_factory=set)
    killed: list = field(default_factory=list)
    evidence: list = field(default_factory=list)  # (article, start, text)
    statements: dict = field(default_factory=dict)  # IRI -> (kind, [killed])


def _rows(store: GraphStore, name: str):
    return store.query(_PREFIX + QUERIES[name])


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def event_rows(store: GraphStore) -> list[dict]:
    """One dict per attack, keyed by :data:`COLUMNS`, ordered by date then id (undated last)."""
    attacks = _gather(store)
    places = _places(store)
    labels: dict[str, str] = {}
    for row in _rows(store, "labels"):
        labels[row["x"].value] = min(labels.get(row["x"].value, row["label"].value), row["label"].value)
    articles = {}
    for row in _rows(store, "articles"):
        publisher, issued = row["publisher"], row["issued"]
        entry = articles.setdefault(row["article"].value, [set(), None])
        if publisher is not None:
            entry[0].add(publisher.value)
        if issued is not None:
            entry[1] = min(entry[1] or issued.value, issued.value)
    rows = [_row(attack, places, labels, articles) for attack in attacks.values()]
    return sorted(rows, key=lambda r: (r["event_date"] is None, r["event_date"] or "", r["event_id"]))


def _gather(store: GraphStore) -> dict[str, Attack]:
    attacks: dict[str, Attack] = {}
    for row in _rows(store, "types"):
        attacks.setdefault(row["a"].value, Attack(row["a"].value)).classes.add(_local(row["class"].value))
    for row in _rows(store, "links"):
        attacks[row["a"].value].links.setdefault(_local(row["p"].value), set()).add(row["o"].value)
    for row in _rows(store, "dates"):
        attacks[row["a"].value].dates.add(row["date"].value)
    for row in _rows(store, "killed"):
        attacks[row["a"].value].killed.append(int(row["killed"].value))
    for row in _rows(store, "evidence"):
        start = int(row["start"].value) if row["start"] is not None else 0
        attacks[row["a"].value].evidence.append((row["article"].value, start, row["text"].value))
    for row in _rows(store, "statements"):
        kind, figures = attacks[row["a"].value].statements.setdefault(row["s"].value, (_local(row["kind"].value), []))
        if row["killed"] is not None:
            figures.append(int(row["killed"].value))
    return attacks


def _places(store: GraphStore) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for row in _rows(store, "places"):
        place = places.setdefault(row["p"].value, Place())
        place.kinds.add(_local(row["class"].value))
        if row["lat"] is not None:
            place.lat, place.long = float(row["lat"].value), float(row["long"].value)
        if row["parent"] is not None:
            place.parents.add(row["parent"].value)
    return places


def _row(attack: Attack, places: dict[str, Place], labels: dict[str, str], articles: dict) -> dict:
    """The table row of one attack."""
    row = dict.fromkeys(COLUMNS)
    row.update(event_id=_local(attack.iri), iri=attack.iri, attack_types="; ".join(sorted(attack.classes)))
    row.update(_when(attack.dates))
    row["event_type"], row["sub_event_type"] = acled_type(attack.classes, [text for _, _, text in attack.evidence])
    row["actor1"] = _names(attack.links.get("perpetrator", ()), labels)
    targets = {t for t in attack.links.get("target", ()) if t not in places}
    row["actor2"] = _names(targets or attack.links.get("victim", ()), labels)
    row.update(_where(attack.links.get("location", set()), places, labels))
    seen = {article for article, _, _ in attack.evidence}
    row["source"] = "; ".join(sorted({p for a in seen for p in articles.get(a, [()])[0]})) or None
    row["notes"] = _note(attack.evidence, articles)
    row["fatalities"] = min(attack.killed) if attack.killed else None
    figures = [k for _, killed in attack.statements.values() for k in killed]
    row.update(articles=len(seen), claims=sum(1 for kind, _ in attack.statements.values() if kind == "Claim"),
               sources_disagree=len(set(figures)) > 1,
               claimed_killed_min=min(figures) if figures else None, claimed_killed_max=max(figures) if figures else None)
    return row


def _names(iris: Iterable[str], labels: dict[str, str]) -> str | None:
    """The labels of ``iris`` joined with "; ", sorted; None for none."""
    return "; ".join(sorted(labels.get(i, _local(i)) for i in iris)) or None


def acled_type(classes: Iterable[str], sentences: Iterable[str] = ()) -> tuple[str, str]:
    """ACLED's event type and sub-event type for an attack's classes; a bombing whose evidence says
    "suicide" is a suicide bomb.

    >>> acled_type({"Attack", "Airstrike", "MissileStrike"})
    ('Explosions/Remote violence', 'Air/drone strike')
    >>> acled_type({"Attack", "Bombing"}, ["A suicide bomber blew himself up."])
    ('Explosions/Remote violence', 'Suicide bomb')
    """
    classes = set(classes)
    for name, event_type, sub_type in ACLED_TYPES:
        if name in classes:
            if name == "Bombing" and any(_SUICIDE.search(s) for s in sentences):
                return event_type, "Suicide bomb"
            return event_type, sub_type
    return VIOLENCE, "Attack"


def _when(dates: set[str]) -> dict:
    """Event date, year and precision from the attack's ckg:date values (the most precise, then the earliest).

    >>> _when({"2016-02", "2016-02-03"})["event_date"], _when({"2013"})["time_precision"]
    ('2016-02-03', 3)
    """
    if not dates:
        return {"event_date": None, "year": None, "time_precision": None}
    best = min(dates, key=lambda d: (-len(d), d))
    return {"event_date": _first_day(best), "year": int(best[:4]), "time_precision": {10: 1, 7: 2}.get(len(best), 3)}


def _first_day(date: str) -> str:
    return (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]


def _where(locations: set[str], places: dict[str, Place], labels: dict[str, str]) -> dict:
    """Country, admin1/2, location, coordinates and geo precision of the attack's most precise place."""
    empty = {"country": None, "admin1": None, "admin2": None, "location": None, "latitude": None, "longitude": None, "geo_precision": None}
    known = [loc for loc in locations if loc in places]
    ancestors = {a for loc in known for a in _chain(loc, places)[1:]}
    candidates = [loc for loc in known if loc not in ancestors] or known
    if not candidates:
        return empty
    place = max(sorted(candidates, key=lambda i: labels.get(i, i)), key=lambda i: _placed(i, places))
    chain = _chain(place, places)
    def label(iri: str | None) -> str | None:
        return labels.get(iri, _local(iri)) if iri else None

    country = next((p for p in chain if "Country" in places[p].kinds), None)
    regions = [p for p in chain if "Region" in places[p].kinds][::-1]  # from the top down
    where = {**empty, "location": label(place), "country": label(country),
             "admin1": label(regions[0]) if regions else None, "admin2": label(regions[1]) if len(regions) > 1 else None}
    located = next((p for p in chain if places[p].lat is not None), None)
    if located is not None:
        precision = 1 if located == place and places[place].rank >= 3 else 2 if places[located].rank >= 3 else 3
        where.update(latitude=places[located].lat, longitude=places[located].long, geo_precision=precision)
    return where


def _placed(place: str, places: dict[str, Place]) -> tuple[bool, bool, int]:
    """How well a place can be put on a map: coordinates (its own or a container's), a country,
    then how precise it is. A named town beats an unlocated "busy market"."""
    chain = _chain(place, places)
    return (any(places[p].lat is not None for p in chain), any("Country" in places[p].kinds for p in chain), places[place].rank)


def _chain(place: str, places: dict[str, Place]) -> list[str]:
    """The place and the places containing it, innermost first (the first container by IRI at each
    step; cycles cut)."""
    chain = [place]
    while (parents := sorted(p for p in places[chain[-1]].parents if p in places and p not in chain)):
        chain.append(parents[0])
    return chain


def _note(evidence: list, articles: dict) -> str | None:
    """The first evidence sentence of the earliest article reporting the attack."""
    if not evidence:
        return None
    article, start, text = min(evidence, key=lambda e: (articles.get(e[0], [(), None])[1] or "9999", e[0], e[1]))
    return " ".join(text.split())


def write_csv(rows: list[dict], out: BinaryIO) -> None:
    """The rows as UTF-8 CSV with a header; empty cells for unknown values."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    text.flush()
    text.detach()


def write_geojson(rows: list[dict], out: BinaryIO) -> None:
    """A GeoJSON FeatureCollection: one Point per attack whose place has coordinates, the row's
    columns as its properties."""
    out.write(b'{"type": "FeatureCollection", "features": [')
    first = True
    for row in rows:
        if row["latitude"] is None:
            continue
        feature = {"type": "Feature", "id": row["event_id"],
                   "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}, "properties": row}
        out.write((b"\n" if first else b",\n") + json.dumps(feature, ensure_ascii=False).encode("utf-8"))
        first = False
    out.write(b"\n]}\n")
