"""The claim page: the claim, and each attack it is about (up to five) with the first page of the
claims about it, this claim first (the attack's page has them all).

Queries: the generic page's, each attack's (a fixed number each, see :mod:`server.entities.attack`),
and the names of everything on the page in one batch.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.vocab import CKG
from server.entities.attack import AttackView, gather_attack
from server.entities.common import resolve_names
from server.entities.generic import EntityView, describe

MAX_ATTACKS = 5


@dataclass
class ClaimPage:
    entity: EntityView
    about: list[AttackView]


def claim_view(iri: str) -> ClaimPage:
    entity = describe(iri)
    about = [gather_attack(v.iri, first=iri) for v in entity.all(str(CKG.about))[:MAX_ATTACKS] if v.kind == "attack"]
    resolve_names()
    return ClaimPage(entity, about)
