"""The ontology file: parses, declares and documents every term, matches kg.vocab, and reasons."""
from __future__ import annotations

import shutil

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg import vocab
from kg.validate import _reason, ontology_graph
from kg.vocab import CKG, CKG_NS, ONTOLOGY_FILE, ONTOLOGY_IRI, SHAPES_FILE

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")

CONTRACT_CLASSES = """Article Actor Person Organization ArmedGroup StateActor Attack Airstrike MissileStrike
    Shelling Bombing Execution ChemicalAttack ArmedClash Place Country Region City Facility Claim Mention""".split()
CONTRACT_PROPERTIES = """perpetrator target victim location locatedIn date killed injured claimedBy about
    evidence text startOffset endOffset inArticle""".split()
EXTRACTOR_TERMS = """confidence inferredProperty unnamed memberOf country basedIn operatedBy population geonamesId
    wikidataId destroyed damaged EquipmentLoss equipment count statement dateEarliest dateLatest Shooting Raid
    Ambush""".split()
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def declared(onto: Graph) -> set[URIRef]:
    return {s for t in DECLARATION_TYPES for s in onto.subjects(RDF.type, t) if str(s).startswith(CKG_NS)}


def test_ontology_header_has_iri_and_version(onto):
    header = URIRef(ONTOLOGY_IRI)
    assert (header, RDF.type, OWL.Ontology) in onto
    assert onto.value(header, OWL.versionInfo) is not None


def test_public_contract_and_extractor_terms_are_declared(onto):
    names = {str(term)[len(CKG_NS):] for term in declared(onto)}
    assert set(CONTRACT_CLASSES + CONTRACT_PROPERTIES + EXTRACTOR_TERMS) <= names


def test_every_ckg_iri_used_in_the_turtle_is_declared(onto):
    used = {t for triple in onto for t in triple if isinstance(t, URIRef) and str(t).startswith(CKG_NS)}
    assert used - declared(onto) == set()


@pytest.mark.parametrize("kind", DECLARATION_TYPES)
def test_every_term_has_an_english_label_and_a_definition(onto, kind):
    for term in (s for s in onto.subjects(RDF.type, kind) if str(s).startswith(CKG_NS)):
        label = onto.value(term, RDFS.label)
        definition = onto.value(term, SKOS.definition)
        assert isinstance(label, Literal) and label.language == "en", term
        assert definition is not None and len(definition) > 20, term


def test_shapes_use_only_declared_terms_and_every_targeted_shape_explains_itself(onto):
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(CKG_NS)}
    assert used - declared(onto) == set()
    targeted = set(shapes.subjects(SH.targetClass, None)) | set(shapes.subjects(SH.targetSubjectsOf, None))
    assert len(targeted) >= 9
    for shape in targeted:
        for part in shapes.objects(shape, SH.property):
            assert shapes.value(part, SH.message), f"{shape} {shapes.value(part, SH.path)} has no sh:message"
        if shapes.value(shape, SH["or"]) is not None:
            assert shapes.value(shape, SH.message), shape


def test_vocab_class_equals_the_turtle(onto):
    in_python = {str(CKG[name]) for name in CKG.__annotations__}
    assert in_python == {str(term) for term in declared(onto)}


def test_closed_namespace_rejects_a_typo():
    with pytest.raises(AttributeError):
        CKG.Atack  # noqa: B018


def test_generated_code_in_vocab_is_current_and_regeneration_is_stable(tmp_path):
    module = tmp_path / "vocab.py"
    module.write_text(open(vocab.__file__, encoding="utf-8").read(), encoding="utf-8")
    assert vocab.regenerate(module) is False
    assert vocab.generated_class() in module.read_text(encoding="utf-8")


def test_regeneration_picks_up_a_new_term(tmp_path):
    turtle = tmp_path / "ckg.ttl"
    turtle.write_text(ONTOLOGY_FILE.read_text(encoding="utf-8") + """
ckg:Kidnapping a owl:Class ; rdfs:subClassOf ckg:Attack ;
    rdfs:label "kidnapping"@en ; skos:definition "Seizing people by force. Test only."@en .
""", encoding="utf-8")
    module = tmp_path / "vocab.py"
    module.write_text(open(vocab.__file__, encoding="utf-8").read(), encoding="utf-8")
    assert vocab.regenerate(module, turtle) is True
    assert "    Kidnapping: URIRef  # Seizing people by force.\n" in module.read_text(encoding="utf-8")
    assert vocab.regenerate(module, turtle) is False


def test_top_classes_are_pairwise_disjoint(onto):
    groups = [set(Collection(onto, onto.value(g, OWL.members))) for g in onto.subjects(RDF.type, OWL.AllDisjointClasses)]
    top = {CKG.Article, CKG.Actor, CKG.Place, CKG.Attack, CKG.Claim, CKG.Mention}
    assert any(top <= group for group in groups)


def test_aligned_to_standard_vocabularies_by_subclass_and_subproperty(onto):
    sem = "http://semanticweb.cs.vu.nl/2009/11/sem/"
    assert (CKG.Attack, RDFS.subClassOf, URIRef(sem + "Event")) in onto
    assert (CKG.Place, RDFS.subClassOf, URIRef("http://www.geonames.org/ontology#Feature")) in onto
    assert (CKG.claimedBy, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/prov#wasAttributedTo")) in onto
    assert (CKG.Person, RDFS.subClassOf, URIRef("https://schema.org/Person")) in onto
    assert not list(onto.objects(None, OWL.imports)), "imports would need the network"


def test_located_in_chain_is_followed_by_a_property_path(onto):
    facility, city, country = (URIRef(f"http://x/id/place/{n}") for n in ("camp", "raqqa", "syria"))
    data = Graph()
    data += [(facility, CKG.locatedIn, city), (city, CKG.locatedIn, country)]
    found = data.query("SELECT ?p WHERE { ?f ckg:locatedIn+ ?p }", initNs={"ckg": CKG_NS}, initBindings={"f": facility})
    assert {row.p for row in found} == {city, country}
    assert (CKG.locatedIn, RDF.type, OWL.TransitiveProperty) in onto


@needs_java
def test_hermit_finds_the_ontology_consistent():
    _reason(ontology_graph(), timeout=60)  # raises OwlReadyInconsistentOntologyError if not


@needs_java
def test_hermit_derives_located_in_transitively():
    """A facility in a city in Syria, declared *not* to be in Syria, is contradictory only through transitivity."""
    import owlready2

    facility, city, country = (URIRef(f"http://x/id/place/{n}") for n in ("camp", "raqqa", "syria"))
    data = Graph()
    data += [(facility, RDF.type, CKG.Facility), (city, RDF.type, CKG.City), (country, RDF.type, CKG.Country),
             (facility, CKG.locatedIn, city), (city, CKG.locatedIn, country)]
    in_syria, not_in_syria = BNode(), BNode()
    data += [(in_syria, RDF.type, OWL.Restriction), (in_syria, OWL.onProperty, CKG.locatedIn),
             (in_syria, OWL.hasValue, country), (not_in_syria, RDF.type, OWL.Class),
             (not_in_syria, OWL.complementOf, in_syria), (facility, RDF.type, not_in_syria)]
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(ontology_graph() + data, timeout=60)
