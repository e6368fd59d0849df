"""The attack page: the attack's facts, and every claim and article report about it side by side.

A fixed number of queries whatever the number of claims: the generic page's, every claim and report
with its death toll (one query: they are counted, ordered and paged here, and their tolls compared),
then for the page's :data:`~server.entities.common.CARDS_PAGE_SIZE` claims only their statements (one),
sources (one, claims' ``ckg:claimedBy`` and reports' articles together) and sentences (two), what
contains the attack's places (one), and the page's names.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.vocab import CKG
from server.entities import common
from server.entities.common import (
    MAX_LIST,
    MAX_LISTED,
    Evidence,
    Paging,
    evidence_of,
    named,
    paging,
    resolve_names,
    select,
    term_order,
    title_facts,
    values_block,
)
from server.entities.generic import EntityView, describe
from server.render import Value, iri_ref, number


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
    claims: list[ClaimView]  # one page of them, reports first
    paging: Paging  # of the claims and reports
    claim_count: int = 0  # claims about the attack (not reports), on every page
    report_count: int = 0
    disagree: bool = False  # the death tolls of its claims, on any page, and its own differ


def attack_view(iri: str) -> AttackView:
    """The page of one attack, names resolved: the page of its claims the request asks for."""
    view = gather_attack(iri, param="page")
    resolve_names()
    return view


def gather_attack(iri: str, *, param: str | None = None, first: str | None = None) -> AttackView:
    """The attack page's data, its names left to the page's batch: the page of its claims that query
    parameter ``param`` asks for; without one (an attack shown on a claim's page), the first page,
    the claim ``first`` leading it, and the attack's facts without its links and sentences."""
    entity = describe(iri, listed={str(CKG.about): "#claims"}, facts_only=param is None)
    located = [place for place in entity.all(str(CKG.location)) if place.iri]
    within = ancestors_of([place.iri for place in located])
    killed = entity.all(str(CKG.killed))
    listed = list_claims(iri, first=first)
    capped, listed = len(listed) > MAX_LISTED, listed[:MAX_LISTED]
    size = common.CARDS_PAGE_SIZE
    paged = paging(len(listed), param, size, capped=capped) if param else Paging(len(listed), size=size, capped=capped)
    claims = claim_views(paged.of(listed))
    tolls = {number(max(c["killed"], key=term_order)) for c in listed if c["killed"]} - {None}
    stated = {number(ox.Literal(v.text)) for v in killed} - {None}
    mark_disagreement(claims, [v.text for v in killed], tolls)
    reports = sum(1 for c in listed if c["report"])
    return AttackView(
        entity=entity,
        perpetrators=entity.all(str(CKG.perpetrator)),
        targets=entity.all(str(CKG.target)),
        victims=entity.all(str(CKG.victim)),
        places=[(place, within.get(place.iri, [])) for place in located],
        dates=entity.all(str(CKG.date)),
        killed=killed,
        injured=entity.all(str(CKG.injured)),
        claims=claims,
        paging=paged,
        claim_count=len(listed) - reports,
        report_count=reports,
        disagree=len(tolls | stated) > 1,
    )


def list_claims(attack: str, *, first: str | None = None) -> list[dict]:
    """Every claim and report about an attack (at most :data:`MAX_LISTED` and one more, to tell
    that there are more), with its death tolls: reports first, then by IRI, ``first`` before all.
    One query of plain lookups; grouping and ordering are done here, where they cost less."""
    rows = select(
        f"""SELECT ?claim ?k ?r WHERE {{ {{ SELECT DISTINCT ?claim WHERE {{ ?claim ckg:about {iri_ref(attack)} }} LIMIT {MAX_LISTED + 1} }}
  OPTIONAL {{ ?claim ckg:killed ?k }} OPTIONAL {{ ?claim a ckg:Report BIND(true AS ?r) }}
}}"""
    )
    claims: dict[str, dict] = {}
    for row in rows:
        claim = claims.setdefault(row["claim"].value, {"claim": row["claim"], "killed": [], "report": False})
        if row["k"] is not None:
            claim["killed"].append(row["k"])
        claim["report"] = claim["report"] or row["r"] is not None
    return sorted(claims.values(), key=lambda c: (c["claim"].value != first, not c["report"], c["claim"].value))


def claim_views(listed: list[dict]) -> list[ClaimView]:
    """One page of claims (entries of :func:`list_claims`) with their sources, injured, statement and
    sentences: three queries and the sentences' (:func:`evidence_of`). What the claims' titles are
    made of is noted on the way (:func:`title_facts`), so they need no query of their own."""
    if not listed:
        return []
    iris = [claim["claim"].value for claim in listed]
    details: dict[str, dict] = {iri: {"injured": [], "statement": None} for iri in iris}
    for row in select(f"""SELECT ?claim ?i ?st WHERE {{ VALUES ?claim {{ {values_block(iris)} }}
  OPTIONAL {{ ?claim ckg:injured ?i }} OPTIONAL {{ ?claim ckg:statement ?st }} }} LIMIT {MAX_LIST * len(iris)}"""):
        found = details[row["claim"].value]
        if row["i"] is not None:
            found["injured"].append(row["i"])
        if found["statement"] is None and row["st"] is not None:
            found["statement"] = row["st"].value
    claimed_by, articles = claim_sources(iris, [c["claim"].value for c in listed if c["report"]])
    sentences = evidence_of(iris)
    views = []
    for claim in listed:
        iri, extra = claim["claim"].value, details[claim["claim"].value]
        title_facts(iri, who=claimed_by.get(iri, []), reporter=articles.get(iri, []), killed=claim["killed"])
        sources = articles.get(iri, []) if claim["report"] else claimed_by.get(iri, [])
        views.append(ClaimView(
            claim=named(claim["claim"]),
            sources=[named(term) for term in sources[:MAX_LIST]],
            killed=number(max(claim["killed"], key=term_order)) if claim["killed"] else None,
            injured=number(max(extra["injured"], key=term_order)) if extra["injured"] else None,
            statement=extra["statement"],
            evidence=sentences.get(iri, []),
            report=claim["report"],
        ))
    return views


def claim_sources(claims: list[str], reports: list[str]) -> tuple[dict[str, list], dict[str, list]]:
    """Who makes each of ``claims`` (``ckg:claimedBy``), and the articles of each of ``reports`` (its
    evidence's), each in SPARQL's order: one query."""
    parts = [f"{{ VALUES ?x {{ {values_block(claims)} }} ?x ckg:claimedBy ?o BIND(true AS ?by) }}"]
    if reports:
        parts.append(f"{{ VALUES ?x {{ {values_block(reports)} }} ?x ckg:evidence/ckg:inArticle ?o }}")
    found: tuple[dict[str, list], dict[str, list]] = ({}, {})
    for row in select(f"SELECT ?x ?o ?by WHERE {{ {' UNION '.join(parts)} }} LIMIT {MAX_LIST * (len(claims) + len(reports))}"):
        found[row["by"] is None].setdefault(row["x"].value, []).append(row["o"])
    return tuple({iri: sorted(set(terms), key=term_order) for iri, terms in side.items()} for side in found)


def mark_disagreement(claims: list[ClaimView], stated: list[str], tolls=()) -> None:
    """Flag each claim whose death toll differs from another claim's (``tolls`` those of claims on
    other pages) or from the attack's own (``stated``).

    >>> a, b = ClaimView(Value("a"), [], 20, None, None, []), ClaimView(Value("b"), [], 31, None, None, [])
    >>> mark_disagreement([a, b], ["25"]); (a.differs, b.differs)
    (True, True)
    >>> mark_disagreement([a], [], tolls={20, 31}); a.differs
    True
    """
    figures = {c.killed for c in claims if c.killed is not None} | set(tolls)
    figures |= {number(ox.Literal(s)) for s in stated if number(ox.Literal(s)) is not None}
    for claim in claims:
        claim.differs = claim.killed is not None and len(figures) > 1


def ancestors_of(places: list[str]) -> dict[str, list[Value]]:
    """What contains each of ``places``, nearest first, following ckg:locatedIn (one query)."""
    if not places:
        return {}
    rows = select(
        f"SELECT DISTINCT ?x ?y WHERE {{ {{ SELECT DISTINCT ?x WHERE {{ VALUES ?start {{ {values_block(places)} }} "
        f"?start ckg:locatedIn* ?x }} LIMIT {100 * len(places)} }} ?x ckg:locatedIn ?y }} ORDER BY ?x ?y LIMIT {200 * len(places)}"
    )
    parent: dict[str, object] = {}
    for row in rows:
        parent.setdefault(row["x"].value, row["y"])
    found = {}
    for place in places:
        chain, here, seen = [], place, {place}
        while here in parent and parent[here].value not in seen:
            chain.append(named(parent[here]))
            seen.add(parent[here].value)
            here = parent[here].value
        found[place] = chain
    return found
