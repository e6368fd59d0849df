"""Ontology terms the extractor writes beyond the contract terms of :class:`kg.vocab.CKG`.

TODO: switch to ``kg.vocab.CKG`` once the ontology branch that adds these terms is merged; this is
the one place that names them.
"""
from __future__ import annotations

from rdflib import Namespace

from kg.vocab import CKG_NS

CKGX = Namespace(CKG_NS)

confidence = CKGX.confidence  # xsd:decimal in [0, 1]; see kg.extract.model for the scale
unnamed = CKGX.unnamed
memberOf = CKGX.memberOf
country = CKGX.country
basedIn = CKGX.basedIn
operatedBy = CKGX.operatedBy
population = CKGX.population
geonamesId = CKGX.geonamesId
wikidataId = CKGX.wikidataId
statement = CKGX.statement
destroyed = CKGX.destroyed
damaged = CKGX.damaged
EquipmentLoss = CKGX.EquipmentLoss
equipment = CKGX.equipment
count = CKGX["count"]  # Namespace is a str: .count is str.count
inferredProperty = CKGX.inferredProperty

ATTACK_CLASSES = {
    "Shooting": CKGX.Shooting,
    "Raid": CKGX.Raid,
    "Ambush": CKGX.Ambush,
}
