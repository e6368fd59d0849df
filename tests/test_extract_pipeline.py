"""The pipeline is configuration, and extraction is deterministic."""
import pytest
from rdflib.compare import isomorphic

from kg.extract.pipeline import PIPELINE_CFG, configured_pipeline, read_config
from kg.rdf import to_rdf
from kg.sources import Article


def test_components_run_in_the_configured_order():
    names = [name for name, _ in configured_pipeline()]
    assert names == read_config(PIPELINE_CFG)
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
