"""bench/quality.py: its readers of the annotated formats, its scoring arithmetic on known cases, and
its SPARQL read-back on a handcrafted store."""
import json
import sys
from pathlib import Path

import pytest
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import quality  # noqa: E402
from quality import AttackPred, ClaimPred, DocPred, GoldAttack, GoldArgument, GoldAttribution, GoldDoc, ValuePred  # noqa: E402

from kg.store import open_store  # noqa: E402

TEXT = "Jets struck Raqqa on Monday. Markets were busy. A bomb hit Homs. Officials said ten died."
# sentences: [0, 28) [29, 47) [48, 64) [65, 89)

WIKIEVENTS = {
    "doc_id": "w1", "text": TEXT, "entities": [],
    "events": [
        {"type": "Conflict.Attack.Unspecified", "trigger": "struck", "trigger_char_span": [5, 11],
         "arguments": [{"role": "Attacker", "text": "Jets", "char_span": [0, 4]}, {"role": "Place", "text": "Raqqa", "char_span": [12, 17]},
                       {"role": "Instrument", "text": "Jets", "char_span": [0, 4]}]},
        {"type": "Life.Die.Unspecified", "trigger": "died", "trigger_char_span": [84, 88], "arguments": []},
        {"type": "Conflict.Attack.DetonateExplode", "trigger": "hit", "trigger_char_span": [55, 58],
         "arguments": [{"role": "Target", "text": "Homs", "char_span": [59, 63]}]},
    ],
}
POLNEAR = {
    "doc_id": "p1", "annotator": "a", "text": TEXT,
    "attributions": [
        {"Source": [{"text": "Officials", "char_spans": [[65, 74]]}], "Cue": [{"text": "said", "char_spans": [[75, 79]]}],
         "Content": [{"text": "ten died", "char_spans": [[80, 88]]}]},
        {"Attribution-no-source": [], "Cue": [{"text": "busy", "char_spans": [[42, 46]]}], "Content": [{"text": "Markets were", "char_spans": [[29, 41]]}]},
        {"Attribution-no-source": []},
    ],
}
FAKES = {"id": "f1", "title": "Bomb hits Homs", "date": "4/7/2017", "source": "x", "location": "homs", "label_credible": "1", "text": TEXT}


def value(iri, labels=(), spans=(), containers=()):
    return ValuePred(iri, set(labels), list(spans), [set(c) for c in containers])


# --- reading the annotated formats ----------------------------------------------------------------

@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "dev"
    folder.mkdir()
    for name, record in [("wikievents", WIKIEVENTS), ("rams", {**WIKIEVENTS, "doc_id": "r1"}), ("polnear", POLNEAR), ("fakes_syria", FAKES)]:
        (folder / f"{name}_dev.jsonl").write_text(json.dumps(record) + "\n" + json.dumps(record) + "\n")
    return folder


def test_event_files_keep_attack_events_and_map_roles(data_dir):
    [doc] = quality.load(data_dir, "wikievents", limit=1)
    assert [(a.trigger, a.type) for a in doc.attacks] == [((5, 11), "conflict.attack.unspecified"), ((55, 58), "conflict.attack.detonateexplode")]
    assert [(g.role, g.span, g.text) for g in doc.attacks[0].arguments] == [("perpetrator", (0, 4), "Jets"), ("location", (12, 17), "Raqqa")]
    assert len(quality.load(data_dir, "rams")) == 2


def test_polnear_attributions_skip_empty_ones_and_keep_spans(data_dir):
    [doc] = quality.load(data_dir, "polnear", limit=1)
    assert len(doc.attributions) == 2
    first, second = doc.attributions
    assert (first.sources, first.source_texts, first.cues, first.contents) == ([(65, 74)], ["Officials"], [(75, 79)], [(80, 88)])
    assert second.sources == [] and second.contents == [(29, 41)]


def test_fakes_date_becomes_iso_and_place_is_kept(data_dir):
    [doc] = quality.load(data_dir, "fakes", limit=1)
    assert (doc.date, doc.place, doc.title) == ("2017-04-07", "homs", "Bomb hits Homs")


