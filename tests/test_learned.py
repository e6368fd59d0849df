"""The learned components: the shipped model loads and finds what it was trained to find; `kg train`
runs, deterministically, on a small slice of training data; the weights round-trip."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract import learned
from kg.extract.learned import CUE_KEY, TRIGGER_KEY, load_components
from kg.extract.learned_parse import load_learned_model
from kg.extract.nlp import english_pipeline

SHARED_TRAIN = Path(__file__).resolve().parents[2] / "shared" / "eval" / "train"


@pytest.fixture(scope="module")
def nlp():
    return load_learned_model()


def test_shipped_model_is_in_the_package_and_small():
    files = [p for p in learned.MODEL_DIR.rglob("*") if p.is_file()]
    assert {p.parent.name for p in files} >= set(learned.COMPONENTS)
    assert sum(p.stat().st_size for p in files) <= 40_000_000
    card = json.loads((learned.MODEL_DIR / "meta.json").read_text())
    assert set(card["components"]) == set(learned.COMPONENTS)
    assert all(0 < c["dev"]["f1"] <= 1 for c in card["components"].values())


def test_components_run_after_the_parse_and_ner(nlp):
    names = nlp.pipe_names
    assert names.index("ner") < names.index("ckg_attack_triggers") < names.index("ckg_attack_arguments")
    assert names.index("ckg_attribution_cues") < names.index("ckg_attribution_sources")


def test_an_airstrike_is_a_trigger_with_its_place_and_victims(nlp):
    doc = nlp("Syrian government warplanes bombed a crowded market in the town of Maarat al-Numan on Monday, killing 12 civilians.")
    triggers = [span.text for span in doc.spans[TRIGGER_KEY]]
    assert "bombed" in triggers
    bombed = next(span for span in doc.spans[TRIGGER_KEY] if span.text == "bombed")
    roles = {(role, span.root.text) for role, span, _p in bombed._.ckg_arguments}
    assert ("perpetrator", "warplanes") in roles or ("target", "market") in roles


def test_peaceful_news_has_no_trigger(nlp):
    doc = nlp("The central bank said on Tuesday that inflation slowed in March as food prices fell, and shares rose.")
    assert list(doc.spans[TRIGGER_KEY]) == []


def test_a_political_attack_is_not_an_armed_attack():
    from helpers import run

    x = run("Trump attacked Clinton over her emails during the debate in St. Louis on Sunday night.")
    assert x.attacks == []


def test_a_cue_and_its_source(nlp):
    doc = nlp("The Syrian Observatory for Human Rights said 14 people were killed in the raid.")
    cues = list(doc.spans[CUE_KEY])
    assert [c.text for c in cues] == ["said"]
    sources = [span.text for _role, span, _p in cues[0]._.ckg_sources]
    assert sources and sources[0] in "The Syrian Observatory for Human Rights"


def test_arguments_are_scored_for_a_trigger_the_model_did_not_tag(nlp):
    doc = nlp("Syrian government warplanes bombed a crowded market in the town of Maarat al-Numan on Monday.")
    pipe = nlp.get_pipe(learned.ARGUMENTS)
    bombed = next(span for span in doc.spans[TRIGGER_KEY] if span.text == "bombed")
    before = list(bombed._.ckg_arguments)
    [found] = pipe.score_anchors(doc, [doc[bombed.start:bombed.end]])
    assert [(role, span.text) for role, span, _p in found] == [(role, span.text) for role, span, _p in before]
    assert bombed._.ckg_arguments == before  # scoring on demand leaves the doc's annotations alone


def test_a_phrase_can_fill_two_roles_when_both_reach_the_threshold(nlp):
    import numpy

    pipe = nlp.get_pipe(learned.ARGUMENTS)
    threshold = pipe.cfg["threshold"]
    labels = list(pipe.labels)
    row = numpy.zeros(len(labels), dtype="float32")
    row[labels.index("target")], row[labels.index("place")] = threshold + 0.02, threshold + 0.01
    row[labels.index("perpetrator")] = threshold - 0.01
    assert pipe.cfg["multi_role"] and [label for label, _p in pipe.decide_all(row)] == ["target", "place"]
    assert pipe.decide(row)[0] == "target"


def test_a_rule_trigger_gets_the_models_arguments(monkeypatch):
    from helpers import run
    from kg.extract import learned_steps

    calls = []
    real = learned_steps.arguments_of
    monkeypatch.setattr(learned_steps, "arguments_of", lambda doc, tok: calls.append(tok.text) or real(doc, tok))
    monkeypatch.setitem(load_learned_model().get_pipe(TRIGGER_KEY).cfg, "threshold", 1.1)  # the model tags nothing
    x = run("Gunmen shot dead three policemen at a checkpoint in Kirkuk on Friday.", published="2016-05-14")
    assert [a.type for a in x.attacks] == ["Shooting"] and calls == ["shot"]  # the rules' attack, read by the argument model


def test_a_learned_trigger_alone_needs_the_alone_threshold(monkeypatch):
    from helpers import run
    from kg.extract import learned_steps

    text = "A suicide bomber blew himself up at the bus station, the ministry said."
    assert run(text, published="2016-05-14").attacks
    monkeypatch.setattr(learned_steps, "alone_threshold", lambda: 1.1)
    monkeypatch.setattr(learned_steps.rules, "_attack_at", lambda *a: None)  # as if the rules saw nothing
    assert run(text, published="2016-05-14").attacks == []


def test_sites_without_a_name_can_be_places_but_times_and_things_cannot():
    from kg.extract.learned_steps import _site

    doc = english_pipeline()("In the past, a bomb went off at the bus station on Rue Victor Hugo near a busy pedestrian street.")
    phrases = {chunk.text: _site(chunk) for chunk in doc.noun_chunks}
    assert phrases["the bus station"] and phrases["a busy pedestrian street"]
    assert not phrases["the past"] and not phrases["a bomb"]


def test_a_common_noun_perpetrator_is_an_unnamed_actor():
    from kg.extract.learned_steps import _agent

    doc = english_pipeline()("A suicide bomber and the organisation attacked the past.")
    assert _agent(doc[1:3]) and _agent(doc[4:6])
    assert not _agent(doc[8:10])


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(learned.ModelNotTrained, match=str(tmp_path)):
        load_components(english_pipeline(), tmp_path)


# --- training -------------------------------------------------------------------------------------

def _write_tiny_data(folder: Path) -> None:
    """A few records in the training sets' formats (not data to learn from: a check that the code runs)."""
    folder.mkdir()
    attack = {"doc_id": "t1", "text": "Rebels attacked an army post near Aleppo. The minister met the envoy.", "entities": [],
              "events": [{"type": "Conflict.Attack", "trigger": "attacked", "trigger_char_span": [7, 15],
                          "arguments": [{"role": "Attacker", "text": "Rebels", "char_span": [0, 6]},
                                        {"role": "Target", "text": "post", "char_span": [24, 28]},
                                        {"role": "Place", "text": "Aleppo", "char_span": [34, 40]}]}]}
    quiet = {"doc_id": "t2", "text": "Shares rose on Monday after the bank cut rates.", "entities": [], "events": []}
    said = "The ministry said the talks would resume. Officials told reporters the deal was close."
    polnear = {"doc_id": "p1", "annotator": "ab12", "text": said, "attributions": [
        {"Source": [{"text": "The ministry", "char_spans": [[0, 12]]}], "Cue": [{"text": "said", "char_spans": [[13, 17]]}],
         "Content": [{"text": "the talks would resume", "char_spans": [[18, 40]]}]},
        {"Source": [{"text": "Officials", "char_spans": [[42, 51]]}], "Cue": [{"text": "told", "char_spans": [[52, 56]]}],
         "Content": [{"text": "the deal was close", "char_spans": [[66, 84]]}]}]}
    for name, records in (("wikievents_train", [attack, quiet]), ("m2e2_train", [quiet]), ("polnear_train", [polnear]),
                          ("wikievents_dev", [attack]), ("polnear_dev", [polnear])):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _train(data: Path, out: Path, limit=None) -> dict:
    from kg.train import train

    return train(data, data, out, limit=limit, log=lambda line: None)


