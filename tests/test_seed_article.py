"""The seed article (VICE News, 2014): every fact of ../shared/seeds/000_91ad30bc2c40ecf8.expected.md,
read back from the store built from ``seeds/`` with SPARQL over the public ontology terms only.
"""
import pytest

import kgtest
from kgtest import SEEDS_DIR

SEED = SEEDS_DIR / "000_91ad30bc2c40ecf8.txt"
SYRIA = ("syria", "syrian arab republic")


@pytest.fixture(scope="module")
def store(seed_store):
    return seed_store


@pytest.fixture(scope="module")
def article(store):
    node = kgtest.article_node(store, SEED)
    assert node, "the seed article is not in the store"
    return node


@pytest.fixture(scope="module")
def attacks(store, article):
    return kgtest.attacks(store, article)


@pytest.fixture(scope="module")
def claims(store, article):
    return kgtest.claims(store, article)


def syrian_state(entity):
    return "StateActor" in entity.types and entity.named("syria")


def in_raqqa(place):
    return place.named("raqqa") or place.near(35.95, 39.01)


def bakery_attacks(attacks):
    """The Syrian air attacks on Raqqa of 2014-09-06 (the bakery strike)."""
    return [a for a in attacks if "Airstrike" in a.types and "2014-09-06" in a.dates and a.at(in_raqqa)]


# --- plumbing: passes with any extractor, proves the fixture and queries work -------------------

def test_store_holds_the_seed_article_with_its_text_unchanged(store, article):
    assert kgtest.article_text(store, article) == SEED.read_text(encoding="utf-8")


# --- the article ----------------------------------------------------------------------------------

def test_title(store, article):
    titles = {t.strip().lower() for t in kgtest.article_meta(store, article).get("title", ())}
    assert titles == {"us and syrian airstrikes hit islamic state targets in iraq and syria"}


def test_issued_2014_09_06_inferred_from_the_embedded_tweet(store, article):
    assert {d[:10] for d in kgtest.article_meta(store, article).get("issued", ())} == {"2014-09-06"}


def test_creator_liz_fields(store, article):
    creators = kgtest.article_meta(store, article).get("creator", set())
    assert any("liz fields" in c.lower() for c in creators), creators


def test_issued_and_creator_are_marked_as_inferred(store, article):
    assert {"issued", "creator"} <= kgtest.inferred_properties(store, article)


def test_publisher_vice_news(store, article):
    publishers = kgtest.article_meta(store, article).get("publisher", set())
    assert any("vice news" in p.lower() for p in publishers), publishers


# --- actors ---------------------------------------------------------------------------------------

def test_islamic_state_is_one_armed_group_node_also_called_is(store, article):
    found = [a for a in kgtest.actors(store, article) if "islamic state" in a.labels]
    assert len(found) == 1, f"Islamic State should be one node, found {found}"
    assert "ArmedGroup" in found[0].types, found
    assert "IS" in found[0].raw_labels, found


def test_sohr_is_one_organization_with_its_acronym(store, article):
    found = [a for a in kgtest.actors(store, article) if a.named("syrian observatory for human rights")]
    assert len(found) == 1, found
    assert "Organization" in found[0].types
    assert "SOHR" in found[0].raw_labels, found


def test_syrian_government_forces_are_a_state_actor(store, article):
    assert any(syrian_state(a) for a in kgtest.actors(store, article)), kgtest.actors(store, article)


def test_syrian_government_forces_belong_to_syria(store, article):
    forces = [a for a in kgtest.actors(store, article) if syrian_state(a)]
    assert forces and all(any(c.named(*SYRIA) for c in kgtest.related(store, f.iri, "ckg:country")) for f in forces), forces


def test_sohr_is_based_in_britain(store, article):
    sohr = [a for a in kgtest.actors(store, article) if a.named("syrian observatory for human rights")]
    assert sohr and any(p.named("britain", "united kingdom") for p in kgtest.related(store, sohr[0].iri, "ckg:basedIn")), sohr


def test_us_central_command_is_part_of_the_united_states(store, article):
    centcom = [a for a in kgtest.actors(store, article) if a.named("central command")]
    assert centcom, kgtest.actors(store, article)
    parents = kgtest.related(store, centcom[0].iri, "ckg:memberOf") + kgtest.related(store, centcom[0].iri, "ckg:country")
    assert any(p.named("united states") or "us" in p.labels for p in parents), parents


