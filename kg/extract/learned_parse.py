"""The ``parse-learned`` step: the English parse with the trained components of ``kg/models/ckg_en``
(attack triggers and arguments, attribution cues and sources, :mod:`kg.extract.learned`) run on
the same docs.

Kept apart from :mod:`kg.extract.nlp` so that the plain parse, which the rules and the actor
matcher use, does not depend on the learned model (whose features read the rules' word lists).
"""
from __future__ import annotations

from functools import lru_cache

from kg.extract.learned import load_components
from kg.extract.model import State
from kg.extract.nlp import english_pipeline, parse_with
from kg.extract.step import batch_form, step


@lru_cache(maxsize=1)
def load_learned_model():
    """The English pipeline with the trained components of ``kg/models/ckg_en`` after its ``ner``."""
    return load_components(english_pipeline())


@step(requires=["segments"], assigns=["sentences", "trained-spans"])
def parse_learned(state: State) -> None:
    """Parse as ``parse`` does, then run the trained components (attack triggers and arguments,
    attribution cues and sources) on the same docs."""
    parse_states_learned([state])


@batch_form(parse_learned)
def parse_states_learned(states: list[State]) -> None:
    """:func:`kg.extract.nlp.parse_states` with the trained components."""
    parse_with(states, load_learned_model())