def test_kg_train_writes_weights_and_a_model_card_deterministically(tmp_path):
    data = tmp_path / "data"
    _write_tiny_data(data)
    first, second = _train(data, tmp_path / "a"), _train(data, tmp_path / "b")
    assert first["components"] == second["components"]
    for name in learned.COMPONENTS:
        assert (tmp_path / "a" / name / "model").read_bytes() == (tmp_path / "b" / name / "model").read_bytes()
    card = (tmp_path / "a" / "README.md").read_text()
    assert "Dev scores per component" in card and "ckg_attack_triggers" in card
    nlp = load_components(english_pipeline(), tmp_path / "a")
    assert nlp.pipe_names[-4:] == list(learned.COMPONENTS)


def test_kg_train_command_names_a_missing_folder(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["train", "--train", str(tmp_path / "nope"), "--dev", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "nope" in result.output and "no such file" in result.output


@pytest.mark.skipif(not SHARED_TRAIN.is_dir(), reason="the shared training data is not on this machine")
def test_kg_train_on_a_slice_of_the_real_training_data(tmp_path):
    from kg.train import train

    card = train(SHARED_TRAIN, SHARED_TRAIN.parent / "dev", tmp_path / "out", limit=12, log=lambda line: None)
    assert card["components"]["ckg_attack_triggers"]["train"]["positives"] > 0
    assert card["components"]["ckg_attribution_cues"]["train"]["positives"] > 0


# --- reading the model's output into attacks ----------------------------------------------------

@pytest.fixture(scope="module")
def english():
    return english_pipeline()


@pytest.mark.parametrize("text, trigger, expected", [
    ("An air strike hit the market.", "strike", "Airstrike"),
    ("A car bomb exploded near the checkpoint.", "bomb", "Bombing"),
    ("Government forces shelled the town overnight.", "shelled", "Shelling"),
    ("Two jets carried out three raids on the village.", "raids", "Airstrike"),
    ("The group beheaded a soldier.", "beheaded", "Execution"),
    ("Gunmen attacked a police post.", "attacked", "Attack"),
])
def test_a_trigger_gets_the_class_its_words_and_instrument_name(english, text, trigger, expected):
    from kg.extract.learned_steps import trigger_type

    doc = english(text)
    token = next(t for t in doc if t.text == trigger)
    assert trigger_type(doc[token.i:token.i + 1]) == expected


def test_learned_pipeline_end_to_end_finds_the_attack_and_its_source():
    from helpers import run

    x = run("Syrian government warplanes bombed a bakery in Raqqa on Saturday, killing 25 people, "
            "the Syrian Observatory for Human Rights said.", published="2014-09-06")
    assert x.attacks, "the airstrike was not found"
    attack = x.attacks[0]
    assert attack.type in ("Airstrike", "Bombing")
    assert attack.dates == ["2014-09-06"]
    sources = {x.entities[("actor", c.source)].label for c in x.claims}
    assert any("Observatory" in s for s in sources), sources


def test_rules_pipeline_is_still_there(monkeypatch):
    from kg.extract.pipeline import configured_pipeline, pipeline_path

    names = [name for name, _ in configured_pipeline(pipeline_path("rules"))]
    assert "attacks" in names and "learned-attacks" not in names
    learned_names = [name for name, _ in configured_pipeline(pipeline_path("learned"))]
    assert learned_names.index("parse-learned") < learned_names.index("learned-attacks")
    with pytest.raises(ValueError, match="no extraction pipeline 'nope'"):
        pipeline_path("nope")
