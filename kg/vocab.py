"""The ``ckg:`` vocabulary as a closed namespace: a misspelt term is an ``AttributeError``.

Generated from ``ontology/ckg.ttl`` by ``python -m kg.vocab``; a test checks the two agree.

>>> CKG.Attack
rdflib.term.URIRef('https://w3id.org/ckg/ontology#Attack')
>>> CKG.Atack  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
AttributeError: term 'Atack' not in namespace 'https://w3id.org/ckg/ontology#'
"""
from __future__ import annotations

import re
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/ckg/ontology"
CKG_NS = ONTOLOGY_IRI + "#"
ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "ckg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")  # rdflib's WGS has https, not the IRIs the W3C publishes
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
WD = Namespace("http://www.wikidata.org/entity/")


# BEGIN GENERATED TERMS
class CKG(DefinedNamespace):
    """Terms of the conflict knowledge-graph ontology (generated from ontology/ckg.ttl)."""

    _fail = True
    _NS = Namespace(CKG_NS)

    # classes
    Actor: URIRef  # A person, group, organisation or state that takes part in a conflict event: carries out an attack, is hit by one, or makes a claim about one. rdfs:label holds its preferred name, skos:altLabel every other name a text used for it.
    Airstrike: URIRef  # An attack from aircraft or drones: bombs, guided munitions or missiles fired from the air, including barrel bombs.
    Ambush: URIRef  # A surprise attack from concealed positions on a moving or temporarily stopped target such as a convoy or patrol.
    ArmedClash: URIRef  # Fighting between two or more armed actors, each using force against the other.
    ArmedGroup: URIRef  # A non-state organisation that uses armed force: an insurgent, militant, rebel, militia or terrorist group (e.g. Islamic State).
    Article: URIRef  # A news article or report the knowledge graph was built from.
    Attack: URIRef  # A violent event in which an actor uses force against people, groups or property: a strike, bombing, shelling, execution, clash and the like.
    Bombing: URIRef  # An attack with explosives placed or carried on the ground: car bombs, suicide bombings, improvised explosive devices.
    ChemicalAttack: URIRef  # An attack with chemical weapons such as sarin, chlorine or mustard gas.
    City: URIRef  # A city, town, village or other populated place (e.g. Raqqa).
    Claim: URIRef  # A statement attributed to a source (ckg:claimedBy) about an attack, an actor or another claim (ckg:about), such as a casualty figure or an accusation.
    Country: URIRef  # A sovereign state or a country-level territory (e.g. Syria, Iraq, Lebanon).
    EquipmentLoss: URIRef  # Military equipment or vehicles of one kind destroyed or damaged in an attack, e.g. four Humvees: ckg:equipment names the kind, ckg:count gives the number when the text states one.
    Execution: URIRef  # The deliberate killing of a captive or prisoner, including beheadings.
    Facility: URIRef  # A single site or building: a camp, base, bakery, hospital, school, court, office, checkpoint.
    Mention: URIRef  # A span of an article's text that is the evidence for an extracted fact: ckg:text is exactly the characters from ckg:startOffset up to (not including) ckg:endOffset of the ckg:text of the article given by ckg:inArticle.
    MissileStrike: URIRef  # An attack with missiles or rockets fired at a target.
    Organization: URIRef  # An organised group of people acting together: a monitoring group, a news agency, a party, a military command, an armed group.
    Person: URIRef  # An individual human being, named or not (e.g. Bashar al-Assad, an unnamed commander).
    Place: URIRef  # A geographical place: a country, a region, a city or town, or a single site or facility.
    Raid: URIRef  # A sudden incursion by armed forces into a place to attack, capture or destroy, followed by withdrawal.
    Region: URIRef  # An area larger than a town and smaller or other than a country: a province, governorate, district, or a loosely bounded area such as northern Iraq.
    Report: URIRef  # An article's own, unattributed account of an attack (ckg:about): the figures it states in its own voice (ckg:killed, ckg:injured), with the sentences stating them as ckg:evidence.
    Shelling: URIRef  # An attack with artillery, mortars or tank fire.
    Shooting: URIRef  # An attack with firearms on people, such as gunmen opening fire on a crowd or sniper fire.
    StateActor: URIRef  # A state or an actor acting for one: a government, its armed forces, police or security services (e.g. Syrian government forces, the United States).

    # object properties
    about: URIRef  # What the claim is about: usually an attack, sometimes an actor or another claim; for a report, the attack it gives an account of.
    basedIn: URIRef  # Where the actor is based or headquartered (the Syrian Observatory for Human Rights → Britain).
    claimedBy: URIRef  # The actor the claim is attributed to (a monitoring group, a military command, a spokesman, unnamed accusers).
    country: URIRef  # The country the actor belongs to or acts for (Syrian government forces → Syria).
    damaged: URIRef  # Equipment the attack damaged without destroying it, one ckg:EquipmentLoss per kind of equipment.
    destroyed: URIRef  # Equipment the attack destroyed (on an attack, or on a claim that states it), one ckg:EquipmentLoss per kind of equipment.
    evidence: URIRef  # A span of article text from which this fact (attack, actor, place, claim, equipment loss) was extracted.
    inArticle: URIRef  # The article whose text the mention is a span of.
    locatedIn: URIRef  # The place lies within the other place (a city in a province, a province in a country).
    location: URIRef  # A place where the attack happened, as precisely as the text says (a facility, a city, a region); the wider places follow through ckg:locatedIn.
    memberOf: URIRef  # The actor belongs to or is part of the other actor: a commander of an armed group, a command of an army, a unit of a government's forces.
    operatedBy: URIRef  # The actor that runs, controls or uses the place or facility (a bakery run by Islamic State).
    perpetrator: URIRef  # An actor who carried out the attack.
    target: URIRef  # Who or what the attack was aimed at: an actor (an armed group, a government), or a place or facility (a camp, a bakery) when the text names one.
    victim: URIRef  # An actor killed, injured or otherwise harmed by the attack: a person, or a group such as civilians or soldiers.

    # datatype properties
    confidence: URIRef  # How sure the extractor is of this node and its facts, an xsd:decimal from 0 (a guess) to 1 (certain).
    count: URIRef  # How many items of that equipment were lost, as an xsd:nonNegativeInteger; absent when the text gives no number.
    date: URIRef  # When the attack happened (or, on a claim, when the claim was made): the calendar day as an xsd:date; when the text gives only the month or the year, an xsd:gYearMonth or xsd:gYear ("2013"), together with ckg:dateEarliest and ckg:dateLatest as xsd:date so that date-range queries still find it.
    dateEarliest: URIRef  # For a vaguely dated attack ("last week", "in 2013"), the earliest day it can have happened, as an xsd:date (2013-01-01 for "in 2013").
    dateLatest: URIRef  # For a vaguely dated attack, the latest day it can have happened, as an xsd:date (2013-12-31 for "in 2013").
    endOffset: URIRef  # Where the mention ends in its article's ckg:text: the offset of the first character after it, counted in Unicode characters from 0, so it is greater than ckg:startOffset.
    equipment: URIRef  # The kind of equipment lost, in the words of the text, singular (e.g. "Humvee", "armoured personnel carrier", "truck").
    geonamesId: URIRef  # The place's GeoNames identifier, digits only, as a string ("172955" for Raqqa, "163843" for Syria); the GeoNames page is https://www.geonames.org/ followed by it.
    injured: URIRef  # The number of people injured, as an xsd:nonNegativeInteger; on an attack, a claim or a report, like ckg:killed.
    killed: URIRef  # The number of people killed, as an xsd:nonNegativeInteger.
    pendingWrite: URIRef  # On the derived graph <graph/derived>: a write to the article graphs that its figures do not follow yet, as a string naming it ("ingest 2026-12-03T18:30:00Z 1f3a…", "update 2026-12-03T18:31:02Z …").
    population: URIRef  # The number of inhabitants of the place, as given by the text or a gazetteer, an xsd:nonNegativeInteger.
    startOffset: URIRef  # Where the mention starts in its article's ckg:text, counted in Unicode characters from 0.
    statement: URIRef  # What the source claims, as a sentence of plain text (usually the sentence of the article reporting it); the exact span is the claim's ckg:evidence.
    text: URIRef  # The plain text of an article (the whole text that mention offsets count into), or the exact characters a mention spans.
    unnamed: URIRef  # True for an actor the text does not name ("an IS commander", "activists", unnamed accusers); its rdfs:label is then a description, not a name.
    wikidataId: URIRef  # The Wikidata item identifier of the actor or place, as a string ("Q858" for Syria); the item is http://www.wikidata.org/entity/ followed by it.

    # annotation properties
    inferredProperty: URIRef  # Names an article metadata property (dcterms:issued, dcterms:creator, dcterms:publisher, dcterms:title or dcterms:language) whose value on this article was inferred from the text rather than given by the source's metadata, e.g. a publication date read from an embedded tweet.
