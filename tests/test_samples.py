"""The team's wire-style sample articles (seeds/101 to 107): the facts in each ``.expected.md``, written
before any extractor ran, read back from the store built from ``seeds/`` with SPARQL over public terms.

Places are recognised by their coordinates (or a name), never by an IRI, so any correct gazetteer
passes; types are checked through ``rdfs:subClassOf*`` so a more specific class is fine.
"""
import pytest

import kgtest
from kgtest import SEEDS_DIR

SYRIA = ("syria", "syrian arab republic")
SAMPLES = sorted(p for p in SEEDS_DIR.glob("1*.txt"))


@pytest.fixture(scope="module")
def store(seed_store):
    return seed_store


class Sample:
    """One sample article as the store holds it: its node, text, attacks and claims."""

    def __init__(self, store, name):
        self.file = SEEDS_DIR / f"{name}.txt"
        self.node = kgtest.article_node(store, self.file)
        assert self.node, f"{name} is not in the store"
        self.text = kgtest.article_text(store, self.node)
        self.meta = kgtest.article_meta(store, self.node)
        self.attacks = kgtest.attacks(store, self.node)
        self.claims = kgtest.claims(store, self.node)

    def attacks_of(self, kind, date=None, where=None):
        return [a for a in self.attacks if kind in a.types and (date is None or date in a.dates) and (where is None or a.at(where))]

    def claims_about(self, attacks, *by):
        iris = {a.iri for a in attacks}
        return [c for c in self.claims if c.about & iris and (not by or c.by(*by))]


@pytest.fixture(scope="module")
def sample(store):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = Sample(store, name)
        return cache[name]

    return get


def syrian_state(entity):
    return "StateActor" in entity.types and entity.named("syria")


def figures(claims, field="killed"):
    return {n for c in claims for n in getattr(c, field)}


# --- every sample ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_is_stored_with_its_text_unchanged(store, path):
    node = kgtest.article_node(store, path)
    assert node and kgtest.article_text(store, node) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_has_an_attack_and_a_claim_each_with_evidence_at_its_offsets(sample, path):
    s = sample(path.stem)
    assert s.attacks and s.claims, f"{path.name}: attacks={s.attacks} claims={s.claims}"
    problems = [p for n in (*s.attacks, *s.claims) for p in kgtest.evidence_problems(n.iri, n.evidence, s.node, s.text)]
    assert not problems, problems


# --- 101: shelling --------------------------------------------------------------------------------

S101 = "101_shelling_kafranbel"


def kafr_nabl(place):
    return place.near(35.61, 36.56) or place.named("kafr nabl", "kafranbel")


def khan_sheikhoun(place):
    return place.near(35.44, 36.65) or place.named("khan sheikhoun", "khan shaykhun")


def test_101_shelling_of_kafr_nabl_on_monday_2019_05_13(sample):
    assert sample(S101).attacks_of("Shelling", "2019-05-13", kafr_nabl), sample(S101).attacks


def test_101_kafr_nabl_is_a_place_in_syria_with_coordinates(sample):
    places = [p for a in sample(S101).attacks_of("Shelling", where=kafr_nabl) for p in a.locations]
    assert any(p.near(35.61, 36.56, 0.05) and p.within_country(*SYRIA) for p in places), places


def test_101_shelling_by_syrian_government_forces(sample):
    shelling = sample(S101).attacks_of("Shelling", where=kafr_nabl)
    assert any(syrian_state(p) for a in shelling for p in a.perpetrators), shelling


def test_101_shelling_killed_12_and_wounded_37(sample):
    shelling = sample(S101).attacks_of("Shelling", where=kafr_nabl)
    assert any(12 in a.killed and 37 in a.injured for a in shelling), shelling


def test_101_health_official_claims_12_killed_and_sohr_14(sample):
    s = sample(S101)
    shelling = s.attacks_of("Shelling", where=kafr_nabl)
    assert 12 in figures(s.claims_about(shelling, "hajj")), s.claims
    assert 14 in figures(s.claims_about(shelling, "syrian observatory", "sohr")), s.claims


