"""Attacks, casualty figures, merging of mentions, and claims (with the ACLED figure rule)."""
import pytest

from kg.extract.figures import number_value
from helpers import attacks_of, label, labels_of, run

PUB = {"published": "2016-05-14"}  # a Saturday


def test_shelling_with_perpetrator_place_date_and_toll():
    x = run("Turkish artillery shelled the village of Tal Rifaat on Friday, killing seven civilians and wounding 12.", **PUB)
    [attack] = x.attacks
    assert attack.type == "Shelling"
    assert label(x, "actor", attack.perpetrators[0]) == "Turkish Armed Forces"
    assert attack.dates == ["2016-05-13"]
    assert attack.killed == [7] and attack.injured == [12]


def test_car_bombing_in_a_city_with_word_numbers():
    x = run("A car bomb exploded near a checkpoint in Baghdad on Saturday, leaving at least twenty-one people dead.", **PUB)
    [attack] = attacks_of(x, "Bombing")
    assert label(x, "place", attack.places[0]) == "Baghdad"
    assert attack.dates == ["2016-05-14"] and attack.killed == [21]


def test_airstrike_from_demonym_modifier_and_target_after_on():
    x = run("Russian air strikes on a Nusra Front base near Idlib killed 30 fighters on Thursday.", **PUB)
    [attack] = attacks_of(x, "Airstrike")
    assert label(x, "actor", attack.perpetrators[0]) == "Russian armed forces"
    assert label(x, "actor", attack.targets[0]) == "al-Nusra Front"
    assert attack.dates == ["2016-05-12"]


def test_clash_between_two_groups():
    x = run("Heavy clashes between Hezbollah and the Free Syrian Army erupted in Qusayr on Tuesday, killing 15 fighters.", **PUB)
    assert attacks_of(x, "ArmedClash")


def test_mentions_of_one_attack_merge_and_anaphora_joins_them():
    x = run(
        "Israeli warplanes bombed a house in Gaza City on Saturday.\n\n"
        "The raid killed a family of six, Palestinian medics said.\n\n"
        "An Israeli airstrike in Gaza City also destroyed two cars.",
        **PUB,
    )
    assert len(x.attacks) == 1
    attack = x.attacks[0]
    assert len(attack.sentences) == 3


def test_economic_strike_and_price_targets_are_not_attacks():
    x = run(
        "Dock workers went on strike in Rotterdam on Monday over pay. The company hit its sales target "
        "and launched a takeover battle for a rival, its chairman said."
    )
    assert x.attacks == []


def test_considered_attacks_are_not_attacks():
    x = run("Washington is considering military strikes on militant bases in Yemen.")
    assert x.attacks == []


def test_attributed_figures_become_claims_and_attack_takes_the_lowest():
    x = run(
        "Government helicopters dropped barrel bombs on Daraya on Saturday.\n\n"
        "The bombs killed 40 people, according to the Syrian Observatory for Human Rights.\n\n"
        "Local activists said 55 people were killed in the attack.",
        **PUB,
    )
    [attack] = x.attacks
    figures = sorted(c.killed[0] for c in x.claims if c.killed)
    assert figures == [40, 55]
    assert attack.killed == [40]
    sources = {label(x, "actor", c.source) for c in x.claims if c.killed}
    assert "Syrian Observatory for Human Rights" in sources


def test_unattributed_figure_is_the_attack_own():
    x = run("A suicide bomber killed 18 people at a mosque in Kabul on Friday. Police said 20 were wounded.", **PUB)
    [attack] = attacks_of(x, "Bombing")
    assert attack.killed == [18]


def test_accusation_without_agent_has_an_unnamed_accuser():
    x = run("The army has been accused of using chemical weapons against villagers last year.", **PUB)
    [claim] = [c for c in x.claims if c.cue == "accused"]
    accuser = x.entities[("actor", claim.source)]
    assert accuser.props["unnamed"] is True
    [attack] = attacks_of(x, "ChemicalAttack") or x.attacks
    assert attack.passing and attack.dates == ["2015"]


def test_equipment_losses():
    x = run("The coalition strike destroyed three tanks and a truck belonging to the militants near Mosul on Friday.", **PUB)
    losses = {(l.equipment, l.count, l.how) for a in x.attacks for l in a.losses}
    assert ("tank", 3, "destroyed") in losses and ("truck", 1, "destroyed") in losses


@pytest.mark.parametrize("text, value", [("seven", 7), ("twenty-one", 21), ("1,250", 1250), ("two hundred", 200), ("dozens", None)])
def test_number_words(text, value):
    assert number_value(text) == value


def test_every_mention_offset_points_at_its_text():
    text = "Kurdish Peshmerga forces repelled an Islamic State attack on Kirkuk on Saturday, a Peshmerga commander said."
    x = run(text, **PUB)
    entities = labels_of(x, "actor") | labels_of(x, "place")
    assert entities
    for entity in entities.values():
        for start, end in entity.mentions:
            surface = text[start:end]
            assert surface == entity.label or surface in entity.alt_labels


def test_two_reports_of_one_attack_meet_on_one_node_with_their_own_claims():
    from kg.rdf import to_rdf
    from kg.sources import Article
    from kg.extract import extract
    from kg.vocab import CKG

    first = Article(text="ISTANBUL (Wire One) - Turkish jets struck a village near Afrin on Sunday, killing 9 people, a monitor said.",
                    path="a.txt", meta={"published": "2018-02-12"})
    second = Article(text="Monday's toll from Sunday's Turkish air strikes on a village near Afrin rose to 14, Kurdish officials said.",
                     path="b.txt", meta={"published": "2018-02-13"})
    graphs = [to_rdf(a, extract(a)) for a in (first, second)]
    attacks = [{s for s in g.subjects(predicate=None, object=CKG.Airstrike)} for g in graphs]
    assert attacks[0] and attacks[0] == attacks[1]
    [node] = attacks[0]
    claimed = sorted(int(k) for g in graphs for c in g.subjects(CKG.about, node) for k in g.objects(c, CKG.killed))
    assert claimed == [9, 14]
