"""End to end on the seed article: what its expected file says an analyst reads, asked through SPARQL
over the article's RDF graph with the public ontology terms."""
from pathlib import Path

import pytest

from kg.extract import extract
from kg.formats import sparql_prologue
from kg.rdf import to_rdf
from kg.sources import read_inputs

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_91ad30bc2c40ecf8.txt"
PROLOGUE = sparql_prologue() + "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


@pytest.fixture(scope="module")
def seed():
    [article] = list(read_inputs([SEED]))
    return article, to_rdf(article, extract(article))


def ask(graph, query: str) -> bool:
    return bool(graph.query(PROLOGUE + "ASK {" + query + "}").askAnswer)


def rows(graph, query: str) -> list:
    return list(graph.query(PROLOGUE + query))


def test_article_metadata_is_inferred_and_says_so(seed):
    _, g = seed
    assert ask(g, """?a a ckg:Article ; dcterms:title "US and Syrian Airstrikes Hit Islamic State Targets in Iraq and Syria" ;
                     dcterms:issued "2014-09-06"^^xsd:date ; dcterms:creator "Liz Fields" ; dcterms:publisher "VICE News" ;
                     ckg:inferredProperty dcterms:issued""")


@pytest.mark.parametrize("name", ["IS", "Islamist State", "the group", "militants", "insurgents"])
def test_islamic_state_is_one_armed_group_under_every_name(seed, name):
    _, g = seed
    assert ask(g, f"""?x a ckg:ArmedGroup ; rdfs:label "Islamic State" ; skos:altLabel "{name}" """)


@pytest.mark.parametrize("name", ["Syrian forces", "Syrian military", "Syrian government", "Syrian troops"])
def test_syrian_state_forces_are_one_state_actor_of_syria(seed, name):
    _, g = seed
    assert ask(g, f"""?x a ckg:StateActor ; skos:altLabel "{name}" ; ckg:country/rdfs:label "Syria" """)


def test_sohr_acronym_handle_and_description_are_one_organisation_based_in_britain(seed):
    _, g = seed
    assert ask(g, """?x a ckg:Organization ; rdfs:label "Syrian Observatory for Human Rights" ; skos:altLabel "SOHR", "@syriahr",
                     "the Britain-based monitoring group" ; ckg:basedIn/skos:altLabel "Britain" """)


def test_people(seed):
    _, g = seed
    assert ask(g, """?o a ckg:Person ; rdfs:label "Barack Obama" ; skos:altLabel "Barak Obama" """)
    assert ask(g, """?b a ckg:Person ; rdfs:label "Bashar al-Assad" """)
    assert ask(g, """?c a ckg:Person ; ckg:unnamed true ; ckg:memberOf/rdfs:label "Islamic State" """)
    assert ask(g, """?us rdfs:label "US Central Command" ; ckg:memberOf/rdfs:label "United States" """)


def test_photo_credit_names_are_not_actors(seed):
    _, g = seed
    assert not ask(g, """?x a ckg:Actor ; rdfs:label ?l FILTER(CONTAINS(?l, "Media Center") || ?l = "Associated Press")""")


def test_raqqa_is_a_city_in_raqqa_province_in_syria_with_coordinates(seed):
    _, g = seed
    [(lat, long)] = rows(g, """SELECT ?lat ?long WHERE { ?r a ckg:City ; rdfs:label "Raqqa" ; skos:altLabel "Ar Raqqah" ; geo:lat ?lat ; geo:long ?long ;
                                  ckg:locatedIn ?prov . ?prov a ckg:Region ; rdfs:label "Raqqa province" ; ckg:locatedIn/rdfs:label "Syria" }""")
    assert abs(float(lat) - 35.95) < 0.1 and abs(float(long) - 39.01) < 0.1


def test_regions_and_facilities(seed):
    _, g = seed
    assert ask(g, """?n a ckg:Region ; rdfs:label "northern Iraq" ; ckg:locatedIn/rdfs:label "Iraq" """)
    assert ask(g, """?b a ckg:Facility ; rdfs:label "al-Andalus bakery" ; ckg:locatedIn/rdfs:label "Raqqa" ;
                     ckg:operatedBy/rdfs:label "Islamic State" """)
    assert ask(g, """?c a ckg:Facility ; rdfs:label "al-Taka'e camp" ; ckg:locatedIn/rdfs:label "Raqqa province" """)


