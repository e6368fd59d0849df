"""The `kg` command line end to end on a real on-disk store."""
import json
import shutil
import subprocess

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli import cli

SEEDS = "seeds"


@pytest.fixture
def kg(tmp_path):
    """Run `kg` with a store in tmp_path; returns the click Result."""
    store = str(tmp_path / "store")

    def run(*args, input=None):
        return CliRunner().invoke(cli, [*args, "--store", store], input=input, catch_exceptions=False)

    run.store = store
    return run


@pytest.fixture
def article_dir(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Government artillery shelled the town of Idlib on Monday, killing four people.\n")
    (folder / "a.json").write_text(json.dumps({"title": "Idlib shelled", "published": "2019-05-06", "url": "https://news.example/a"}))
    return folder


def count(kg, sparql):
    result = kg("query", "--format", "csv", sparql)
    assert result.exit_code == 0, result.output
    return int(result.output.splitlines()[1])


def test_ingest_reports_a_summary_and_stores_the_article(kg, article_dir):
    result = kg("ingest", str(article_dir))
    assert result.exit_code == 0
    assert "1 added, 0 unchanged, 0 replaced, 0 rejected" in result.output
    assert count(kg, "SELECT (COUNT(*) AS ?n) { ?a a ckg:Article ; dcterms:title 'Idlib shelled' ; dcterms:issued '2019-05-06'^^xsd:date }") == 1


def test_ingesting_twice_changes_nothing(kg, article_dir):
    kg("ingest", str(article_dir))
    before = kg("export", "--format", "nquads").output
    result = kg("ingest", str(article_dir))
    assert "0 added, 1 unchanged" in result.output
    assert kg("export", "--format", "nquads").output == before


def test_a_changed_article_replaces_its_graph(kg, article_dir):
    kg("ingest", str(article_dir))
    (article_dir / "a.txt").write_text("Rebels shelled the town of Idlib on Tuesday, killing two people.\n")
    result = kg("ingest", str(article_dir))
    assert "0 added, 0 unchanged, 1 replaced" in result.output
    assert count(kg, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?a a ckg:Article } }") == 1
    assert count(kg, "SELECT (COUNT(*) AS ?n) { ?a a ckg:Article ; ckg:text ?t FILTER CONTAINS(?t, 'Rebels') }") == 1


def test_random_bytes_are_refused_by_name_and_change_nothing(kg, article_dir, tmp_path):
    kg("ingest", str(article_dir))
    before = kg("export", "--format", "nquads").output
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 8)
    result = kg("ingest", str(junk))
    assert result.exit_code == 1
    assert f"rejected {str(junk)!r}" in result.output
    assert kg("export", "--format", "nquads").output == before


def test_one_bad_file_does_not_stop_the_rest(kg, article_dir):
    (article_dir / "b.txt").write_bytes(b"\x00\x01binary")
    result = kg("ingest", str(article_dir))
    assert result.exit_code == 1
    assert "1 added" in result.output and "1 rejected" in result.output


def test_query_from_a_file_in_each_results_format(kg, article_dir, tmp_path):
    kg("ingest", str(article_dir))
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?t WHERE { ?a a ckg:Article ; dcterms:title ?t }")
    outputs = {fmt: kg("query", "-f", str(query), "--format", fmt).output for fmt in ("json", "xml", "csv", "tsv")}
    assert json.loads(outputs["json"])["results"]["bindings"][0]["t"]["value"] == "Idlib shelled"
    assert "<sparql" in outputs["xml"]
    assert outputs["csv"].splitlines() == ["t", "Idlib shelled"]
    assert outputs["tsv"].splitlines() == ["?t", '"Idlib shelled"']


def test_construct_query_writes_a_graph(kg, article_dir):
    kg("ingest", str(article_dir))
    out = kg("query", "--format", "ntriples", "CONSTRUCT { ?a dcterms:title ?t } WHERE { ?a a ckg:Article ; dcterms:title ?t }").output
    graph = rdflib.Graph().parse(data=out, format="nt")
    assert len(graph) == 1