def test_101_the_activists_are_unnamed(store, sample):
    s = sample(S101)
    activists = [w for c in s.claims for w in c.claimed_by if w.named("activist")]
    assert activists and all(kgtest.is_unnamed(store, w) for w in activists), s.claims


def test_101_the_dateline_city_amman_is_no_attack_place(sample):
    s = sample(S101)
    assert s.attacks, "no attacks"
    assert not [a for a in s.attacks if a.at(lambda p: p.near(31.95, 35.93, 0.3) or p.within_country("jordan"))]


def test_101_second_shelling_of_khan_sheikhoun_on_tuesday_wounding_5(sample):
    s = sample(S101)
    second = s.attacks_of("Shelling", "2019-05-14", khan_sheikhoun)
    assert any(5 in a.injured for a in second), s.attacks
    assert s.claims_about(second), "the activists' account of the second shelling is no claim"


# --- 102: car bombing -----------------------------------------------------------------------------

S102 = "102_car_bomb_azaz"


def azaz(place):
    return place.near(36.59, 37.05) or place.named("azaz", "a'zaz", "a‘zāz")


def test_102_bombing_in_azaz_on_saturday_2017_01_07_the_publication_day(sample):
    assert sample(S102).attacks_of("Bombing", "2017-01-07", azaz), sample(S102).attacks


def test_102_bombing_perpetrator_is_islamic_state(sample):
    bombing = sample(S102).attacks_of("Bombing", where=azaz)
    assert any(p.named("islamic state") for a in bombing for p in a.perpetrators), bombing


def test_102_bombing_killed_14_wounded_over_40(sample):
    bombing = sample(S102).attacks_of("Bombing", where=azaz)
    assert any(14 in a.killed and a.injured & {40, 43} for a in bombing), bombing


def test_102_islamic_state_claims_responsibility(sample):
    s = sample(S102)
    assert s.claims_about(s.attacks_of("Bombing", where=azaz), "islamic state"), s.claims


def test_102_sohr_claims_16_dead_and_the_hospital_43_wounded(sample):
    s = sample(S102)
    bombing = s.attacks_of("Bombing", where=azaz)
    assert 16 in figures(s.claims_about(bombing, "syrian observatory", "sohr")), s.claims
    assert 43 in figures(s.claims_about(bombing, "hamdo"), "injured"), s.claims


def test_102_kilis_in_turkey_is_not_the_bombing_place(sample):
    bombing = sample(S102).attacks_of("Bombing")
    assert bombing and not [a for a in bombing if a.at(lambda p: p.within_country("turkey", "türkiye", "turkiye"))]


# --- 103: clash between two armed groups ----------------------------------------------------------

S103 = "103_clash_hts_ahrar"


def saraqeb(place):
    return place.near(35.86, 36.81) or place.named("saraqeb", "saraqib")


def hts(entity):
    return entity.named("hayat tahrir al-sham", "tahrir al-sham") or "hts" in entity.labels


def ahrar(entity):
    return entity.named("ahrar al-sham")


def clashes_103(sample):
    return sample(S103).attacks_of("ArmedClash", where=saraqeb)


def test_103_clash_at_saraqeb_on_monday_2018_02_19(sample):
    assert sample(S103).attacks_of("ArmedClash", "2018-02-19", saraqeb), sample(S103).attacks


def test_103_hts_is_one_armed_group_also_called_hts(store, sample):
    found = [a for a in kgtest.actors(store, sample(S103).node) if a.named("hayat tahrir al-sham")]
    assert len(found) == 1 and "ArmedGroup" in found[0].types and "HTS" in found[0].raw_labels, found


def test_103_ahrar_al_sham_is_an_armed_group(store, sample):
    assert any(ahrar(a) and "ArmedGroup" in a.types for a in kgtest.actors(store, sample(S103).node))


def test_103_both_groups_are_parties_to_the_clash(sample):
    clash = clashes_103(sample)
    assert any(any(map(hts, a.parties())) and any(map(ahrar, a.parties())) for a in clash), clash


def test_103_each_group_is_both_perpetrator_and_target(sample):
    clash = clashes_103(sample)
    assert any(
        any(map(hts, a.perpetrators)) and any(map(ahrar, a.perpetrators)) and any(map(hts, a.targets)) and any(map(ahrar, a.targets))
        for a in clash
    ), clash


