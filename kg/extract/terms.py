"""Ontology terms the extractor writes beyond the first contract terms, in one place.

They all live in :class:`kg.vocab.CKG` now; this module keeps the names the writer uses.
"""
from __future__ import annotations

from kg.vocab import CKG

confidence = CKG.confidence  # xsd:decimal in [0, 1]; see kg.extract.model for the scale
unnamed = CKG.unnamed
memberOf = CKG.memberOf
country = CKG.country
basedIn = CKG.basedIn
operatedBy = CKG.operatedBy
population = CKG.population
geonamesId = CKG.geonamesId
wikidataId = CKG.wikidataId
statement = CKG.statement
destroyed = CKG.destroyed
damaged = CKG.damaged
EquipmentLoss = CKG.EquipmentLoss
equipment = CKG.equipment
count = CKG["count"]  # a DefinedNamespace is a str: attribute access would give str.count
inferredProperty = CKG.inferredProperty

ATTACK_CLASSES = {"Shooting": CKG.Shooting, "Raid": CKG.Raid, "Ambush": CKG.Ambush}
