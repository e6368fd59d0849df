"""The extraction pipeline: small named steps run in the order a pipeline file gives.

A pipeline file is data naming what to run: one step a line, its name then the ``module:function``
that does it (``#`` starts a comment), as spaCy's ``config.cfg`` names its components. Each step is
a function ``State -> None`` declared with :func:`kg.extract.step.step`, saying what it requires
and assigns; loading a file imports the functions it names and checks that every step's
requirements are assigned by a step before it, so a step can be reordered, replaced or switched off
without touching code, and a wrong order fails at load, naming the file. Two ship in ``kg/data/``:
``pipeline.cfg`` (the default: learned attacks and claims) and ``pipeline-rules.cfg`` (the
rule-based extractor alone, kept as the baseline every learned figure is compared with). The
``KG_PIPELINE`` environment variable (or ``kg ingest --pipeline``) picks one by name (``learned``,
``rules``) or by path.
"""
from __future__ import annotations

import importlib
import importlib.resources
import os
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Callable, NamedTuple

from kg.extract.model import State
from kg.extract.step import GIVEN, is_step

DATA_DIR = importlib.resources.files("kg") / "data"
PIPELINE_CFG = DATA_DIR / "pipeline.cfg"
NAMED_PIPELINES = {"learned": PIPELINE_CFG, "rules": DATA_DIR / "pipeline-rules.cfg"}

Component = Callable[[State], None]


class Step(NamedTuple):
    """One configured step: its name in the pipeline file and the function that does it."""

    name: str
    run: Component

    @property
    def batch(self) -> Callable[[list[State]], None] | None:
        """The step's many-articles-at-once form (see :func:`kg.extract.step.batch_form`), if any."""
        return getattr(self.run, "batch", None)


def pipeline_path(choice: str | None = None) -> Traversable:
    """The pipeline file chosen by name or path (``choice``, else ``KG_PIPELINE``, else the default).

    >>> pipeline_path("rules").name, pipeline_path("learned").name
    ('pipeline-rules.cfg', 'pipeline.cfg')
    """
    choice = choice or os.environ.get("KG_PIPELINE") or "learned"
    path = NAMED_PIPELINES.get(choice) or Path(choice)
    if not path.is_file():
        raise ValueError(f"no extraction pipeline {choice!r}: give {' or '.join(NAMED_PIPELINES)}, or the path of a pipeline file")
    return path


def read_config(path: Traversable = PIPELINE_CFG) -> list[tuple[str, str]]:
    """(step name, ``module:function``) in order, one a line; ``#`` starts a comment.

    >>> read_config()[0]
    ('boilerplate', 'kg.extract.boilerplate:mark_boilerplate')
    """
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2 or words[1].count(":") != 1:
            raise ValueError(f"{path}:{number}: a step is its name and the module:function that does it, not {line.strip()!r}")
        entries.append((words[0], words[1]))
    return entries


def configured_pipeline(path: Traversable | None = None) -> tuple[Step, ...]:
    """The steps of pipeline file ``path`` (else :func:`pipeline_path`), loaded and checked: a
    function that cannot be found or is no declared step, a repeated name, or a step whose
    requirements no step before it assigns, is an error naming the file."""
    return _load_pipeline(path or pipeline_path())


@lru_cache(maxsize=None)
def _load_pipeline(path: Traversable) -> tuple[Step, ...]:
    steps, available = [], set(GIVEN)
    for name, target in read_config(path):
        if any(s.name == name for s in steps):
            raise ValueError(f"{path}: step {name!r} is listed twice")
        func = _resolve(path, name, target)
        missing = func.requires - available
        if missing:
            raise ValueError(f"{path}: step {name!r} requires {', '.join(sorted(missing))}, which no step before it assigns")
        available |= func.assigns
        steps.append(Step(name, func))
    return tuple(steps)


def _resolve(path: Traversable, name: str, target: str) -> Component:
    """The function ``module:function`` names, which must be a declared step."""
    module_name, _, attribute = target.partition(":")
    try:
        func = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{path}: unknown extraction step {name!r} ({target}): {exc}") from None
    if not is_step(func):
        raise ValueError(f"{path}: {target} (step {name!r}) is not declared an extraction step with kg.extract.step.step")
    return func


def run(state: State, steps: tuple[Step, ...] | None = None) -> State:
    """Run the steps (else the configured pipeline) over one article's state."""
    for step in steps if steps is not None else configured_pipeline():
        step.run(state)
    return state


def run_many(states: list[State], steps: tuple[Step, ...] | None = None) -> list[State]:
    """Run the pipeline over several articles, step by step: a step with a batch form (see
    :func:`kg.extract.step.batch_form`) gets them all at once, any other step each in turn."""
    for step in steps if steps is not None else configured_pipeline():
        if step.batch is not None:
            step.batch(states)
        else:
            for state in states:
                step.run(state)
    return states