def test_103_the_hts_official_is_an_unnamed_member_of_hts(store, sample):
    s = sample(S103)
    officials = [w for c in s.claims for w in c.claimed_by if w.named("official")]
    assert officials, s.claims
    assert all(kgtest.is_unnamed(store, w) and any(map(hts, kgtest.related(store, w.iri, "ckg:memberOf"))) for w in officials), officials


def test_103_the_mediator_faylaq_al_sham_is_no_party(sample):
    clash = clashes_103(sample)
    assert clash and not [p for a in clash for p in a.parties() if p.named("faylaq")]


def test_103_clash_killed_at_least_23(sample):
    assert any(23 in a.killed for a in clashes_103(sample)), clashes_103(sample)


def test_103_each_side_and_the_monitor_give_their_own_death_figures(sample):
    s = sample(S103)
    clash = clashes_103(sample)
    assert 11 in figures(s.claims_about(clash, "ahrar")), s.claims
    assert 7 in figures([c for c in s.claims_about(clash) if any(map(hts, c.claimed_by))]), s.claims
    assert {15, 8} <= figures(s.claims_about(clash, "syrian observatory", "sohr")), s.claims


# --- 104: chemical attack -------------------------------------------------------------------------

S104 = "104_chemical_kafr_zita"


def kafr_zita(place):
    return place.near(35.37, 36.60) or place.named("kafr zita", "kafr zayta")


def chemical_104(sample):
    return sample(S104).attacks_of("ChemicalAttack", where=kafr_zita)


def test_104_chemical_attack_on_kafr_zita_on_monday_2019_07_22(sample):
    assert sample(S104).attacks_of("ChemicalAttack", "2019-07-22", kafr_zita), sample(S104).attacks


def test_104_accused_perpetrator_is_syrian_government_forces(sample):
    assert any(syrian_state(p) for a in chemical_104(sample) for p in a.perpetrators), chemical_104(sample)


def test_104_killed_2_injured_48(sample):
    assert any(2 in a.killed and 48 in a.injured for a in chemical_104(sample)), chemical_104(sample)


def test_104_sams_is_one_organization_with_its_acronym(store, sample):
    found = [a for a in kgtest.actors(store, sample(S104).node) if a.named("syrian american medical society")]
    assert len(found) == 1 and "Organization" in found[0].types and "SAMS" in found[0].raw_labels, found


def test_104_sams_claims_two_dead(sample):
    assert 2 in figures(sample(S104).claims_about(chemical_104(sample), "syrian american medical society", "sams"))


def test_104_sohr_accuses_a_government_helicopter(sample):
    assert sample(S104).claims_about(chemical_104(sample), "syrian observatory", "sohr"), sample(S104).claims


def test_104_the_army_denial_is_a_claim_by_the_syrian_state(sample):
    s = sample(S104)
    assert [c for c in s.claims_about(chemical_104(sample)) if any(map(syrian_state, c.claimed_by))], s.claims


def test_104_damascus_and_beirut_are_no_attack_places(sample):
    s = sample(S104)
    assert s.attacks and not [a for a in s.attacks if a.at(lambda p: p.near(33.51, 36.29) or p.near(33.89, 35.50))]


# --- 105 + 106: one attack, two reports, different figures ---------------------------------------

S105, S106 = "105_market_strike_jisr_levantwire", "106_market_strike_jisr_orientpress"


def jisr(place):
    return place.near(35.81, 36.32) or place.named("jisr al-shughour", "jisr al-shughur", "jisr ash shughur")


def market_strikes(store):
    return [a for a in kgtest.attacks(store) if "Airstrike" in a.types and a.at(jisr)]


def test_105_airstrike_on_jisr_al_shughour_on_sunday_2019_08_04_the_publication_day(sample):
    assert sample(S105).attacks_of("Airstrike", "2019-08-04", jisr), sample(S105).attacks


def test_106_the_same_airstrike_dated_the_day_before_publication(sample):
    assert sample(S106).attacks_of("Airstrike", "2019-08-04", jisr), sample(S106).attacks


