"""The place page: what contains it and what it contains, the attacks within it, a small map.

Queries: the generic page's, what contains it (one), the places it contains (one) and their count
(one), the attacks within it counted (one) and listed (one) with their places (one), the
coordinates of everything on the map (one), and the page's names.
"""
from __future__ import annotations

from dataclasses import dataclass

from server.entities.actor import TimelineItem
from server.entities.attack import ancestors_of
from server.entities.common import MAX_LIST, by_name, later, linked, named, resolve_names, scan, select, values_block
from server.entities.generic import EntityView, describe
from server.render import MapPoint, iri_ref, local_name, map_view, number


@dataclass
class PlaceView:
    entity: EntityView
    within: list
    contains: list
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
    children = [named(r["c"]) for r in select(f"SELECT DISTINCT ?c WHERE {{ ?c ckg:locatedIn {ref} }} LIMIT {MAX_LIST}")]
    by_name(children)
    count = scan(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c ckg:locatedIn {ref} }}")[0]["n"]
    attacks, attack_count = attacks_within(iri)
    population = next((v.text for p, vs in entity.properties if p.iri and local_name(p.iri) == "population" for v in vs), None)
    nearby = {c.iri: c for c in children} | {p.iri: p for a in attacks for p in a.places if p.iri}
    coordinates = coordinates_of([iri, *nearby])
    here = coordinates.get(iri)
    view = PlaceView(
        entity=entity,
        within=ancestors_of([iri]).get(iri, []),
        contains=children,
        contains_count=int(count.value),
        lat=here[0] if here else None,
        long=here[1] if here else None,
        population=population,
        attacks=attacks,
        attack_count=attack_count,
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


def attacks_within(place: str) -> tuple[list[TimelineItem], int]:
    """Attacks located at ``place`` or anywhere it contains (ckg:locatedIn*), newest first; three queries."""
    within = f"{{ SELECT DISTINCT ?attack WHERE {{ ?loc ckg:locatedIn* {iri_ref(place)} . ?attack ckg:location ?loc }} }}"
    total = int(scan(f"SELECT (COUNT(*) AS ?n) WHERE {{ {within} }}")[0]["n"].value)
    rows = scan(  # grouped in the engine: it returns the 200 newest of all the attacks within
        f"""SELECT ?attack (MIN(?d) AS ?date) (MAX(?k) AS ?killed)
WHERE {{ {within} OPTIONAL {{ ?attack ckg:date ?d }} OPTIONAL {{ ?attack ckg:killed ?k }} }}
GROUP BY ?attack ORDER BY DESC(?date) LIMIT {MAX_LIST}"""
    )
    items = {
        row["attack"].value: TimelineItem(named(row["attack"]), [], row["date"].value if row["date"] is not None else None, [],
                                          number(row["killed"]))
        for row in rows
    }
    for attack, places in linked(list(items), "ckg:location", ordered=False).items():
        items[attack].places.extend(places)
    return list(items.values()), total


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
