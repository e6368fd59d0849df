"""The actor page: its attacks on a timeline (by role), and the claims it made.

Queries: the generic page's, the attacks with dates and tolls (one), their places (one), the claims
with their figures (one), what the claims are about (one), and the page's names.
"""
from __future__ import annotations

from dataclasses import dataclass

from server.entities.common import MAX_LIST, dated, later, linked, named, resolve_names, scan, select, term_order
from server.entities.generic import EntityView, describe
from server.render import Value, iri_ref, local_name, number, timeline_axis


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
    entity = describe(iri)
    rows = scan(  # every attack the actor took part in: grows with the store
        f"""SELECT ?attack ?role ?d ?k WHERE {{
  {{ SELECT DISTINCT ?attack ?role WHERE {{ VALUES ?role {{ ckg:perpetrator ckg:target ckg:victim }} ?attack ?role {ref} }} }}
  OPTIONAL {{ ?attack ckg:date ?d }} OPTIONAL {{ ?attack ckg:killed ?k }}
}}"""
    )
    rows = sorted(dated(rows, ("attack", "role")).values(),  # by date; ties by attack and role, so the page is always the same
                  key=lambda row: (term_order(row["date"]), row["attack"].value, row["role"].value))[:MAX_LIST]
    items: dict[str, TimelineItem] = {}
    for row in rows:
        key = row["attack"].value
        item = items.get(key)
        if item is None:
            item = items[key] = TimelineItem(
                attack=named(row["attack"]),
                roles=[],
                date=row["date"].value if row["date"] is not None else None,
                places=[],
                killed=number(row["killed"]),
            )
        item.roles.append(local_name(row["role"].value))
    if items:
        for attack, places in linked(list(items), "ckg:location", ordered=False).items():
            items[attack].places.extend(places)
    claim_rows = select(
        f"""SELECT ?claim ?k WHERE {{
  {{ SELECT DISTINCT ?claim WHERE {{ ?claim ckg:claimedBy {ref} }} LIMIT {MAX_LIST} }} OPTIONAL {{ ?claim ckg:killed ?k }}
}}"""
    )
    claim_rows = list(dated(claim_rows, ("claim",)).values())
    about = linked([row["claim"].value for row in claim_rows], "ckg:about")
    claims = [(named(row["claim"]), about.get(row["claim"].value, []), number(row["killed"])) for row in claim_rows]
    view = ActorView(entity=entity, timeline=list(items.values()), axis=None, claims=claims)

    def arrange() -> None:
        view.claims.sort(key=lambda c: c[0].text.lower())
        view.timeline.sort(key=lambda i: (i.date is None, i.date or "", i.attack.text))
        view.axis = timeline_axis([(i.date, i.attack.text, i.attack.href, i.roles[0]) for i in view.timeline if i.date])

    later(arrange)
    resolve_names()
    return view