def test_105_106_the_airstrike_is_by_russia(sample):
    strikes = sample(S105).attacks_of("Airstrike", where=jisr)
    assert any(p.named("russia") for a in strikes for p in a.perpetrators), strikes


def test_105_106_one_attack_node_with_evidence_in_both_articles(store, sample):
    strikes = market_strikes(store)
    assert len(strikes) == 1, strikes
    articles = {m.article for m in strikes[0].evidence}
    assert {sample(S105).node, sample(S106).node} <= articles, strikes


def test_105_106_each_source_keeps_its_own_figure(store, sample):
    strikes = market_strikes(store)
    about = kgtest.claims(store)
    assert 18 in figures([c for c in about if c.about & {a.iri for a in strikes} and c.by("civil defence", "white helmets")]), about
    assert 27 in figures([c for c in about if c.about & {a.iri for a in strikes} and c.by("syrian observatory", "sohr")]), about
    assert 21 in figures([c for c in about if c.about & {a.iri for a in strikes} and c.by("bakkour")]), about


def test_105_106_the_attack_killed_the_lowest_claimed_figure_18(store):
    strikes = market_strikes(store)
    assert any(a.killed == {18} for a in strikes), strikes


def test_106_russia_denial_is_a_claim_about_the_strike(sample):
    s = sample(S106)
    assert s.claims_about(s.attacks_of("Airstrike", where=jisr), "russia"), s.claims


# --- 107: no sidecar; Tripoli, Lebanon ------------------------------------------------------------

S107 = "107_tripoli_lebanon_clashes"


def tripoli_lebanon(place):
    return place.near(34.43, 35.84)


def test_107_title_inferred_from_the_headline(sample):
    titles = {t.strip() for t in sample(S107).meta.get("title", ())}
    assert titles == {"Six killed as Syria's war spills into Lebanon's Tripoli"}


def test_107_issued_2013_05_22_inferred_from_dateline_and_dated_tweet(sample):
    assert {d[:10] for d in sample(S107).meta.get("issued", ())} == {"2013-05-22"}


def test_107_author_inferred_from_the_byline(sample):
    assert any("nour saleh" in c.lower() for c in sample(S107).meta.get("creator", ())), sample(S107).meta


def test_107_publisher_inferred_from_the_dateline(sample):
    assert any("levant wire" in p.lower() for p in sample(S107).meta.get("publisher", ())), sample(S107).meta


def test_107_title_date_author_and_publisher_are_marked_as_inferred(store, sample):
    assert {"title", "issued", "creator", "publisher"} <= kgtest.inferred_properties(store, sample(S107).node)


def test_101_sidecar_metadata_is_not_marked_as_inferred(store, sample):
    assert not {"title", "issued", "creator", "publisher"} & kgtest.inferred_properties(store, sample(S101).node)


def test_107_tripoli_is_the_city_in_lebanon(sample):
    s = sample(S107)
    places = [p for a in s.attacks for p in a.locations if p.is_or_in(lambda q: q.named("tripoli"))]
    assert places and all(p.is_or_in(tripoli_lebanon) and p.within_country("lebanon") for p in places), places


def test_107_nothing_happens_in_libya(sample):
    s = sample(S107)
    assert s.attacks and not [a for a in s.attacks if a.at(lambda p: p.near(32.89, 13.19, 1.0) or p.within_country("libya"))]


def test_107_clash_in_tripoli_on_wednesday_killed_6(sample):
    clash = sample(S107).attacks_of("ArmedClash", "2013-05-22", tripoli_lebanon)
    assert any(6 in a.killed for a in clash), sample(S107).attacks


def test_107_national_news_agency_claims_nine_wounded_by_the_rocket(sample):
    s = sample(S107)
    assert 9 in figures([c for c in s.claims if c.by("national news agency")], "injured"), s.claims


def test_107_the_army_claims_a_soldier_killed_and_three_wounded(sample):
    s = sample(S107)
    army = [c for c in s.claims if c.by("army")]
    assert 1 in figures(army) and 3 in figures(army, "injured"), s.claims