def test_invalid_sparql_is_a_readable_error(kg, article_dir):
    kg("ingest", str(article_dir))
    result = CliRunner().invoke(cli, ["query", "SELEC nothing", "--store", kg.store])
    assert result.exit_code != 0
    assert "invalid SPARQL" in result.output


def test_query_without_a_store_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["query", "ASK {}", "--store", str(tmp_path / "none")])
    assert result.exit_code != 0 and "no store" in result.output


@pytest.mark.parametrize("fmt, parse_as", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_triple_exports_round_trip(kg, article_dir, fmt, parse_as):
    kg("ingest", str(article_dir))
    exported = rdflib.Graph().parse(data=kg("export", "--format", fmt).output, format=parse_as)
    union = rdflib.Graph().parse(data=kg("query", "--format", "ntriples", "CONSTRUCT WHERE { ?s ?p ?o }").output, format="nt")
    assert len(exported) > 0 and isomorphic(exported, union)


@pytest.mark.parametrize("fmt, parse_as", [("trig", "trig"), ("nquads", "nquads")])
def test_quad_exports_keep_a_graph_per_article(kg, article_dir, tmp_path, fmt, parse_as):
    kg("ingest", str(article_dir))
    out = tmp_path / f"dump.{fmt}"
    assert kg("export", "--format", fmt, "-o", str(out)).exit_code == 0
    dataset = rdflib.Dataset()
    dataset.parse(out, format=parse_as)
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert "https://w3id.org/ckg/ontology" in graphs
    assert any("/graph/article-" in g for g in graphs)


def test_export_rejects_unknown_formats(kg, article_dir):
    kg("ingest", str(article_dir))
    result = CliRunner().invoke(cli, ["export", "--format", "yaml", "--store", kg.store])
    assert result.exit_code == 2 and "unknown export format" in result.output and "events-csv" in result.output


@pytest.mark.skipif(shutil.which("rapper") is None, reason="Raptor's rapper is not installed (Debian: raptor2-utils)")
@pytest.mark.parametrize("fmt, rapper_name", [("turtle", "turtle"), ("ntriples", "ntriples")])
def test_an_independent_parser_reads_the_export(kg, tmp_path, fmt, rapper_name):
    assert kg("ingest", SEEDS).exit_code == 0  # every seed is an article: nothing rejected
    out = tmp_path / "dump"
    kg("export", "--format", fmt, "-o", str(out))
    checked = subprocess.run(["rapper", "-i", rapper_name, "-c", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "Parsing returned" in checked.stderr and " 0 triples" not in checked.stderr


def test_workers_write_the_same_graphs_as_one_process(tmp_path, article_dir):
    (article_dir / "b.txt").write_text("Suicide bombers attacked a market in Baghdad on Friday, killing 30 people.\n")
    dumps = []
    for workers in ("1", "2"):
        store = str(tmp_path / f"store{workers}")
        result = CliRunner().invoke(cli, ["ingest", str(article_dir), "--workers", workers, "--store", store])
        assert "2 added" in result.output
        out = CliRunner().invoke(cli, ["export", "--format", "nquads", "--store", store]).output
        dumps.append(sorted(line for line in out.splitlines() if "/graph/article-" in line))
    assert dumps[0] == dumps[1]


def test_the_kg_process_keeps_what_it_ingested_and_its_exit_code(tmp_path, article_dir):
    """`kg ingest` as a process ends with os._exit after closing its store: what it wrote stays."""
    import os
    import sys
    from pathlib import Path

    repo = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))}

    def kg_process(*args):
        return subprocess.run([sys.executable, "-m", "kg.cli", *args, "--store", str(tmp_path / "p")], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)

    first = kg_process("ingest", str(article_dir))
    assert first.returncode == 0 and "1 added" in first.stderr, first.stderr
    (tmp_path / "empty.txt").write_text("")
    again = kg_process("ingest", str(article_dir), str(tmp_path / "empty.txt"))
    assert again.returncode == 1 and "0 added, 1 unchanged, 0 replaced, 1 rejected" in again.stderr, again.stderr
    exported = kg_process("export", "--format", "nquads")
    assert exported.returncode == 0 and "Idlib shelled" in exported.stdout
