"""The extraction pipeline: small named components run in the order the configuration gives.

Each component is a function ``State -> None`` registered under a name with :func:`component`.
The order is read from a configuration file (one name per line), so a step can be reordered or
switched off without touching code, as in spaCy's ``config.cfg``. Two ship in ``kg/data/``:
``pipeline.cfg`` (the default: learned attacks and claims) and ``pipeline-rules.cfg`` (the
rule-based extractor alone, kept as the baseline every learned figure is compared with). The
``KG_PIPELINE`` environment variable (or ``kg ingest --pipeline``) picks one by name (``learned``,
``rules``) or by path.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Callable

from kg.extract.model import State

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PIPELINE_CFG = DATA_DIR / "pipeline.cfg"
NAMED_PIPELINES = {"learned": PIPELINE_CFG, "rules": DATA_DIR / "pipeline-rules.cfg"}


def pipeline_path(choice: str | None = None) -> Path:
    """The configuration chosen by name or path (``choice``, else ``KG_PIPELINE``, else the default).

    >>> pipeline_path("rules").name, pipeline_path("learned").name
    ('pipeline-rules.cfg', 'pipeline.cfg')
    """
    choice = choice or os.environ.get("KG_PIPELINE") or "learned"
    path = NAMED_PIPELINES.get(choice) or Path(choice)
    if not path.is_file():
        raise ValueError(f"no extraction pipeline {choice!r}: give {' or '.join(NAMED_PIPELINES)}, or the path of a pipeline file")
    return path

Component = Callable[[State], None]
BatchComponent = Callable[[list[State]], None]
_REGISTRY: dict[str, Component] = {}
_BATCHED: dict[str, BatchComponent] = {}


def component(name: str) -> Callable[[Component], Component]:
    """Register a pipeline component under ``name``."""

    def register(func: Component) -> Component:
        _REGISTRY[name] = func
        return func

    return register


def batch_component(name: str) -> Callable[[BatchComponent], BatchComponent]:
    """Register the many-articles-at-once form of component ``name``: it must do to each state
    exactly what the one-article form does."""

    def register(func: BatchComponent) -> BatchComponent:
        _BATCHED[name] = func
        return func

    return register


def read_config(path: Path = PIPELINE_CFG) -> list[str]:
    """Component names in order, one per line; ``#`` starts a comment."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return names


def configured_pipeline(path: Path | None = None) -> tuple[tuple[str, Component], ...]:
    """The configured components (``path``, else :func:`pipeline_path`), checked: an unknown name
    is an error naming the file."""
    return _load_pipeline(path or pipeline_path())


@lru_cache(maxsize=None)
def _load_pipeline(path: Path) -> tuple[tuple[str, Component], ...]:
    _import_components()
    steps = []
    for name in read_config(path):
        if name not in _REGISTRY:
            raise ValueError(f"{path}: unknown extraction component {name!r}; known: {', '.join(sorted(_REGISTRY))}")
        steps.append((name, _REGISTRY[name]))
    return tuple(steps)


def run(state: State, steps=None) -> State:
    for _name, func in steps if steps is not None else configured_pipeline():
        func(state)
    return state


def run_many(states: list[State], steps=None) -> list[State]:
    """Run the pipeline over several articles, step by step: a step with a batch form (see
    :func:`batch_component`) gets them all at once, any other step each in turn."""
    for name, func in steps if steps is not None else configured_pipeline():
        if name in _BATCHED:
            _BATCHED[name](states)
        else:
            for state in states:
                func(state)
    return states


def _import_components() -> None:
    from kg.extract import actors, attacks, boilerplate, claims, consolidate, coref, figures, learned_steps, metadata, nlp, places  # noqa: F401