def test_articles_are_written_with_title_and_unique_url_only(tmp_path, data_dir):
    docs = quality.load(data_dir, "fakes") + quality.load(data_dir, "wikievents")
    quality.write_articles(docs, tmp_path / "out")
    sidecars = [json.loads(p.read_text()) for p in sorted((tmp_path / "out").glob("*.json"))]
    assert sidecars[0] == {"title": "Bomb hits Homs", "url": docs[0].url}
    assert sidecars[2] == {"url": docs[2].url}
    assert len({d.url for d in docs}) == len(docs) == 4
    assert (tmp_path / "out" / "00000.txt").read_text() == TEXT


def test_a_bad_record_is_an_error_naming_the_line(tmp_path):
    (tmp_path / "fakes_dev.jsonl").write_text('{"id": "x", "text": "t"}\n')
    with pytest.raises(SystemExit, match="fakes_dev.jsonl:1"):
        quality.load(tmp_path, "fakes")


# --- scoring arithmetic ---------------------------------------------------------------------------

def gold_events():
    return quality.event_doc("wikievents", WIKIEVENTS)


def test_sentences_are_split_where_expected():
    assert quality.sentences(TEXT) == [(0, 28), (29, 47), (48, 64), (65, 89)]


def test_detection_counts_sentences_half_right():
    # gold attack sentences 0 and 2; predicted evidence in sentences 0 (twice) and 1
    pred = DocPred(attacks=[AttackPred([(5, 11)]), AttackPred([(0, 4), (30, 35)])])
    counts = quality.score_detection([(gold_events(), pred)])
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 1)
    assert (counts.precision, counts.recall, counts.f1) == (0.5, 0.5, 0.5)


def test_detection_of_nothing_is_zero_not_an_error():
    counts = quality.score_detection([(gold_events(), DocPred())])
    assert (counts.tp, counts.fp, counts.fn, counts.precision, counts.f1) == (0, 0, 2, 0.0, 0.0)


def test_argument_recall_by_evidence_overlap_or_label_only_through_matched_attacks():
    jets = value("j", labels={"syrian air force"}, spans=[(0, 4)])
    raqqa_wrong_span = value("r", labels={"ar raqqah"}, spans=[(200, 205)])
    homs_by_label = value("h", labels={"homs"})
    pred = DocPred(attacks=[
        AttackPred([(5, 11)], roles={"perpetrator": [jets], "location": [raqqa_wrong_span]}),
        AttackPred([(0, 3)], roles={"target": [homs_by_label]}),  # in sentence 0, not in the Homs sentence
    ])
    recall = quality.score_arguments([(gold_events(), pred)])
    assert recall["perpetrator"] == {"recall": 1.0, "recalled": 1, "gold": 1}
    assert recall["location"] == {"recall": 0.0, "recalled": 0, "gold": 1}
    assert recall["target"] == {"recall": 0.0, "recalled": 0, "gold": 1}
    assert recall["victim"]["recall"] is None
    pred.attacks.append(AttackPred([(55, 58)], roles={"target": [homs_by_label]}))
    assert quality.score_arguments([(gold_events(), pred)])["target"]["recall"] == 1.0


def test_attack_type_right_wrong_or_missing_on_the_mapped_gold_attacks_only():
    # gold: an unmapped Conflict.Attack.Unspecified in sentence 0, a DetonateExplode (→ Bombing) in sentence 2
    def types(*attacks):
        return quality.score_types([(gold_events(), DocPred(attacks=list(attacks)))])

    right = types(AttackPred([(0, 4)], types={"Airstrike"}), AttackPred([(55, 58)], types={"Bombing"}))
    assert (right["accuracy"], right["accuracy_detected"], right["right"], right["detected"], right["gold"]) == (1.0, 1.0, 1, 1, 1)
    assert right["by_subtype"] == {"detonateexplode": {"gold": 1, "detected": 1, "right": 1}}
    wrong = types(AttackPred([(48, 52)], types={"Shooting"}))  # detected, of the wrong type
    assert (wrong["accuracy"], wrong["accuracy_detected"], wrong["detected"]) == (0.0, 0.0, 1)
    untyped = types(AttackPred([(48, 52)], types={"Attack"}))  # an attack of no subtype is not a bombing
    assert untyped["accuracy"] == 0.0
    elsewhere = types(AttackPred([(5, 11)], types={"Bombing"}))  # a bombing, but in another sentence
    assert (elsewhere["accuracy"], elsewhere["accuracy_detected"], elsewhere["detected"]) == (0.0, None, 0)
    assert types()["gold"] == 1 and types()["accuracy"] == 0.0


