"""The pipeline is configuration, and extraction is deterministic."""
import pytest
from rdflib.compare import isomorphic

from kg.extract.attacks import find_attacks
from kg.extract.nlp import parse_states
from kg.extract.pipeline import PIPELINE_CFG, configured_pipeline, pipeline_path, read_config
from kg.rdf import to_rdf
from kg.sources import Article


def test_components_run_in_the_configured_order():
    names = [name for name, _ in configured_pipeline()]
    assert names == [name for name, _ in read_config(PIPELINE_CFG)]
    assert names.index("boilerplate") < names.index("parse-learned") < names.index("learned-attacks") < names.index("learned-claims")


def test_the_rules_baseline_runs_in_its_configured_order():
    names = [name for name, _ in configured_pipeline(pipeline_path("rules"))]
    assert names == [name for name, _ in read_config(pipeline_path("rules"))]
    assert names.index("boilerplate") < names.index("parse") < names.index("attacks") < names.index("claims")


def test_a_step_runs_the_function_its_line_names():
    steps = dict(configured_pipeline(pipeline_path("rules")))
    assert steps["attacks"] is find_attacks and steps["parse"].batch is parse_states


BOILERPLATE = "boilerplate kg.extract.boilerplate:mark_boilerplate"
BAD_PIPELINES = {  # what a pipeline file says → the error that names its fault
    "an unknown step": ([BOILERPLATE, "parse kg.extract.nlp:parse  # spaCy", "no_such_step kg.extract.nlp:no_such_function"],
                        "pipeline.cfg: unknown extraction step 'no_such_step'"),
    "a line without its function": (["# steps", "boilerplate"], "pipeline.cfg:2: a step is its name and the module:function"),
    "a function not declared a step": (["text kg.extract.boilerplate:segment_text"],
                                       "segment_text .step 'text'. is not declared an extraction step"),
    "a step before what it requires": ([BOILERPLATE, "actors kg.extract.actors:resolve_actors"],
                                       "step 'actors' requires places, sentences, which no step before it assigns"),
    "a step listed twice": ([BOILERPLATE, BOILERPLATE], "step 'boilerplate' is listed twice"),
}


@pytest.mark.parametrize("fault", BAD_PIPELINES)
def test_a_faulty_pipeline_file_is_an_error_naming_the_file_and_the_fault(tmp_path, fault):
    lines, message = BAD_PIPELINES[fault]
    cfg = tmp_path / "pipeline.cfg"
    cfg.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=message):
        configured_pipeline(cfg)


def test_every_shipped_step_declares_what_it_requires_and_assigns():
    for path in (pipeline_path("learned"), pipeline_path("rules")):
        for name, func in configured_pipeline(path):
            assert func.assigns, name
            assert func.requires or name == "boilerplate", name


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
    import functools

    from kg.extract import pipeline, places

    resolve = places.resolve_places

    @functools.wraps(resolve)  # keeps its declaration: requires, assigns
    def fails_on_afrin(state):
        if "Afrin" in state.text:
            raise RuntimeError("broken")
        resolve(state)

    monkeypatch.setattr(places, "resolve_places", fails_on_afrin)
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


def test_a_background_warm_up_hands_its_error_to_the_first_extraction(monkeypatch):
    """`kg ingest` loads the models in a thread while it opens the store; a failure there (no spaCy
    model installed, say) is raised where the extraction would have met it, not lost in the thread."""
    import kg.extract as extract_module
    from kg.extract.nlp import ModelMissing
    from kg.sources import Article

    def missing():
        raise ModelMissing("no spaCy English model installed")

    monkeypatch.setattr(extract_module, "_load_everything", missing)
    extract_module.warm_up_in_background()
    with pytest.raises(ModelMissing, match="no spaCy English model"):
        extract_module.extract(Article(text="Warplanes struck Raqqa on Sunday.", path="test.txt"))
    assert not extract_module._warming  # waited for once; the next extraction loads as usual
