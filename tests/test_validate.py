"""kg.validate: SHACL and HermiT catch what is wrong in extracted data, and pass what is right."""
from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as ns  # not XSD itself: pytest probes module globals and XSD warns
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.vocab import CKG, GEO, ONTOLOGY_FILE, ONTOLOGY_IRI
from kg.validate import Problem, Report, hermit_problems, shacl_problems, span_problems, type_problems, validate_graph, validate_store

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")

ID = "http://localhost:5000/id/"
ARTICLE, MENTION, ATTACK = URIRef(ID + "article/a1"), URIRef(ID + "mention/m1"), URIRef(ID + "attack/raqqa-1")
FORCES, RAQQA, SYRIA = URIRef(ID + "actor/syrian-forces"), URIRef(ID + "place/raqqa"), URIRef(ID + "place/syria")
SOHR, CLAIM = URIRef(ID + "actor/sohr"), URIRef(ID + "claim/c1")
TEXT = "Syrian jets struck a bakery in Raqqa on Saturday, killing at least 25 people."


def count(n: int) -> Literal:
    return Literal(n, datatype=ns.XSD.nonNegativeInteger)


def valid_graph() -> Graph:
    """One article, one mention, an airstrike by a state actor in a city, and a claim about it."""
    g = Graph()
    g += [
        (ARTICLE, RDF.type, CKG.Article), (ARTICLE, CKG.text, Literal(TEXT)),
        (ARTICLE, DCTERMS.source, URIRef("https://news.example/a1")),
        (ARTICLE, DCTERMS.issued, Literal("2014-09-06", datatype=ns.XSD.date)),
        (ARTICLE, CKG.inferredProperty, DCTERMS.issued),
        (MENTION, RDF.type, CKG.Mention), (MENTION, CKG.text, Literal(TEXT[:35])),
        (MENTION, CKG.startOffset, count(0)), (MENTION, CKG.endOffset, count(35)), (MENTION, CKG.inArticle, ARTICLE),
        (ATTACK, RDF.type, CKG.Airstrike), (ATTACK, CKG.perpetrator, FORCES), (ATTACK, CKG.location, RAQQA),
        (ATTACK, CKG.date, Literal("2014-09-06", datatype=ns.XSD.date)), (ATTACK, CKG.killed, count(25)),
        (ATTACK, CKG.evidence, MENTION), (ATTACK, CKG.confidence, Literal(Decimal("0.8"))),
        (FORCES, RDF.type, CKG.StateActor), (FORCES, RDFS.label, Literal("Syrian government forces")),
        (FORCES, CKG.country, SYRIA), (FORCES, CKG.evidence, MENTION),
        (SOHR, RDF.type, CKG.Organization), (SOHR, RDFS.label, Literal("Syrian Observatory for Human Rights")),
        (CLAIM, RDF.type, CKG.Claim), (CLAIM, CKG.claimedBy, SOHR), (CLAIM, CKG.about, ATTACK),
        (CLAIM, CKG.killed, count(20)), (CLAIM, CKG.evidence, MENTION),
        (RAQQA, RDF.type, CKG.City), (RAQQA, RDFS.label, Literal("Raqqa")), (RAQQA, CKG.locatedIn, SYRIA),
        (RAQQA, GEO.lat, Literal(Decimal("35.95283"))), (RAQQA, GEO.long, Literal(Decimal("39.00788"))),
        (SYRIA, RDF.type, CKG.Country), (SYRIA, RDFS.label, Literal("Syria")), (SYRIA, CKG.wikidataId, Literal("Q858")),
    ]
    loss = BNode()
    g += [(ATTACK, CKG.destroyed, loss), (loss, RDF.type, CKG.EquipmentLoss),
          (loss, CKG.equipment, Literal("Humvee")), (loss, CKG.count, count(4))]
    return g


def graph_of(*triples) -> Graph:
    graph = Graph()
    graph += list(triples)
    return graph


def with_changes(remove=(), add=()) -> Graph:
    g = valid_graph()
    for triple in remove:
        g.remove(triple)
    g += list(add)
    return g


def shacl_results(graph: Graph) -> list[Problem]:
    problems, _ = shacl_problems(graph)
    return problems


def test_valid_graph_passes_shacl():
    report = validate_graph(valid_graph(), reasoner=False)
    assert report.ok, report.text()
    assert report.text().splitlines()[-1] == "valid"


