"""bench/ingest.py: the corpus it writes, the summary line it parses, and its medians and ratios."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import ingest as bench  # noqa: E402

from kg.ingest import Summary  # noqa: E402


def test_corpus_takes_fakes_first_then_reuters_skipping_empty_texts(tmp_path):
    fakes = tmp_path / "fakes.jsonl"
    reuters = tmp_path / "reuters.jsonl"
    fakes.write_text(json.dumps({"id": "f1", "title": "T", "date": "4/5/2017", "location": "idlib", "text": "Fake one."}) + "\n")
    reuters.write_text("\n".join(json.dumps(r) for r in [
        {"id": "r1", "title": "COCOA", "date": "26-FEB-1987 15:01:01.79", "text": "Cocoa rose."},
        {"id": "r2", "title": "EMPTY", "date": "26-FEB-1987 15:02:01.79", "text": "  "},
        {"id": "r3", "title": "", "date": "bad date", "text": "Wheat fell."},
    ]) + "\n")
    out = tmp_path / "corpus.jsonl"
    assert bench.write_corpus(out, 10, fakes, reuters) == 3
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[0] == {"text": "Fake one.", "title": "T", "url": "https://eval.invalid/fakes/f1"}
    assert records[1]["published"] == "1987-02-26" and records[2] == {"text": "Wheat fell.", "url": "https://eval.invalid/reuters/r3"}
    assert bench.write_corpus(out, 2, fakes, reuters) == 2


def test_the_summary_line_of_kg_ingest_is_parsed():
    line = str(Summary(added=7, unchanged=2, replaced=1, triples=345))
    assert bench.SUMMARY.search(line).groups() == ("7", "2", "1", "0", "345")


def test_medians_peaks_and_ratio_against_the_baseline():
    runs = [bench.Run(1, s, 100, 1000, 0, rss) for s, rss in [(10, 100 * 2**20), (20, 300 * 2**20), (12.5, 200 * 2**20)]]
    runs += [bench.Run(2, s, 100, 1000, 0, 400 * 2**20) for s in (5, 6.25, 4)]
    result = bench.summarise(runs, baseline_workers=1)
    assert result[1]["median_articles_per_second"] == 8.0 and result[1]["median_seconds"] == 12.5
    assert result[1]["peak_rss_mb"] == 300.0 and result[1]["ratio_vs_baseline"] == 1.0
    assert result[2]["median_articles_per_second"] == 20.0 and result[2]["ratio_vs_baseline"] == 2.5
    assert result[2]["median_triples_per_second"] == 200.0


def test_the_evaluation_folder_comes_from_the_option_then_kg_eval_dir_then_beside_the_repository(monkeypatch, tmp_path):
    from common import REPO, eval_dir

    monkeypatch.setenv("KG_EVAL_DIR", str(tmp_path / "env"))
    assert eval_dir(tmp_path / "option") == tmp_path / "option"
    assert eval_dir() == tmp_path / "env"
    monkeypatch.delenv("KG_EVAL_DIR")
    assert eval_dir() == REPO.parent / "shared" / "eval"
