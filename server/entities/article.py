"""The article page: its metadata, and its text with every extracted mention highlighted.

Queries: the generic page's (its text left out of the table), the text (one), the mentions with the
entities they are evidence of (one), the graphs holding it (one), and the page's names.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.vocab import CKG
from server.entities.common import MAX_MENTIONS, later, named, resolve_names, select, val
from server.entities.generic import EntityView, describe
from server.render import Span, Value, iri_ref, number, segments

ARTICLE_METADATA = (
    ("Published", "http://purl.org/dc/terms/issued"),
    ("Author", "http://purl.org/dc/terms/creator"),
    ("Publisher", "http://purl.org/dc/terms/publisher"),
    ("Source", "http://purl.org/dc/terms/source"),
    ("Language", "http://purl.org/dc/terms/language"),
)


@dataclass
class ArticleView:
    entity: EntityView
    title: str
    metadata: list[tuple[str, list[Value]]]
    segments: list
    mention_count: int
    graphs: list[Value]


def article_view(iri: str) -> ArticleView:
    ref = iri_ref(iri)
    entity = describe(iri, skip=(str(CKG.text),))
    text_rows = select(f"SELECT ?text WHERE {{ {ref} ckg:text ?text }} LIMIT 1")
    text = text_rows[0]["text"].value if text_rows else ""
    rows = select(
        f"""SELECT DISTINCT ?m ?start ?end ?entity WHERE {{
  ?m ckg:inArticle {ref} ; ckg:startOffset ?start ; ckg:endOffset ?end .
  OPTIONAL {{ ?entity ckg:evidence ?m }}
}} ORDER BY ?start LIMIT {MAX_MENTIONS}"""
    )
    marked = [(row, named(row["entity"] if row["entity"] is not None else row["m"])) for row in rows]
    graphs = select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {ref} a ckg:Article }} }} LIMIT 20")
    view = ArticleView(entity=entity, title="", metadata=[(name, entity.all(prop)) for name, prop in ARTICLE_METADATA],
                       segments=[], mention_count=0, graphs=[val(g["g"]) for g in graphs])

    def mark() -> None:
        spans = []
        for row, shown in marked:
            start, end = number(row["start"]), number(row["end"])
            if start is not None and end is not None:
                spans.append(Span(int(start), int(end), shown.href, shown.text, shown.kind))
        title = entity.first("http://purl.org/dc/terms/title")
        view.title = title.text if title else entity.label
        view.segments = segments(text, spans)
        view.mention_count = len({(s.start, s.end) for s in spans})

    later(mark)
    resolve_names()
    return view