def test_negative_death_toll_fails_with_a_message_naming_the_attack():
    graph = with_changes(remove=[(ATTACK, CKG.killed, count(25))], add=[(ATTACK, CKG.killed, Literal("-3", datatype=ns.XSD.nonNegativeInteger))])
    report = validate_graph(graph, reasoner=False)
    assert not report.ok
    assert [(p.focus, p.path) for p in report.problems] == [(f"<{ATTACK}>", "ckg:killed")]
    assert f"<{ATTACK}> ckg:killed" in report.text() and "xsd:nonNegativeInteger" in report.text()


def test_plain_integer_count_is_accepted_but_not_a_fraction():
    """Oxigraph hands back every integer type as xsd:integer, so the shapes accept it."""
    assert shacl_results(with_changes(remove=[(CLAIM, CKG.killed, count(20))], add=[(CLAIM, CKG.killed, Literal(20))])) == []
    graph = with_changes(remove=[(CLAIM, CKG.killed, count(20))], add=[(CLAIM, CKG.killed, Literal(Decimal("20.5")))])
    assert [p.path for p in shacl_results(graph)] == ["ckg:killed"]


def test_place_as_perpetrator_is_a_shacl_violation():
    graph = with_changes(add=[(ATTACK, CKG.perpetrator, RAQQA)])
    problems = shacl_results(graph)
    assert [(p.focus, p.path, p.value) for p in problems] == [(f"<{ATTACK}>", "ckg:perpetrator", f"<{RAQQA}>")]


def test_mention_text_must_be_the_article_span():
    graph = with_changes(remove=[(MENTION, CKG.text, Literal(TEXT[:35]))], add=[(MENTION, CKG.text, Literal("Syrian jets hit"))])
    assert shacl_results(graph) == []
    problems, summary = span_problems(graph)
    assert [(p.focus, p.path, p.value) for p in problems] == [(f"<{MENTION}>", "ckg:text", '"Syrian jets hit"')]
    assert f'"{TEXT[:35]}"' in problems[0].message and summary.endswith("articles: 1")
    assert not validate_graph(graph, reasoner=False).ok


def test_mention_past_the_end_of_its_article_is_reported():
    graph = with_changes(remove=[(MENTION, CKG.endOffset, count(35))], add=[(MENTION, CKG.endOffset, count(len(TEXT) + 5))])
    problems, _ = span_problems(graph)
    assert len(problems) == 1 and "article is shorter" not in problems[0].message
    graph.set((MENTION, CKG.startOffset, count(len(TEXT) + 1)))
    assert "the article is shorter" in span_problems(graph)[0][0].message


def test_a_year_alone_is_a_date_but_free_text_is_not():
    year = with_changes(add=[(ATTACK, CKG.date, Literal("2013", datatype=ns.XSD.gYear)),
                             (ATTACK, CKG.dateEarliest, Literal("2013-01-01", datatype=ns.XSD.date)),
                             (ATTACK, CKG.dateLatest, Literal("2013-12-31", datatype=ns.XSD.date))])
    assert shacl_results(year) == []
    assert [p.path for p in shacl_results(with_changes(add=[(ATTACK, CKG.date, Literal("last week"))]))] == ["ckg:date"]
    backwards = with_changes(add=[(ATTACK, CKG.dateEarliest, Literal("2013-12-31", datatype=ns.XSD.date)),
                                  (ATTACK, CKG.dateLatest, Literal("2013-01-01", datatype=ns.XSD.date))])
    assert [p.path for p in shacl_results(backwards)] == ["ckg:dateEarliest"]


def test_mention_offsets_must_be_ordered():
    graph = with_changes(remove=[(MENTION, CKG.endOffset, count(35))], add=[(MENTION, CKG.endOffset, count(0))])
    assert "ckg:startOffset" in {p.path for p in shacl_results(graph)}


def test_claim_needs_a_source_and_evidence():
    graph = with_changes(remove=[(CLAIM, CKG.claimedBy, SOHR), (CLAIM, CKG.evidence, MENTION)])
    assert {p.path for p in shacl_results(graph)} == {"ckg:claimedBy", "ckg:evidence"}


def test_coordinates_must_be_in_range_and_paired():
    graph = with_changes(add=[(SYRIA, GEO.lat, Literal(Decimal("95.0")))])
    messages = " ".join(p.message for p in shacl_results(graph))
    assert "between -90 and 90" in messages and "both geo:lat and geo:long" in messages