# END GENERATED TERMS


_BEGIN, _END = "# BEGIN GENERATED TERMS\n", "# END GENERATED TERMS\n"
_SENTENCE_END = re.compile(r"(?<=[^.][^.]\.)(?<!e\.g\.)(?<!i\.e\.)\s+(?=[A-Z]|ckg:)")
_KINDS = (("classes", "Class"), ("object properties", "ObjectProperty"),
          ("datatype properties", "DatatypeProperty"), ("annotation properties", "AnnotationProperty"))


def declared_terms(ontology_file: Path = ONTOLOGY_FILE) -> dict[str, list[tuple[str, str]]]:
    """The ``ckg:`` terms the Turtle declares, by kind, each as (local name, definition), sorted.

    >>> dict(declared_terms()["classes"])["Mention"][:29]
    "A span of an article's text t"
    """
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    graph = Graph().parse(ontology_file, format="turtle")
    terms = {}
    for heading, kind in _KINDS:
        names = (s for s in graph.subjects(RDF.type, OWL[kind]) if str(s).startswith(CKG_NS))
        terms[heading] = sorted(
            (str(s)[len(CKG_NS):], str(graph.value(s, SKOS.definition) or graph.value(s, RDFS.comment) or ""))
            for s in names
        )
    return terms


def generated_class(ontology_file: Path = ONTOLOGY_FILE) -> str:
    """Python source of the :class:`CKG` namespace for the terms in ``ontology_file``."""
    lines = [
        _BEGIN.rstrip("\n"),
        "class CKG(DefinedNamespace):",
        '    """Terms of the conflict knowledge-graph ontology (generated from ontology/ckg.ttl)."""',
        "",
        "    _fail = True",
        "    _NS = Namespace(CKG_NS)",
    ]
    for heading, terms in declared_terms(ontology_file).items():
        if terms:
            lines.append(f"\n    # {heading}")
            lines += [f"    {name}: URIRef  # {_first_sentence(text)}" for name, text in terms]
    return "\n".join(lines) + "\n" + _END


def _first_sentence(text: str) -> str:
    """
    >>> _first_sentence("An attack by air (e.g. a drone). Includes drones.")
    'An attack by air (e.g. a drone).'
    """
    return _SENTENCE_END.split(" ".join(text.split()), 1)[0]


def regenerate(module_file: Path = Path(__file__), ontology_file: Path = ONTOLOGY_FILE) -> bool:
    """Rewrite the generated part of this module from the Turtle; True if it changed."""
    source = module_file.read_text(encoding="utf-8")
    head, rest = source.split(_BEGIN, 1)
    _, tail = rest.split(_END, 1)
    updated = head + generated_class(ontology_file) + tail
    if updated != source:
        module_file.write_text(updated, encoding="utf-8")
    return updated != source


if __name__ == "__main__":
    changed = regenerate()
    print(f"{'regenerated' if changed else 'unchanged'}: class CKG in {Path(__file__).name}")
