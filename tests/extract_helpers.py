"""Helpers for the extraction tests: run the pipeline on a text, look things up in the result."""
from __future__ import annotations

from kg.extract import Extraction, extract
from kg.sources import Article


def run(text: str, **meta) -> Extraction:
    return extract(Article(text=text, path="test.txt", meta=dict(meta)))


def labels_of(x: Extraction, kind: str) -> dict[str, object]:
    return {e.label: e for (k, _), e in x.entities.items() if k == kind}


def label(x: Extraction, kind: str, key: str) -> str:
    return x.entities[(kind, key)].label


def attacks_of(x: Extraction, type_: str) -> list:
    return [a for a in x.attacks if a.type == type_]