def test_attack_type_accepts_any_class_the_subtype_maps_to():
    record = {"doc_id": "r", "text": TEXT, "events": [{"type": "conflict.attack.airstrikemissilestrike", "trigger_char_span": [5, 11], "arguments": []}]}
    doc = quality.event_doc("rams", record)
    for predicted, expected in (({"MissileStrike"}, 1.0), ({"Airstrike", "Bombing"}, 1.0), ({"Shelling"}, 0.0)):
        assert quality.score_types([(doc, DocPred(attacks=[AttackPred([(0, 4)], types=predicted)]))])["accuracy"] == expected


def rams_window(*types):
    return GoldDoc("rams", "r", TEXT, event_types=list(types))


def test_peaceful_windows_with_an_invented_attack():
    attack = DocPred(attacks=[AttackPred([(29, 35)])])
    pairs = [(rams_window("transaction.transfermoney.n/a"), attack), (rams_window("contact.discussion.meet"), DocPred()),
             (rams_window("movement.transportperson.n/a"), DocPred()), (rams_window("government.vote.n/a"), attack),
             # not peaceful: violence or its aftermath, whatever is predicted
             (rams_window("conflict.yield.surrender"), attack), (rams_window("life.die.n/a"), attack), (rams_window("life.injure.n/a"), DocPred()),
             (rams_window("artifactexistence.damagedestroy.n/a"), attack), (rams_window("justice.arrestjaildetain.n/a"), attack),
             (rams_window(), attack)]
    assert quality.score_peaceful(pairs) == {"share_with_attack": 0.5, "with_attack": 2, "windows": 4}
    assert quality.score_peaceful(pairs[4:]) == {"share_with_attack": None, "with_attack": 0, "windows": 0}


def test_event_files_keep_every_event_type_for_the_peaceful_measure(data_dir):
    [doc] = quality.load(data_dir, "rams", limit=1)
    assert doc.event_types == ["conflict.attack.unspecified", "life.die.unspecified", "conflict.attack.detonateexplode"]
    assert not quality.is_peaceful(doc)


def fakes_doc(place="homs", date="2017-04-07"):
    return GoldDoc("fakes", "f", TEXT, place=place, date=date)


def test_place_accuracy_uses_the_main_place_and_its_containers():
    village = value("v", labels={"al-waer"}, containers=[{"homs governorate"}, {"syria"}])
    raqqa = value("r", labels={"ar raqqah"})
    pred = DocPred(attacks=[AttackPred([(50, 52)], roles={"location": [village]}), AttackPred([(60, 62)], roles={"location": [village]}),
                            AttackPred([(0, 4)], roles={"location": [raqqa]})])
    result = quality.score_places([(fakes_doc("homs"), pred), (fakes_doc("raqqa"), pred), (fakes_doc("idlib"), pred), (fakes_doc(), DocPred())])
    assert result == {"accuracy": 0.25, "any_attack_place": 0.5, "predicted": 3, "n": 4}


def test_place_names_match_across_transliterations():
    assert quality.same_place("deir ezzor", "Deir ez-Zor") and quality.same_place("daraa", "Dar‘ā")
    assert not quality.same_place("hama", "homs") and not quality.same_place("idlib", "aleppo")


def test_date_accuracy_prefers_issued_then_the_commonest_attack_date():
    issued = DocPred(issued="2017-04-07", attacks=[AttackPred([(0, 1)], dates={"2017-04-01"})])
    by_attacks = DocPred(attacks=[AttackPred([(0, 1)], dates={"2017-04-06"}), AttackPred([(2, 3)], dates={"2017-04-06", "2017-04-01"})])
    result = quality.score_dates([(fakes_doc(), issued), (fakes_doc(), by_attacks), (fakes_doc(), DocPred())])
    assert result == {"accuracy": round(1 / 3, 4), "within_1_day": round(2 / 3, 4), "predicted": 2, "n": 3,
                      "failures": {"day not in text": 2}}


