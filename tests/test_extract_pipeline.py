"""The pipeline is configuration, and extraction is deterministic."""
import pytest
from rdflib.compare import isomorphic

from kg.extract.pipeline import PIPELINE_CFG, configured_pipeline, pipeline_path, read_config
from kg.rdf import to_rdf
from kg.sources import Article


def test_components_run_in_the_configured_order():
    names = [name for name, _ in configured_pipeline()]
    assert names == read_config(PIPELINE_CFG)
    assert names.index("boilerplate") < names.index("parse-learned") < names.index("learned-attacks") < names.index("learned-claims")


def test_the_rules_baseline_runs_in_its_configured_order():
    names = [name for name, _ in configured_pipeline(pipeline_path("rules"))]
    assert names == read_config(pipeline_path("rules"))
    assert names.index("boilerplate") < names.index("parse") < names.index("attacks") < names.index("claims")


def test_an_unknown_component_is_an_error_naming_the_file(tmp_path):
    cfg = tmp_path / "pipeline.cfg"
    cfg.write_text("boilerplate\nparse  # spaCy\nno_such_step\n")
    with pytest.raises(ValueError, match="pipeline.cfg.*no_such_step"):
        configured_pipeline(cfg)


def test_extraction_is_deterministic():
    from kg.extract import extract

    article = Article(text="Rebels shelled Aleppo on Monday, killing three civilians, activists said.", path="x.txt",
                      meta={"published": "2016-05-16"})
    first, second = to_rdf(article, extract(article)), to_rdf(article, extract(article))
    assert isomorphic(first, second) and len(first) > 30


ARTICLES = [
    Article(text="Rebels shelled Aleppo on Monday, killing three civilians, activists said.", path="a.txt", meta={"published": "2016-05-16"}),
    Article(text="Turkish jets struck Kurdish positions near Afrin.\n\nThe army said 12 fighters died.", path="b.txt", meta={}),
    Article(text="Wheat prices rose on Tuesday, traders in Chicago said.", path="c.txt", meta={}),
]


def test_articles_extracted_together_get_what_each_gets_alone():
    from kg.extract import extract, extract_many

    together = extract_many(ARTICLES)
    for article, extraction in zip(ARTICLES, together):
        assert isomorphic(to_rdf(article, extraction), to_rdf(article, extract(article)))


@pytest.fixture
def places_fail_on_afrin(monkeypatch):
    """The places step raises on any article naming Afrin."""
    from kg.extract import pipeline

    resolve = pipeline._REGISTRY["places"]

    def fails_on_afrin(state):
        if "Afrin" in state.text:
            raise RuntimeError("broken")
        resolve(state)

    monkeypatch.setitem(pipeline._REGISTRY, "places", fails_on_afrin)
    pipeline._load_pipeline.cache_clear()
    yield
    monkeypatch.undo()
    pipeline._load_pipeline.cache_clear()


def test_a_failing_article_in_a_batch_is_rejected_alone(places_fail_on_afrin):
    from kg.ingest import Built, build_many
    from kg.sources import Rejected

    results = build_many(ARTICLES)
    assert [type(r) for r in results] == [Built, Rejected, Built]
    assert "RuntimeError: broken" in results[1].reason
