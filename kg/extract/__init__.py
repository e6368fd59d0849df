"""Extraction: an article's text → mentions, actors, places, attacks and claims.

The thin first version only records the article itself; the extraction issue fills this in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.sources import Article


@dataclass
class Extraction:
    """What extraction found in one article (empty in the thin version)."""

    meta: dict = field(default_factory=dict)  # article metadata after inference
    inferred: set[str] = field(default_factory=set)  # which metadata fields were inferred


def extract(article: Article) -> Extraction:
    """Run the extraction pipeline on one article."""
    return Extraction(meta=dict(article.meta), inferred=set(article.meta.get("_inferred", ())))


def warm_up() -> None:
    """Load models and gazetteers once per process, before the first article."""
