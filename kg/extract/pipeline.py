"""The extraction pipeline: small named components run in the order the configuration gives.

Each component is a function ``State -> None`` registered under a name with :func:`component`.
The order is read from ``kg/data/pipeline.cfg`` (one name per line), so a step can be reordered
or switched off without touching code, as in spaCy's ``config.cfg``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

from kg.extract.model import State

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PIPELINE_CFG = DATA_DIR / "pipeline.cfg"

Component = Callable[[State], None]
_REGISTRY: dict[str, Component] = {}


def component(name: str) -> Callable[[Component], Component]:
    """Register a pipeline component under ``name``."""

    def register(func: Component) -> Component:
        _REGISTRY[name] = func
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


@lru_cache(maxsize=None)
def configured_pipeline(path: Path = PIPELINE_CFG) -> tuple[tuple[str, Component], ...]:
    """The configured components, checked: an unknown name is an error naming the file."""
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


def _import_components() -> None:
    from kg.extract import actors, attacks, boilerplate, claims, consolidate, coref, figures, metadata, nlp, places  # noqa: F401