def test_date_failures_by_cause():
    doc = GoldDoc("fakes", "f", "Wed 05 Apr 2017 Jets struck Idlib on Tuesday.", place="idlib", date="2017-04-05")
    assert quality.date_failure(doc, DocPred(issued="2017-04-05"), "2017-04-05") is None
    assert quality.date_failure(doc, DocPred(issued="2017-04-04"), "2017-04-04") == "wrong anchor"
    assert quality.date_failure(doc, DocPred(), None) == "no date predicted"
    assert quality.date_failure(doc, DocPred(attacks=[AttackPred([(0, 1)], dates={"2017-04-04"})]), "2017-04-04") == "wrong attack date (no anchor)"
    other = GoldDoc("fakes", "f", "Jets struck Idlib on Tuesday.", place="idlib", date="2017-04-05")
    assert quality.date_failure(other, DocPred(), None) == "day not in text"


def test_claim_precision_recall_and_source_recall():
    doc = quality.polnear_doc(POLNEAR)
    officials = value("o", labels={"officials"})
    pred = DocPred(claims=[
        ClaimPred([(65, 89)], sources=[officials]),  # the first attribution, source by label
        ClaimPred([(75, 79)], sources=[value("x", labels={"someone"})]),  # same attribution, cue only
        ClaimPred([(0, 10)]),  # no attribution there
    ])
    result = quality.score_claims([(doc, pred)])
    assert (result["predicted"], result["predicted_correct"], result["gold"], result["gold_found"]) == (3, 2, 2, 1)
    assert (result["precision"], result["recall"]) == (round(2 / 3, 4), 0.5)
    assert result["f1"] == round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4)
    assert (result["source_recall"], result["gold_with_source"]) == (1.0, 1)
    pred.claims[0].sources = [value("o", spans=[(0, 4)])]
    assert quality.score_claims([(doc, pred)])["source_recall"] == 0.0


# --- read-back through `kg query` on a handcrafted store -------------------------------------------

STORE_TTL = f"""
@prefix ckg: <https://w3id.org/ckg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix x: <http://x.test/> .
x:art a ckg:Article ; ckg:text "{TEXT}" ; dcterms:source <https://eval.invalid/t/0>, <https://eval.invalid/t/1> ;
    dcterms:issued "2017-04-07"^^xsd:date .
x:a1 a ckg:Bombing ; ckg:date "2017-04-06"^^xsd:date ; ckg:location x:homs ; ckg:perpetrator x:isis ; ckg:evidence x:m1, x:m2 .
x:m1 ckg:inArticle x:art ; ckg:startOffset 48 ; ckg:endOffset 64 . x:m2 ckg:inArticle x:other ; ckg:startOffset 0 ; ckg:endOffset 3 .
x:homs a ckg:City ; rdfs:label "Homs" ; skos:altLabel "Hims" ; ckg:locatedIn x:gov . x:gov ckg:locatedIn x:syria .
x:gov rdfs:label "Homs Governorate" . x:syria rdfs:label "Syria" .
x:isis rdfs:label "Islamic State" ; ckg:evidence x:m3 . x:m3 ckg:inArticle x:art ; ckg:startOffset 0 ; ckg:endOffset 4 .
x:c1 a ckg:Claim ; ckg:claimedBy x:officials ; ckg:about x:a1 ; ckg:evidence x:m4 .
x:m4 ckg:inArticle x:art ; ckg:startOffset 65 ; ckg:endOffset 89 . x:officials rdfs:label "officials" .
ckg:Bombing rdfs:subClassOf ckg:Attack .
"""


@pytest.fixture(scope="module")
def handcrafted_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("quality") / "store"
    with open_store(str(path)) as store:
        store.put_graph("http://x.test/graph", rdflib.Graph().parse(data=STORE_TTL, format="turtle").serialize(format="nt", encoding="utf-8"))
    return path


@pytest.fixture(scope="module")
def predictions(handcrafted_store):
    return quality.read_predictions(handcrafted_store)


