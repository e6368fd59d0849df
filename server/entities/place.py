"""The place page: what contains it and what it contains, the attacks within it, a small map.

Queries: the generic page's, what contains it (one), the places it contains with their names (one:
sorted and paged here, by ``places_page``), the attacks within it counted (one) and one page of them
(one, by ``page``) with their places (one), the coordinates of everything on the map (one), and the
page's names.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.vocab import CKG
from server.entities.actor import TimelineItem
from server.entities.attack import ancestors_of
import pyoxigraph as ox

from server.entities.common import (MAX_LISTED, Paging, dated, later, linked, named, page_of, resolve_names, scan, select,
                                    term_order, val, values_block)
from server.entities.generic import EntityView, describe
from server.render import MapPoint, Value, iri_ref, local_name, map_view, number


@dataclass
class PlaceView:
    entity: EntityView
    within: list
    contains: list  # one page of the places it contains, by name
    contains_paging: Paging  # of the places it contains (``places_page``)
    lat: float | None
    long: float | None
    population: str | None
    attacks: list[TimelineItem]  # one page of the attacks within it, newest first
    paging: Paging  # of the attacks within it (``page``)
    map: object


def place_view(iri: str) -> PlaceView:
    entity = describe(iri, listed={str(CKG.location): "#attacks", str(CKG.locatedIn): "#contains"})
    children, contains_paging = places_within(iri)
    attacks, paged = attacks_within(iri)
    population = next((v.text for p, vs in entity.properties if p.iri and local_name(p.iri) == "population" for v in vs), None)
    nearby = {c.iri: c for c in children} | {p.iri: p for a in attacks for p in a.places if p.iri}
    coordinates = coordinates_of([iri, *nearby])
    here = coordinates.get(iri)
    view = PlaceView(
        entity=entity,
        within=ancestors_of([iri]).get(iri, []),
        contains=children,
        contains_paging=contains_paging,
        lat=here[0] if here else None,
        long=here[1] if here else None,
        population=population,
        attacks=attacks,
        paging=paged,
        map=None,
    )

    def draw() -> None:
        points = [MapPoint(*here, entity.label, None, True)] if here else []
        for other, shown in nearby.items():  # in the page's order: what it contains, then the attacks' places
            if other != iri and other in coordinates:
                points.append(MapPoint(*coordinates[other], shown.text, shown.href))
        view.map = map_view(points[:50])

    later(draw)
    resolve_names()
    return view


def places_within(place: str) -> tuple[list[Value], Paging]:
    """The page of the places directly within ``place`` that ``places_page`` asks for, by name: one
    query reading them all with their labels (at most :data:`MAX_LISTED`)."""
    rows = scan(f"""SELECT ?c ?l WHERE {{ {{ SELECT DISTINCT ?c WHERE {{ ?c ckg:locatedIn {iri_ref(place)} }} LIMIT {MAX_LISTED + 1} }}
  OPTIONAL {{ ?c rdfs:label ?l }} }}""")
    label: dict[str, object] = {}
    for row in rows:
        if label.get(row["c"].value) is None:
            label[row["c"].value] = row["l"]
    ordered = sorted(label, key=lambda c: ((label[c].value if label[c] is not None else local_name(c)).lower(), c))
    shown, paged = page_of(ordered, "places_page")
    return [val(ox.NamedNode(c), label[c]) for c in shown], paged


def attacks_within(place: str) -> tuple[list[TimelineItem], Paging]:
    """The page of the attacks located at ``place`` or anywhere it contains (ckg:locatedIn*) that
    ``page`` asks for, newest first (undated last): one query reading every attack within with its
    dates, sorted and paged here (the engine's GROUP BY and ORDER BY cost more than the lookups), then
    the page's tolls and places, two bounded lookups."""
    rows = scan(f"""SELECT ?attack ?d WHERE {{
  {{ SELECT DISTINCT ?attack WHERE {{ ?loc ckg:locatedIn* {iri_ref(place)} . ?attack ckg:location ?loc }} LIMIT {MAX_LISTED + 1} }}
  OPTIONAL {{ ?attack ckg:date ?d }} }}""")
    groups = dated(rows, ("attack",))
    by_iri = sorted(groups.values(), key=lambda row: row["attack"].value)
    newest_first = sorted(by_iri, key=lambda row: term_order(row["date"]), reverse=True)  # stable: ties stay by IRI
    shown, paged = page_of(newest_first, "page")
    items = {
        row["attack"].value: TimelineItem(named(row["attack"]), [], row["date"].value if row["date"] is not None else None, [], None)
        for row in shown
    }
    if items:
        tolls = select(f"SELECT ?x ?k WHERE {{ VALUES ?x {{ {values_block(list(items))} }} ?x ckg:killed ?k }}")
        for attack, group in dated(tolls, ("x",)).items():
            items[attack[0]].killed = number(group["killed"])
    for attack, places in linked(list(items), "ckg:location", ordered=False).items():
        items[attack].places.extend(places)
    return list(items.values()), paged


def coordinates_of(iris: list[str]) -> dict[str, tuple[float, float]]:
    """Latitude and longitude of each of ``iris`` that has valid ones (one query)."""
    if not iris:
        return {}
    rows = select(f"SELECT ?p ?lat ?long WHERE {{ VALUES ?p {{ {values_block(iris)} }} ?p geo:lat ?lat ; geo:long ?long }}")
    first = {}
    for row in rows:
        first.setdefault(row["p"].value, row)  # the first pair, as SAMPLE took it
    found = {}
    for row in first.values():
        lat, long = number(row["lat"]), number(row["long"])
        if lat is not None and long is not None and -90 <= lat <= 90 and -180 <= long <= 180:
            found[row["p"].value] = (float(lat), float(long))
    return found