def test_the_is_commander_is_an_unnamed_member_of_islamic_state(store, claims):
    commanders = [w for c in claims for w in c.claimed_by if w.named("commander")]
    assert commanders, claims
    assert all(kgtest.is_unnamed(store, w) and "Person" in w.types for w in commanders), commanders
    assert all(any(p.named("islamic state") for p in kgtest.related(store, w.iri, "ckg:memberOf")) for w in commanders)


def test_us_central_command_is_an_organization(store, article):
    assert any(a.named("central command") and "Organization" in a.types for a in kgtest.actors(store, article))


def test_associated_press_is_no_actor_in_any_event_or_claim(attacks, claims):
    assert attacks, "no attacks extracted from the seed article at all"
    involved = [e for a in attacks for e in (*a.parties(), *a.victims)] + [w for c in claims for w in c.claimed_by]
    assert not [e for e in involved if e.named("associated press") or "ap" in e.labels or e.named("raqqa media center")]


def test_barack_obama_is_one_person_despite_the_misspelling(store, article):
    found = [a for a in kgtest.actors(store, article) if a.named("obama")]
    assert len(found) == 1 and "Person" in found[0].types and "barack obama" in found[0].labels, found


def test_bashar_al_assad_is_a_person(store, article):
    assert any(a.named("assad") and "Person" in a.types for a in kgtest.actors(store, article))


# --- places ---------------------------------------------------------------------------------------

def test_raqqa_is_a_city_in_syria_with_coordinates(store, article):
    raqqa = [p for p in kgtest.places(store, article) if p.named("raqqa") and "City" in p.types]
    assert raqqa, kgtest.places(store, article)
    city = raqqa[0]
    assert kgtest.close_to(city.lat, 35.95, 0.05) and kgtest.close_to(city.long, 39.01, 0.05), city
    assert city.within_country(*SYRIA), city


def test_al_andalus_bakery_is_a_facility_in_raqqa(store, article):
    bakery = [p for p in kgtest.places(store, article) if p.named("andalus")]
    assert bakery and all("Facility" in p.types and any(in_raqqa(c) for c in p.containers) for p in bakery), bakery


def test_al_andalus_bakery_is_run_by_islamic_state(store, article):
    bakery = [p for p in kgtest.places(store, article) if p.named("andalus")]
    assert bakery and all(any(o.named("islamic state") for o in kgtest.related(store, p.iri, "ckg:operatedBy")) for p in bakery), bakery


def test_raqqa_has_its_geonames_id(store, article):
    raqqa = [p for p in kgtest.places(store, article) if p.named("raqqa") and "City" in p.types]
    assert raqqa and kgtest.values(store, raqqa[0].iri, "ckg:geonamesId") == {"172955"}, raqqa


def test_al_takae_camp_is_a_facility_in_raqqa_province(store, article):
    camp = [p for p in kgtest.places(store, article) if p.named("taka")]
    assert camp and all("Facility" in p.types and p.within_country(*SYRIA) and any(c.named("raqqa") for c in p.containers) for p in camp), camp


# --- attacks --------------------------------------------------------------------------------------

def test_an_airstrike_on_raqqa_on_saturday_2014_09_06(attacks):
    assert bakery_attacks(attacks), attacks


def test_the_raqqa_airstrike_was_by_syrian_government_forces(attacks):
    assert any(any(syrian_state(p) for p in a.perpetrators) for a in bakery_attacks(attacks)), attacks


def test_the_raqqa_airstrike_killed_25(attacks):
    assert any(25 in a.killed for a in bakery_attacks(attacks)), bakery_attacks(attacks)


def test_the_raqqa_airstrike_is_one_node(attacks):
    assert len(bakery_attacks(attacks)) == 1, bakery_attacks(attacks)


def test_us_airstrikes_in_northern_iraq(attacks):
    us = [a for a in attacks if "Airstrike" in a.types and a.at(lambda p: p.within_country("iraq"))
          and any(p.named("united states", "america") or "us" in p.labels for p in a.perpetrators)]
    assert us, attacks