def test_confidence_above_one_is_reported():
    graph = with_changes(remove=[(ATTACK, CKG.confidence, Literal(Decimal("0.8")))], add=[(ATTACK, CKG.confidence, Literal(Decimal("1.5")))])
    assert [p.path for p in shacl_results(graph)] == ["ckg:confidence"]


def test_a_node_in_two_disjoint_classes_is_reported():
    graph = with_changes(add=[(SOHR, RDF.type, CKG.Place), (FORCES, RDF.type, CKG.ArmedGroup)])
    problems, _ = type_problems(graph)
    assert [p.focus for p in problems] == [f"<{SOHR}>", f"<{FORCES}>"]  # sorted by IRI
    assert "ckg:ArmedGroup (typed ckg:ArmedGroup) and ckg:StateActor (typed ckg:StateActor)" in problems[1].message \
        or "ckg:StateActor (typed ckg:StateActor) and ckg:ArmedGroup (typed ckg:ArmedGroup)" in problems[1].message
    assert not validate_graph(graph, reasoner=False).ok


@needs_java
def test_valid_graph_is_consistent_for_hermit():
    problems, summary = hermit_problems(valid_graph())
    assert problems == [] and summary.startswith("consistent")


@needs_java
def test_hermit_catches_a_place_as_perpetrator_and_says_why():
    problems, summary = hermit_problems(with_changes(add=[(ATTACK, CKG.perpetrator, RAQQA)]))
    assert summary.startswith("INCONSISTENT")
    assert [p.focus for p in problems] == [f"<{RAQQA}>"]
    assert "ckg:Place" in problems[0].message and "ckg:Actor" in problems[0].message
    assert f"ckg:perpetrator of <{ATTACK}>" in problems[0].message


def test_missing_java_is_a_clear_error(monkeypatch):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java-binary")
    report = validate_graph(valid_graph())
    assert not report.ok
    assert "Java" in report.text() and "--no-reasoner" in report.text()


@needs_java
def test_hermit_past_its_time_limit_is_reported_not_hung():
    problems, summary = hermit_problems(valid_graph(), timeout=0.01)
    assert summary == "not finished" and "did not finish" in problems[0].message


def test_report_counts_only_violations_and_errors():
    report = Report(problems=[Problem(check="SHACL", message="m", severity="Warning")])
    assert report.ok
    report.problems.append(Problem(check="HermiT", message="x", severity="Error"))
    assert not report.ok and report.text().endswith("NOT valid: 1 problem (HermiT)")


@pytest.fixture
def store(tmp_path):
    from kg.store import open_store

    with open_store(tmp_path / "store") as opened:
        opened.add_files(ONTOLOGY_IRI, [ONTOLOGY_FILE])
        yield opened


def put(store, graph: Graph, name: str = "graph/article-1") -> None:
    store.put_graph(ID + name, graph.serialize(format="nt", encoding="utf-8"))


def test_store_validation_reads_article_graphs_but_not_the_ontology(store):
    put(store, valid_graph())
    report = validate_store(store, reasoner=False)
    assert report.ok, report.text()
    assert f"SHACL: {len(valid_graph())} triples" in report.text()


def test_store_validation_joins_graphs_and_reports_bad_data(store):
    good = valid_graph()
    put(store, good)
    put(store, graph_of((ATTACK, CKG.injured, Literal(-1))), "graph/article-2")
    report = validate_store(store, reasoner=False)
    assert not report.ok and f"<{ATTACK}> ckg:injured" in report.text()


def test_kg_validate_command_exit_codes(tmp_path):
    from kg.cli import cli
    from kg.store import open_store

    path = tmp_path / "store"
    with open_store(path) as opened:
        opened.add_files(ONTOLOGY_IRI, [ONTOLOGY_FILE])
        put(opened, valid_graph())
    runner = CliRunner()
    passed = runner.invoke(cli, ["validate", "--no-reasoner", "--store", str(path)])
    assert passed.exit_code == 0, passed.output
    with open_store(path) as opened:
        put(opened, graph_of((RAQQA, GEO.long, Literal(Decimal("200")))), "graph/article-2")
    failed = runner.invoke(cli, ["validate", "--no-reasoner", "--store", str(path)])
    assert failed.exit_code == 1 and f"<{RAQQA}> geo:long" in failed.output


def test_kg_validate_passes_on_the_seeds_store(store_dir):
    """The store built from seeds/ by `kg ingest` satisfies the shapes and HermiT (CLI end to end)."""
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["validate", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert "HermiT: consistent" in result.output and result.output.rstrip().endswith("valid")