def test_read_predictions_maps_evidence_to_each_source_of_its_article(predictions):
    assert set(predictions) == {"https://eval.invalid/t/0", "https://eval.invalid/t/1"}
    doc = predictions["https://eval.invalid/t/0"]
    assert (doc.text, doc.issued) == (TEXT, "2017-04-07")
    [attack] = doc.attacks
    assert attack.spans == [(48, 64)] and attack.dates == {"2017-04-06"} and attack.types == {"Bombing"}
    [homs] = attack.roles["location"]
    assert homs.labels == {"homs", "hims"} and sorted(map(sorted, homs.container_labels)) == [["homs governorate"], ["syria"]]
    [isis] = attack.roles["perpetrator"]
    assert isis.spans == [(0, 4)] and isis.labels == {"islamic state"}
    [claim] = doc.claims
    assert claim.spans == [(65, 89)] and claim.sources[0].labels == {"officials"}


def test_read_back_predictions_score_as_expected(predictions):
    doc = predictions["https://eval.invalid/t/0"]
    gold = gold_events()
    assert quality.score_detection([(gold, doc)]).as_dict()["tp"] == 1
    assert quality.score_places([(fakes_doc("homs"), doc)])["accuracy"] == 1.0
    assert quality.score_claims([(quality.polnear_doc(POLNEAR), doc)])["source_recall"] == 1.0


def test_documents_whose_stored_text_differs_are_counted_as_misaligned():
    gold = GoldDoc("fakes", "f", TEXT, url="u1")
    pairs, misaligned = quality.pair_up([gold], {"u1": DocPred(text=TEXT + " changed", attacks=[AttackPred([(0, 1)])])})
    assert misaligned == 1 and pairs[0][1].attacks == []


def test_end_to_end_on_a_tiny_data_folder_reports_every_dataset_for_each_pipeline(data_dir, tmp_path):
    (data_dir / "wires.jsonl").write_text(json.dumps({"id": "r1", "title": "COCOA", "text": "Cocoa rose."}) + "\n")
    report = quality.evaluate(data_dir, limit=1, workers=1, keep=tmp_path / "kept", corpus=data_dir / "wires.jsonl", newswires=1)
    assert report["pipelines"] == ["rules", "learned"] and set(report["runs"]) == {"rules", "learned"}
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["store-learned", "store-rules"]
    for run in report["runs"].values():
        assert set(run["datasets"]) == {"wikievents", "rams", "fakes", "polnear", "reuters"}
        assert all(r["documents"] == 1 and r["stored"] == 1 and r["misaligned"] == 0 for r in run["datasets"].values())
        assert "5 added" in run["ingest"]["summary"]
    text = quality.table(report)
    assert "attack sentences P/R/F1" in text and "delta learned−rules" in text
    assert "attack type right acc" in text and "peaceful windows w/ attack" in text
    rams = report["runs"]["rules"]["datasets"]["rams"]
    assert rams["attack_type"]["gold"] == 1 and rams["peaceful"]["windows"] == 0


def test_one_pipeline_alone_is_scored_without_a_delta(data_dir):
    report = quality.evaluate(data_dir, limit=1, workers=1, pipelines=("rules",))
    assert list(report["runs"]) == ["rules"]
    assert "delta" not in quality.table(report)


# --- the side-by-side table -------------------------------------------------------------------------

def run_report(precision, place, stored=1):
    """A one-pipeline run with a detection figure on WikiEvents and a place figure on FA-KES."""
    detection = {"attack_sentences": {"precision": precision, "recall": 0.5, "f1": 0.5, "tp": 1, "fp": 1, "fn": 1},
                 "argument_recall": {"victim": {"recall": None, "recalled": 0, "gold": 0}}}
    places = {"place": {"accuracy": place, "any_attack_place": place, "predicted": 1, "n": 2},
              "date": {"accuracy": 0.0, "within_1_day": 0.0, "predicted": 0, "n": 2}}
    return {"ingest": {"summary": "2 added", "seconds": 1.0},
            "datasets": {"wikievents": {"documents": 1, "stored": stored, "misaligned": 0, **detection},
                         "fakes": {"documents": 2, "stored": 2, "misaligned": 0, **places}}}