def test_missiles_on_al_takae_camp_by_syrian_forces_claimed_by_sohr(attacks, claims):
    camp = [a for a in attacks if a.at(lambda p: p.named("taka")) and any(syrian_state(p) for p in a.perpetrators)]
    assert camp, attacks
    assert any(c.by("syrian observatory", "sohr") and c.about & {a.iri for a in camp} for c in claims), claims


def test_the_execution_of_a_lebanese_soldier_is_by_islamic_state(attacks):
    executions = [a for a in attacks if "Execution" in a.types]
    assert any(any(p.named("islamic state") for p in a.perpetrators) for a in executions), attacks


# --- claims ---------------------------------------------------------------------------------------

def sohr_claims_about_the_bakery(attacks, claims):
    bakery = {a.iri for a in bakery_attacks(attacks)}
    return [c for c in claims if c.by("syrian observatory", "sohr") and c.about & bakery]


def test_sohr_claims_20_killed_in_the_bakery_strike(attacks, claims):
    figures = {n for c in sohr_claims_about_the_bakery(attacks, claims) for n in c.killed}
    assert 20 in figures, claims


def test_sohr_claims_3_children_8_family_members_9_militants_killed(attacks, claims):
    figures = {n for c in sohr_claims_about_the_bakery(attacks, claims) for n in c.killed}
    assert {3, 8, 9} <= figures, claims


def test_us_central_command_claims_about_airstrikes_in_iraq(attacks, claims):
    in_iraq = {a.iri for a in attacks if a.at(lambda p: p.within_country("iraq"))}
    assert any(c.by("central command") and c.about & in_iraq for c in claims), claims


def test_us_central_command_states_the_equipment_destroyed(store, attacks, claims):
    in_iraq = {a.iri for a in attacks if a.at(lambda p: p.within_country("iraq"))}
    stated = {}
    for c in claims:
        if c.by("central command") and c.about & in_iraq:
            stated.update(kgtest.equipment_losses(store, c.iri))
    humvees = {k: v for k, v in stated.items() if "humvee" in k}
    trucks = {k: v for k, v in stated.items() if "truck" in k}
    carriers = {k: v for k, v in stated.items() if "personnel carrier" in k or "apc" in k}
    assert humvees and trucks and carriers, stated
    assert 4 in set().union(*humvees.values()) and 2 in set().union(*trucks.values()) and 1 in set().union(*carriers.values()), stated


def test_the_accusers_of_barrel_bombs_and_chemical_weapons_are_unnamed(store, attacks, claims):
    accused = {a.iri for a in attacks if "ChemicalAttack" in a.types or any(m.text and "barrel" in m.text.lower() for m in a.evidence)}
    accusers = [w for c in claims if c.about & accused for w in c.claimed_by]
    assert accusers and all(kgtest.is_unnamed(store, w) for w in accusers), accusers


def test_an_is_commander_claims_an_execution(attacks, claims):
    executions = {a.iri for a in attacks if "Execution" in a.types}
    assert executions, attacks
    assert any(c.by("commander") and c.about & executions for c in claims), claims


def test_accusation_of_a_2013_chemical_attack_by_the_syrian_government(attacks, claims):
    chemical = {a.iri for a in attacks if "ChemicalAttack" in a.types and any(d.startswith("2013") for d in a.dates)
                and any(syrian_state(p) for p in a.perpetrators)}
    assert chemical, attacks
    assert any(c.about & chemical and c.claimed_by for c in claims), claims


def test_accusation_of_barrel_bombs_against_civilians(attacks, claims):
    barrel = {a.iri for a in attacks if any(m.text and "barrel" in m.text.lower() for m in a.evidence)}
    assert barrel, attacks
    assert any(c.about & barrel and c.claimed_by for c in claims), claims


# --- evidence -------------------------------------------------------------------------------------

def test_every_attack_and_claim_has_evidence_that_is_the_article_text_at_its_offsets(store, article, attacks, claims):
    assert attacks and claims, "nothing extracted from the seed article"
    text = kgtest.article_text(store, article)
    problems = [p for node in (*attacks, *claims) for p in kgtest.evidence_problems(node.iri, node.evidence, article, text)]
    assert not problems, problems
