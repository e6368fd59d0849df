"""What an extraction step declares: what it reads from the shared state and what it adds to it.

A step is a function ``State -> None``. :func:`step` records the names of what it ``requires`` and
what it ``assigns``; :mod:`kg.extract.pipeline` checks, when it loads a pipeline file, that every
step's requirements are assigned by a step before it (or are in every new state: :data:`GIVEN`).
This module imports nothing of the components, so a component can import it without an import
circle, and the pipeline can import the components by the names its file gives.

The names (:data:`NAMES`; any other is an error where the step is declared):

- ``text``, ``meta``, ``inferred``, ``article_key``: the article as read (:data:`GIVEN`);
- ``segments``: body, title, embedded posts and boilerplate (``state.segments``);
- ``sentences``: the parsed sentences with their named entities (``state.sentences``);
- ``trained-spans``: the trained components' triggers, arguments, cues and sources on those docs;
- ``places``, ``actors``: the place and actor entities with their mentions (``state.entities``,
  ``state.refs``; ``places`` also gives the article's country context);
- ``descriptions``: actors resolved from descriptions ("the group", "the government");
- ``figures``: casualty figures and losses per sentence (``state.sentence_figures``);
- ``attacks``, ``claims``: ``state.attacks``, ``state.claims``;
- ``consolidated``: figures, places and confidences settled across attacks and claims.
"""
from __future__ import annotations

from typing import Callable, Iterable

GIVEN = frozenset({"text", "meta", "inferred", "article_key"})
NAMES = GIVEN | {"segments", "sentences", "trained-spans", "places", "actors", "descriptions", "figures", "attacks", "claims",
                 "consolidated"}


def step(*, requires: Iterable[str] = (), assigns: Iterable[str] = ()) -> Callable:
    """Declare a function ``State -> None`` an extraction step.

    >>> @step(requires=["sentences"], assigns=["figures"])
    ... def count(state): pass
    >>> sorted(count.requires), sorted(count.assigns)
    (['sentences'], ['figures'])
    >>> step(assigns=["atacks"])  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: unknown state names: atacks
    """
    requires, assigns = frozenset(requires), frozenset(assigns)
    unknown = sorted((requires | assigns) - NAMES)
    if unknown:
        raise ValueError(f"unknown state names: {', '.join(unknown)} (known: {', '.join(sorted(NAMES))})")

    def declare(func: Callable) -> Callable:
        func.requires, func.assigns = requires, assigns
        return func

    return declare


def batch_form(single: Callable) -> Callable:
    """Declare the decorated function the many-articles-at-once form of step ``single``: it takes
    a list of states and must do to each exactly what ``single`` does to one.

    >>> @step(assigns=["sentences"])
    ... def parse(state): pass
    >>> @batch_form(parse)
    ... def parse_many(states): pass
    >>> parse.batch is parse_many
    True
    """

    def declare(func: Callable) -> Callable:
        single.batch = func
        return func

    return declare


def is_step(func: object) -> bool:
    """Whether ``func`` was declared with :func:`step`.

    >>> is_step(len)
    False
    """
    return callable(func) and isinstance(getattr(func, "requires", None), frozenset) and isinstance(getattr(func, "assigns", None), frozenset)
