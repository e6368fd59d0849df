"""The SPARQL readers the sample tests rely on, checked on a handcrafted store, so a failing sample
test means a missing fact, not broken test plumbing."""
import pytest

import kgtest
from kg.store import open_store

TEXT = "Syrian jets struck Raqqa on Saturday, killing 25, the SOHR said."
X = "http://x.test/id/"
TTL = f"""
@prefix ckg: <https://w3id.org/ckg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{X}article/a> a ckg:Article ; ckg:text "{TEXT}" ; dcterms:source <https://news.test/a> ; dcterms:title "T" .
<{X}attack/1> a ckg:Airstrike ; ckg:date "2014-09-06"^^xsd:date ; ckg:killed "25"^^xsd:nonNegativeInteger ;
    ckg:perpetrator <{X}actor/syria-forces> ; ckg:location <{X}place/raqqa> ; ckg:evidence <{X}mention/1> .
<{X}mention/1> a ckg:Mention ; ckg:inArticle <{X}article/a> ; ckg:startOffset 0 ; ckg:endOffset 36 ;
    ckg:text "Syrian jets struck Raqqa on Saturday" .
<{X}actor/syria-forces> a ckg:StateActor ; rdfs:label "Syrian government forces" ; skos:altLabel "Syrian jets" .
<{X}actor/sohr> a ckg:Organization ; rdfs:label "Syrian Observatory for Human Rights" ; skos:altLabel "SOHR" ;
    ckg:evidence <{X}mention/3> .
<{X}place/raqqa> a ckg:City ; rdfs:label "Raqqa" ; geo:lat 35.95 ; geo:long 39.01 ; ckg:locatedIn <{X}place/raqqa-province> .
<{X}place/raqqa-province> a ckg:Region ; rdfs:label "Raqqa Governorate" ; ckg:locatedIn <{X}place/syria> .
<{X}place/syria> a ckg:Country ; rdfs:label "Syria" .
<{X}claim/1> a ckg:Claim ; ckg:claimedBy <{X}actor/sohr> ; ckg:about <{X}attack/1> ; ckg:killed 25 ;
    ckg:evidence <{X}mention/2> .
<{X}mention/2> a ckg:Mention ; ckg:inArticle <{X}article/a> ; ckg:startOffset 50 ; ckg:endOffset 58 ; ckg:text "SOHR sai" .
<{X}article/a> ckg:inferredProperty dcterms:issued .
<{X}actor/commander> a ckg:Person ; rdfs:label "an IS commander" ; ckg:unnamed true ; ckg:memberOf <{X}actor/is> .
<{X}actor/is> a ckg:ArmedGroup ; rdfs:label "Islamic State" .
<{X}claim/1> ckg:destroyed [ ckg:equipment "Humvee" ; ckg:count 4 ], [ ckg:equipment "truck" ] .
<{X}mention/3> a ckg:Mention ; ckg:inArticle <{X}article/a> ; ckg:startOffset 54 ; ckg:endOffset 58 ; ckg:text "SOHR" .
"""
ONTOLOGY = """
@prefix ckg: <https://w3id.org/ckg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ckg:Airstrike rdfs:subClassOf ckg:Attack . ckg:StateActor rdfs:subClassOf ckg:Actor .
ckg:Organization rdfs:subClassOf ckg:Actor . ckg:City rdfs:subClassOf ckg:Place .
ckg:Region rdfs:subClassOf ckg:Place . ckg:Country rdfs:subClassOf ckg:Place .
"""


def ntriples(turtle: str) -> bytes:
    import rdflib

    return rdflib.Graph().parse(data=turtle, format="turtle").serialize(format="nt", encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with open_store(str(tmp_path_factory.mktemp("kgtest") / "store")) as opened:
        opened.put_graph("http://x.test/graph/a", ntriples(TTL))
        opened.put_graph("https://w3id.org/ckg/ontology", ntriples(ONTOLOGY))
        yield opened


def test_article_is_found_by_its_source_and_has_its_metadata(store, tmp_path):
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "a.json").write_text('{"url": "https://news.test/a"}')
    node = kgtest.article_node(store, tmp_path / "a.txt")
    assert node == f"{X}article/a"
    assert kgtest.article_meta(store, node) == {"source": {"https://news.test/a"}, "title": {"T"}}
    assert kgtest.article_text(store, node) == TEXT


def test_attack_record_has_types_figures_roles_and_places_with_containers(store):
    [attack] = kgtest.attacks(store, f"{X}article/a")
    assert attack.types == {"Airstrike", "Attack"}
    assert attack.dates == {"2014-09-06"} and attack.killed == {25}
    [forces] = attack.perpetrators
    assert forces.named("syrian government") and "Actor" in forces.types and "Syrian jets" in forces.raw_labels
    [raqqa] = attack.locations
    assert raqqa.near(35.95, 39.01, 0.01) and raqqa.within_country("syria") and not raqqa.within_country("iraq")
    assert attack.at(lambda p: p.named("raqqa governorate"))


def test_claim_record_has_its_source_subject_and_figures(store):
    [claim] = kgtest.claims(store, f"{X}article/a")
    assert claim.by("sohr") and not claim.by("islamic state")
    assert claim.about == {f"{X}attack/1"} and claim.killed == {25}


def test_actors_and_places_are_those_with_evidence_in_the_article(store):
    assert [a.iri for a in kgtest.actors(store, f"{X}article/a")] == [f"{X}actor/sohr"]
    assert kgtest.places(store, f"{X}article/a") == []
    assert {p.iri for p in kgtest.places(store)} == {f"{X}place/raqqa", f"{X}place/raqqa-province", f"{X}place/syria"}


def test_evidence_problems_catch_text_that_is_not_at_its_offsets(store):
    [attack] = kgtest.attacks(store, f"{X}article/a")
    [claim] = kgtest.claims(store, f"{X}article/a")
    article = f"{X}article/a"
    assert kgtest.evidence_problems(attack.iri, attack.evidence, article, TEXT) == []
    [problem] = kgtest.evidence_problems(claim.iri, claim.evidence, article, TEXT)
    assert "'SOHR sai' != article text" in problem
    assert kgtest.evidence_problems(attack.iri, attack.evidence, "http://elsewhere", TEXT) == [f"{attack.iri}: no ckg:evidence in the article"]


def test_other_public_properties_are_read(store):
    commander, claim = f"{X}actor/commander", f"{X}claim/1"
    [group] = kgtest.related(store, commander, "ckg:memberOf")
    assert group.named("islamic state") and "ArmedGroup" in group.types
    assert kgtest.is_unnamed(store, kgtest.Entity(commander)) and not kgtest.is_unnamed(store, group)
    assert kgtest.equipment_losses(store, claim) == {"humvee": {4}, "truck": {None}}
    assert kgtest.equipment_losses(store, claim, "ckg:damaged") == {}
    assert kgtest.inferred_properties(store, f"{X}article/a") == {"issued"}
    assert [p.iri for p in kgtest.related(store, f"{X}place/raqqa", "ckg:locatedIn+")] == [f"{X}place/raqqa-province", f"{X}place/syria"]