def test_the_table_puts_each_measure_on_one_row_with_both_pipelines_and_the_delta():
    report = {"data": "d", "pipelines": ["rules", "learned"], "runs": {"rules": run_report(0.5, 0.25), "learned": run_report(0.75, 0.5, stored=0)}}
    rows = {(name, measure): (figures, counts) for name, measure, figures, counts in quality.side_by_side(report)}
    assert rows["wikievents", "attack sentences P/R/F1"] == ([(0.5, 0.5, 0.5), (0.75, 0.5, 0.5)], "tp=1 fp=1 fn=1")
    assert rows["fakes", "place: main attack place acc"][0] == [(0.25,), (0.5,)]
    assert rows["wikievents", "documents stored (share)"] == ([(1.0,), (0.0,)], "1 docs, 1 stored | 1 docs, 0 stored")
    assert rows["wikievents", "argument recall: victim"][0] == [(None,), (None,)]
    lines = quality.table(report).splitlines()
    [detection] = [line for line in lines if "attack sentences" in line]
    assert detection.split()[4:7] == ["0.500/0.500/0.500", "0.750/0.500/0.500", "+0.250/+0.000/+0.000"]
    [place] = [line for line in lines if "main attack place" in line]
    assert "0.250" in place and "+0.250" in place
    [victim] = [line for line in lines if "victim" in line]
    assert victim.split()[4:7] == ["—", "—", "—"]


def test_pipelines_option_wants_distinct_names():
    assert quality.pipeline_list("learned") == ("learned",)
    for bad in ("", "rules,rules", " , "):
        with pytest.raises(Exception):
            quality.pipeline_list(bad)


# --- an oracle scores perfectly -------------------------------------------------------------------

def oracle(doc: GoldDoc) -> DocPred:
    """Predictions that are exactly the gold annotations."""
    if doc.place:  # FA-KES: one attack at the gold place, the gold date as issued
        return DocPred(issued=doc.date, attacks=[AttackPred([(0, 1)], roles={"location": [value("p", labels={doc.place})]})])
    attacks = [AttackPred([a.trigger], roles={g.role: [value(g.text, spans=[g.span])] for g in a.arguments}, types=quality.TYPE_CLASSES.get(a.type, set()))
               for a in doc.attacks]
    claims = [ClaimPred(g.contents, sources=[value("s", spans=g.sources)]) for g in doc.attributions]
    return DocPred(text=doc.text, attacks=attacks, claims=claims)


def test_an_oracle_gets_full_marks_on_every_measure(data_dir):
    events = [(d, oracle(d)) for d in quality.load(data_dir, "wikievents") + quality.load(data_dir, "rams")]
    assert quality.score_detection(events).f1 == 1.0
    recall = quality.score_arguments(events)
    assert all(recall[role]["recall"] == 1.0 for role in ("perpetrator", "target", "location"))
    assert quality.score_types(events)["accuracy"] == 1.0
    fakes = [(d, oracle(d)) for d in quality.load(data_dir, "fakes")]
    assert quality.score_places(fakes)["accuracy"] == 1.0 and quality.score_dates(fakes)["accuracy"] == 1.0
    claims = quality.score_claims([(d, oracle(d)) for d in quality.load(data_dir, "polnear")])
    assert (claims["precision"], claims["recall"], claims["f1"], claims["source_recall"]) == (1.0, 1.0, 1.0, 1.0)


def test_false_alarms_on_unannotated_newswire():
    wires = [GoldDoc("reuters", "1", TEXT), GoldDoc("reuters", "2", TEXT)]
    result = quality.score_false_alarms([(wires[0], DocPred(attacks=[AttackPred([(55, 58)])])), (wires[1], DocPred())])
    assert result == {"articles_with_attack": 0.5, "attacks_per_100_articles": 50.0, "attack_sentences_per_1000": 125.0}


def test_newswires_are_read_from_the_corpus_file_skipping_empty_texts(tmp_path):
    corpus = tmp_path / "wires.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": f"r{i}", "title": "T", "text": text}) for i, text in enumerate(["Cocoa rose.", " ", "Wheat fell."])))
    docs = quality.load(tmp_path, "reuters", 5, file=corpus)
    assert [d.doc_id for d in docs] == ["r0", "r2"]
