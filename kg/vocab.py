"""The ``ckg:`` vocabulary as a closed namespace: a misspelt term is an ``AttributeError``.

Generated from ``ontology/ckg.ttl`` by ``python -m kg.vocab``; a test checks the two agree.

>>> CKG.Attack
rdflib.term.URIRef('https://w3id.org/ckg/ontology#Attack')
>>> CKG.Atack  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
AttributeError: term 'Atack' not in namespace 'https://w3id.org/ckg/ontology#'
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/ckg/ontology"
CKG_NS = ONTOLOGY_IRI + "#"
ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "ckg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("https://schema.org/")
GN = Namespace("https://www.geonames.org/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")


# BEGIN GENERATED TERMS
class CKG(DefinedNamespace):
    """Terms of the conflict knowledge-graph ontology."""

    _fail = True
    _NS = Namespace(CKG_NS)

    # classes
    Article: URIRef
    Actor: URIRef
    Person: URIRef
    Organization: URIRef
    ArmedGroup: URIRef
    StateActor: URIRef
    Attack: URIRef
    Airstrike: URIRef
    MissileStrike: URIRef
    Shelling: URIRef
    Bombing: URIRef
    Execution: URIRef
    ChemicalAttack: URIRef
    ArmedClash: URIRef
    Place: URIRef
    Country: URIRef
    Region: URIRef
    City: URIRef
    Facility: URIRef
    Claim: URIRef
    Mention: URIRef
    # properties
    perpetrator: URIRef
    target: URIRef
    victim: URIRef
    location: URIRef
    locatedIn: URIRef
    date: URIRef
    killed: URIRef
    injured: URIRef
    claimedBy: URIRef
    about: URIRef
    evidence: URIRef
    text: URIRef
    startOffset: URIRef
    endOffset: URIRef
    inArticle: URIRef
# END GENERATED TERMS