def test_syrian_air_attacks_on_raqqa(seed):
    _, g = seed
    [(attack,)] = rows(g, """SELECT ?a WHERE { ?a a ckg:Airstrike ; ckg:perpetrator/rdfs:label "Syrian government forces" ;
                              ckg:location/rdfs:label "Raqqa" ; ckg:date "2014-09-06"^^xsd:date ;
                              ckg:target/rdfs:label "Islamic State" .
                              ?report a ckg:Report ; ckg:about ?a ; ckg:killed ?k FILTER(?k = 25) }""")
    claimed = {int(r[0]) for r in rows(g, f"""SELECT ?k WHERE {{ ?c a ckg:Claim ; ckg:about <{attack}> ; ckg:killed ?k ;
                                              ckg:claimedBy/rdfs:label "Syrian Observatory for Human Rights" }}""")}
    assert claimed == {3, 8, 9, 20}


def test_missiles_on_the_camp_claimed_by_the_monitor(seed):
    _, g = seed
    assert ask(g, """?a a ckg:MissileStrike ; ckg:target/rdfs:label "al-Taka'e camp" ; ckg:date "2014-09-06"^^xsd:date .
                     ?c ckg:about ?a ; ckg:claimedBy/skos:altLabel "SOHR" """)


def test_us_strikes_in_northern_iraq_with_equipment_claimed_by_centcom(seed):
    _, g = seed
    assert ask(g, """?a a ckg:Airstrike ; ckg:perpetrator/rdfs:label "United States" ; ckg:location/rdfs:label "northern Iraq" ;
                     ckg:date "2014-09-05"^^xsd:date, "2014-09-06"^^xsd:date ;
                     ckg:destroyed [ ckg:equipment ?e ; ckg:count ?n ] .
                     ?c ckg:about ?a ; ckg:claimedBy/rdfs:label "US Central Command" FILTER(CONTAINS(LCASE(?e), "humvee") && ?n = 4)""")


def test_beheading_claimed_by_an_is_commander(seed):
    _, g = seed
    assert ask(g, """?a a ckg:Execution ; ckg:perpetrator/rdfs:label "Islamic State" ; ckg:date "2014-09-06"^^xsd:date .
                     ?c ckg:about ?a ; ckg:claimedBy [ ckg:unnamed true ; ckg:memberOf/rdfs:label "Islamic State" ]""")


def test_passing_mentions_are_claims_by_unnamed_accusers(seed):
    _, g = seed
    assert ask(g, """?a a ckg:ChemicalAttack ; ckg:perpetrator/rdfs:label "Syrian government forces" ; ckg:date ?d .
                     ?c a ckg:Claim ; ckg:about ?a ; ckg:claimedBy/ckg:unnamed true FILTER(STR(?d) = "2013")""")
    assert ask(g, """?a a ckg:Execution ; ckg:victim/rdfs:label "two American journalists" .
                     ?c ckg:about ?a ; ckg:claimedBy/ckg:unnamed true""")
    assert ask(g, """?a a ckg:Bombing ; ckg:perpetrator/rdfs:label "Syrian government forces" . ?c ckg:about ?a""")


def test_every_evidence_mention_quotes_the_article_exactly(seed):
    article, g = seed
    mentions = rows(g, """SELECT ?t ?s ?e WHERE { ?x ckg:evidence ?m . ?m ckg:text ?t ; ckg:startOffset ?s ; ckg:endOffset ?e ;
                           ckg:inArticle ?a . ?a a ckg:Article }""")
    assert len(mentions) > 40
    for text, start, end in mentions:
        assert article.text[int(start):int(end)] == str(text)


def test_every_node_and_claim_has_evidence_and_confidence(seed):
    _, g = seed
    assert not ask(g, """{ ?x a ckg:Attack } UNION { ?x a ckg:Claim } UNION { ?x a ckg:Actor } FILTER NOT EXISTS { ?x ckg:evidence ?m }""")
    assert not ask(g, """{ ?x a ckg:Attack } UNION { ?x a ckg:Claim } FILTER NOT EXISTS { ?x ckg:confidence ?c }""")


def test_claims_carry_their_sentence(seed):
    _, g = seed
    assert ask(g, """?c a ckg:Claim ; ckg:statement ?s FILTER(CONTAINS(?s, "destroyed four Humvees"))""")


def test_a_year_date_has_day_bounds_for_range_queries(seed):
    _, g = seed
    assert ask(g, """?a a ckg:ChemicalAttack ; ckg:dateEarliest "2013-01-01"^^xsd:date ; ckg:dateLatest "2013-12-31"^^xsd:date""")
