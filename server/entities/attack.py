"""The attack page: the attack's facts, and every claim and article report about it side by side.

A fixed number of queries whatever the number of claims: the generic page's, the claims with their
figures (one query), their sources (one, claims' ``ckg:claimedBy`` and reports' articles together),
their sentences (one), what contains the attack's places (one), and the page's names.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.vocab import CKG
from server.entities.common import (
    MAX_LIST,
    Evidence,
    evidence_of,
    named,
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
    claims: list[ClaimView]


def attack_view(iri: str) -> AttackView:
    """The page of one attack, names resolved."""
    view = gather_attack(iri)
    resolve_names()
    return view


def gather_attack(iri: str) -> AttackView:
    """The attack page's data, its names left to the page's batch (a claim page shows several)."""
    entity = describe(iri)
    located = [place for place in entity.all(str(CKG.location)) if place.iri]
    within = ancestors_of([place.iri for place in located])
    killed = entity.all(str(CKG.killed))
    view = AttackView(
        entity=entity,
        perpetrators=entity.all(str(CKG.perpetrator)),
        targets=entity.all(str(CKG.target)),
        victims=entity.all(str(CKG.victim)),
        places=[(place, within.get(place.iri, [])) for place in located],
        dates=entity.all(str(CKG.date)),
        killed=killed,
        injured=entity.all(str(CKG.injured)),
        claims=claims_about(iri),
    )
    mark_disagreement(view.claims, [v.text for v in killed])
    return view


def claims_about(attack: str) -> list[ClaimView]:
    """Every claim about an attack with its sources, figures, statement and sentences, and every
    article's own report on it (its figures, sourced to the article), reports first: two queries and
    the sentences' (:func:`evidence_of`). Plain lookups: grouping and ordering are done here, where
    they cost less than in the engine; what the claims' titles are made of is noted on the way
    (:func:`title_facts`), so they need no query of their own."""
    rows = select(
        f"""SELECT ?claim ?k ?i ?st ?r WHERE {{ {{ SELECT DISTINCT ?claim WHERE {{ ?claim ckg:about {iri_ref(attack)} }} LIMIT {MAX_LIST} }}
  OPTIONAL {{ ?claim ckg:killed ?k }} OPTIONAL {{ ?claim ckg:injured ?i }} OPTIONAL {{ ?claim ckg:statement ?st }}
  OPTIONAL {{ ?claim a ckg:Report BIND(true AS ?r) }}
}}"""
    )
    if not rows:
        return []
    claims = _grouped_claims(rows)
    iris = list(claims)
    reports = [iri for iri in iris if claims[iri]["report"]]
    claimed_by, articles = claim_sources(iris, reports)
    sentences = evidence_of(iris)
    views = []
    for iri, claim in claims.items():
        title_facts(iri, who=claimed_by.get(iri, []), reporter=articles.get(iri, []), killed=claim["killed"])
        sources = articles.get(iri, []) if claim["report"] else claimed_by.get(iri, [])
        views.append(ClaimView(
            claim=named(claim["claim"]),
            sources=[named(term) for term in sources[:MAX_LIST]],
            killed=number(max(claim["killed"], key=term_order)) if claim["killed"] else None,
            injured=number(max(claim["injured"], key=term_order)) if claim["injured"] else None,
            statement=claim["statement"],
            evidence=sentences.get(iri, []),
            report=claim["report"],
        ))
    return views


def _grouped_claims(rows: list[dict]) -> dict[str, dict]:
    """One entry per claim of the claims query's rows: its figures, a statement, whether it is a
    report; reports first, then by IRI."""
    claims: dict[str, dict] = {}
    for row in rows:
        claim = claims.setdefault(row["claim"].value, {"claim": row["claim"], "killed": [], "injured": [], "statement": None,
                                                       "report": False})
        for name, var in (("killed", "k"), ("injured", "i")):
            if row[var] is not None:
                claim[name].append(row[var])
        if claim["statement"] is None and row["st"] is not None:
            claim["statement"] = row["st"].value
        claim["report"] = claim["report"] or row["r"] is not None
    return dict(sorted(claims.items(), key=lambda item: (not item[1]["report"], item[0])))


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
