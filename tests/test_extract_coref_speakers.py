"""A described speaker ("a local health official said") and the person a neighbouring sentence names
and describes alike ("X, who heads the health department") are one actor; unrelated people are not."""
from __future__ import annotations

from helpers import run


def speakers(x) -> list:
    """The claims' sources, in sentence order."""
    return [x.entities[("actor", c.source)] for c in sorted(x.claims, key=lambda c: c.sentence)]


def speaker_of(x, figure: int):
    """The source of the claim that states ``figure`` killed."""
    found = [x.entities[("actor", c.source)] for c in x.claims if figure in c.killed]
    assert found, x.claims
    return found[0]


def test_health_official_is_the_person_who_heads_the_health_department_next():
    x = run(
        "Rebel mortar fire hit the town of Marea on Friday, killing at least nine people, a senior health official said.\n\n"
        "Khaled Omar, who heads the regional health department, said that 22 others had been wounded."
    )
    speaker = speaker_of(x, 9)
    assert speaker.label == "Khaled Omar" and "senior health official" in speaker.alt_labels
    assert not speaker.props.get("unnamed")


def test_military_spokesman_is_the_colonel_described_as_the_armys_spokesman():
    x = run(
        "An air strike destroyed a weapons depot near Tikrit on Sunday and killed six militants, a military spokesman said.\n\n"
        "The army's spokesman, Colonel Yahya Rasool, said the depot had been watched for weeks."
    )
    speaker = speaker_of(x, 6)
    assert "Rasool" in speaker.label and "military spokesman" in speaker.alt_labels


def test_hospital_doctor_is_the_doctor_who_runs_the_hospital_named_before():
    x = run(
        "Dr. Samer Karim, who runs the hospital in Saraqeb, spoke to reporters on Tuesday.\n\n"
        "A car bomb exploded near the market in Saraqeb on Tuesday, killing 15 people, a hospital doctor said."
    )
    speaker = speaker_of(x, 15)
    assert "Karim" in speaker.label and "hospital doctor" in speaker.alt_labels


def test_two_different_officials_stay_two_actors():
    x = run(
        "Shelling killed eight people in the village of Kansafra on Monday, a police official said.\n\n"
        "Mahmoud Haddad, a health official in the province, said that 30 people were wounded."
    )
    police = speaker_of(x, 8)
    assert police.label == "police official" and police.props.get("unnamed")
    health = [s for s in speakers(x) if "Haddad" in s.label]
    assert health and "police official" not in health[0].alt_labels, speakers(x)


def test_a_named_person_unrelated_to_the_description_is_not_the_speaker():
    x = run(
        "Government jets bombed the town of Khan Touman on Thursday, killing 11 people, a local medical official said.\n\n"
        "Ahmad Sweid, a farmer whose house was destroyed, said he had lost two of his cows."
    )
    speaker = speaker_of(x, 11)
    assert speaker.label == "local medical official" and speaker.props.get("unnamed")


def test_a_person_quoted_in_the_same_sentence_is_a_different_source():
    x = run(
        "The strike killed 14 people, a health official said, while Omar Bakri, the head of the health directorate, "
        "said 10 had died.\n\nThe fighting went on into the night."
    )
    labels = {s.label: s for s in speakers(x)}
    assert "Omar Bakri" in labels and "health official" in labels, labels
    assert labels["health official"].props.get("unnamed") and "health official" not in labels["Omar Bakri"].alt_labels


def test_two_described_speakers_do_not_share_one_named_person():
    x = run(
        "Barrel bombs killed 20 people in Daraya on Wednesday, a hospital doctor said.\n\n"
        "Another hospital doctor said 16 people had died.\n\n"
        "Dr. Adnan Tamer, who runs the field hospital in Daraya, said medicine was running out."
    )
    named = [s for s in speakers(x) if "Tamer" in s.label]
    assert named and not named[0].props.get("unnamed")
    assert speaker_of(x, 20).key != speaker_of(x, 16).key or speaker_of(x, 20).props.get("unnamed")


def test_a_description_never_named_stays_unnamed():
    x = run("An air strike on Idlib on Saturday killed seven people, a civil defence official said.\n\nThe strike hit a bakery.")
    speaker = speaker_of(x, 7)
    assert speaker.props.get("unnamed") and "official" in speaker.label


def test_a_spokesman_for_a_group_is_the_spokesman_titled_before_his_name():
    x = run(
        "Coalition aircraft struck a bridge near Raqqa on Monday, killing four fighters, a spokesman for the coalition said.\n\n"
        "The strike was planned for days, said spokesman Colonel Jeremy Whitcombe."
    )
    speaker = speaker_of(x, 4)
    assert "Whitcombe" in speaker.label and "spokesman" in " ".join(speaker.alt_labels), speaker


def test_another_official_named_next_is_not_the_first_one():
    x = run(
        "Rockets hit a school in Afrin on Sunday, killing five pupils, a health official said.\n\n"
        "Another health official, Leila Hamo, said that 12 pupils were wounded."
    )
    speaker = speaker_of(x, 5)
    assert speaker.props.get("unnamed") and speaker.label == "health official", speaker


def test_a_member_of_the_same_group_in_another_role_is_another_person():
    x = run(
        "Islamic State fighters attacked an army post near Deir ez-Zor on Friday, killing nine soldiers, an Islamic State commander said.\n\n"
        "Abu Omar al-Shishani, an Islamic State fighter, said the attackers had crossed the river at night."
    )
    speaker = speaker_of(x, 9)
    assert speaker.props.get("unnamed"), speaker


def test_a_rebel_commander_is_not_the_army_commander_named_next():
    x = run(
        "Fighting near Hama killed 13 government soldiers on Thursday, a rebel commander said.\n\n"
        "Brigadier Suhail Qassem, an army commander in the region, said his troops had held their positions."
    )
    speaker = speaker_of(x, 13)
    assert speaker.props.get("unnamed"), speaker


def test_a_spokeswoman_is_not_the_director_of_the_same_office():
    x = run(
        "The blast at the depot killed three workers on Friday, a spokeswoman for the health ministry said.\n\n"
        "Health ministry operations director Maya Haddad said the roads to the depot were closed."
    )
    speaker = speaker_of(x, 3)
    assert speaker.props.get("unnamed"), speaker
