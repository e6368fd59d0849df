"""The actor page: its attacks on a timeline (by role), and the claims it made.

Queries: the generic page's, every attack with its date and toll (one: sorted and paged here), the
page's attacks' places (one), every claim with its toll and date (one), what the page's claims are
about (one), and the page's names. The attacks are paged by ``page``, the claims by ``claims_page``.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.vocab import CKG
from server.entities.common import MAX_LISTED, Paging, dated, later, linked, named, page_of, resolve_names, scan, term_order
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
    timeline: list[TimelineItem]  # one page of its attacks, by date
    axis: object  # a TimelineAxis of that page, or None when nothing on it is dated
    claims: list[tuple[Value, list[Value], int | float | None]]  # one page of claims: claim, attacks it is about, killed
    paging: Paging  # of the attacks (``page``)
    claims_paging: Paging  # of the claims (``claims_page``)


def actor_view(iri: str) -> ActorView:
    ref = iri_ref(iri)
    entity = describe(iri, listed={str(CKG.perpetrator): "#timeline", str(CKG.target): "#timeline",
                                   str(CKG.victim): "#timeline", str(CKG.claimedBy): "#claims-made"})
    rows = scan(  # every attack the actor took part in: grows with the store
        f"""SELECT ?attack ?role ?d ?k WHERE {{
  {{ SELECT DISTINCT ?attack ?role WHERE {{ VALUES ?role {{ ckg:perpetrator ckg:target ckg:victim }} ?attack ?role {ref} }}
     LIMIT {3 * MAX_LISTED} }}
  OPTIONAL {{ ?attack ckg:date ?d }} OPTIONAL {{ ?attack ckg:killed ?k }}
}}"""
    )
    by_attack: dict[str, list[dict]] = {}
    for row in sorted(dated(rows, ("attack", "role")).values(),  # by date; ties by attack and role, so the page is always the same
                      key=lambda row: (row["date"] is None, term_order(row["date"]), row["attack"].value, row["role"].value)):
        by_attack.setdefault(row["attack"].value, []).append(row)
    shown, paged = page_of(list(by_attack.values()), "page")
    items = {rows[0]["attack"].value: TimelineItem(
        attack=named(rows[0]["attack"]),
        roles=[local_name(row["role"].value) for row in rows],
        date=rows[0]["date"].value if rows[0]["date"] is not None else None,
        places=[],
        killed=number(rows[0]["killed"]),
    ) for rows in shown}
    for attack, places in linked(list(items), "ckg:location", ordered=False).items():
        items[attack].places.extend(places)
    claims, claims_paging = claims_made(ref)
    view = ActorView(entity=entity, timeline=list(items.values()), axis=None, claims=claims, paging=paged,
                     claims_paging=claims_paging)

    def arrange() -> None:
        view.axis = timeline_axis([(i.date, i.attack.text, i.attack.href, i.roles[0]) for i in view.timeline if i.date])

    later(arrange)
    resolve_names()
    return view


def claims_made(ref: str) -> tuple[list[tuple[Value, list[Value], int | float | None]], Paging]:
    """The page of the actor's claims that ``claims_page`` asks for, by the date of what they are
    about (undated last), with the attacks they are about and their tolls: two queries."""
    rows = scan(  # every claim the actor made: grows with the store
        f"""SELECT ?claim ?k ?d WHERE {{
  {{ SELECT DISTINCT ?claim WHERE {{ ?claim ckg:claimedBy {ref} }} LIMIT {MAX_LISTED + 1} }}
  OPTIONAL {{ ?claim ckg:killed ?k }} OPTIONAL {{ ?claim ckg:about/ckg:date ?d }}
}}"""
    )
    listed = sorted(dated(rows, ("claim",)).values(),
                    key=lambda row: (row["date"] is None, term_order(row["date"]), row["claim"].value))
    shown, paged = page_of(listed, "claims_page")
    about = linked([row["claim"].value for row in shown], "ckg:about")
    return [(named(row["claim"]), about.get(row["claim"].value, []), number(row["killed"])) for row in shown], paged
