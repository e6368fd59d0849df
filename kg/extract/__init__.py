"""Extraction: an article's text → actors, places, attacks and claims, each with its evidence.

The work is done by a pipeline of small named components (see :mod:`kg.extract.pipeline` and
``kg/data/pipeline.cfg``); this module is its public face.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.sources import Article


@dataclass
class Extraction:
    """What extraction found in one article."""

    meta: dict = field(default_factory=dict)  # article metadata after inference
    inferred: set[str] = field(default_factory=set)  # which metadata fields were inferred
    entities: dict = field(default_factory=dict)  # (kind, key) → kg.extract.model.Entity
    attacks: list = field(default_factory=list)  # kg.extract.model.Attack
    claims: list = field(default_factory=list)  # kg.extract.model.Claim
    sentence_spans: list = field(default_factory=list)  # sentence index → (start, end) in the text


def extract(article: Article) -> Extraction:
    """Run the extraction pipeline on one article."""
    from kg.extract.model import State
    from kg.extract.pipeline import run
    from kg.iris import digest

    state = State(
        text=article.text,
        meta={k: v for k, v in article.meta.items() if not k.startswith("_")},
        inferred=set(article.meta.get("_inferred", ())),
        article_key=digest(article.text, 16),
    )
    run(state)
    return Extraction(
        meta=state.meta, inferred=state.inferred, entities=state.entities, attacks=state.attacks, claims=state.claims,
        sentence_spans=[(s.start, s.end) for s in state.sentences],
    )


def warm_up() -> None:
    """Load the spaCy model, the gazetteer and the actor matcher once per process."""
    from kg.extract.actors import catalog
    from kg.extract.gazetteer import gazetteer
    from kg.extract.nlp import load_model
    from kg.extract.pipeline import configured_pipeline

    configured_pipeline()
    load_model()
    gazetteer()
    catalog().matchers()
